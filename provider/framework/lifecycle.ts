/**
 * Turns a kind's declaration into a Pulumi dynamic `ResourceProvider`: validation in `check`,
 * `diff` from the declaration (including rotation decided from the clock), and the CRUD calls
 * with timestamps, adoption, import and "already gone" handling. Every kind goes through this
 * file, whether the dynamic resources or the provider plugin (provider/plugin) call it.
 */
import { createHash, randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { z } from "zod";
import type { ConfigSource } from "../client";
import type { KindDeclaration, OperationContext, State } from "./declaration";
import { claimIdentity, describeResource, freeGeneration, idsBeingReplaced, isGenerationOf, nameStem, noteReplacement } from "./ownership";
import { reportChangedProperties } from "./changed-properties";
import { warnUser } from "./notices";
import { safeFailures, validateInputs, type CheckFailure } from "./validation";

/**
 * Marks checked inputs whose name the provider chooses. `create` derives the name from the
 * resource's URN (see ownership.ts), so a re-run finds what an interrupted create left behind.
 */
const AUTO_NAMED = "autoNamed";

/** The resource's URN, which the SDK passes so the provider can derive names and name claimants. */
const RESOURCE_URN = "resourceUrn";

/**
 * Bookkeeping, not user input: what the dynamic-provider runtime adds (`__provider`) and our
 * markers. Dropped before validation and from what `create` and `update` store as outputs.
 */
const runtimeKeys = new Set(["__provider", AUTO_NAMED, RESOURCE_URN]);
const DAY_MS = 86_400_000;

/** `diff`'s answer, with the inputs that changed (the provider plugin reports them to the engine). */
export interface KindDiffResult extends dynamic.DiffResult {
  /** Every input that changed, including those that force a replacement. */
  readonly diffs: string[];
}

/** What {@link makeResourceProvider} returns: a dynamic provider whose every method is present. */
export interface KindProvider extends dynamic.ResourceProvider {
  configure(req: { config: ConfigSource }): Promise<void>;
  check(olds: State, news: State): Promise<dynamic.CheckResult>;
  diff(id: string, olds: State, news: State): Promise<KindDiffResult>;
  create(inputs: State): Promise<dynamic.CreateResult>;
  /** With no `props` (`pulumi import`), reads the object by id and returns `inputs` as well. */
  read(id: string, props?: State): Promise<dynamic.ReadResult>;
  update(id: string, olds: State, news: State): Promise<dynamic.UpdateResult>;
  delete(id: string, props: State): Promise<void>;
}

export interface LifecycleOptions {
  /** Injected clock, for tests; the provider process uses the real one. */
  now?: () => Date;
}

/**
 * The provider's clock. `CCLUSTER_NOW` (an ISO date) moves it, so `CCLUSTER_NOW=2027-01-01 pulumi
 * preview` shows what rotation and renewal will replace by then; the tests use it too.
 */
export function providerClock(env: NodeJS.ProcessEnv = process.env): () => Date {
  const fixed = env.CCLUSTER_NOW;
  if (!fixed) return () => new Date();
  const at = Date.parse(fixed);
  if (Number.isNaN(at)) throw new Error(`CCLUSTER_NOW must be an ISO 8601 date, not "${fixed}"`);
  return () => new Date(at);
}

export function makeResourceProvider(decl: KindDeclaration, opts: LifecycleOptions = {}): KindProvider {
  // An auto-name is chosen at create by looking for earlier generations: a kind must be able to.
  if (decl.autoName && !decl.operations.listByNamePrefix) throw new Error(`${decl.typeName} is auto-named, so its operations need listByNamePrefix`);
  const now = opts.now ?? providerClock();
  let config: ConfigSource | undefined;
  let ctx: OperationContext | undefined;
  // Credentials are read here, inside the provider process, never captured by the serialized provider.
  const context = (): OperationContext => (ctx ??= { clients: platformClients(config), now });
  const shape = decl.inputs.shape as Record<string, z.ZodType>;
  const inputNames = Object.keys(shape);
  // An input added to a kind after a stack was made is absent from its state: read as its default, it is no change.
  const defaults = defaultsOf(shape);

  return {
    async configure(req) {
      config = req.config;
      ctx = undefined;
    },

    async check(olds, news) {
      const { parsed, failures } = validateInputs(decl, withoutRuntimeKeys(news));
      if (failures.length) return { inputs: news, failures: safeFailures(decl, news, failures.map((f) => explainImportedSecret(decl, olds, news, f))) };
      const crossFailures = decl.validate?.(parsed as never) ?? [];
      if (crossFailures.length) return { inputs: news, failures: safeFailures(decl, news, crossFailures) };
      if (parsed.existingId !== undefined && (parsed.rotationDays !== undefined || parsed.keepers !== undefined)) {
        const reason =
          `${decl.typeName}.existingId cannot be combined with rotationDays or keepers: a rotation deletes the adopted item and makes a successor, ` +
          "which needs its key; adopt by key instead (key + adoptExisting: true)";
        return { inputs: news, failures: safeFailures(decl, news, [{ property: "existingId", reason }]) };
      }
      const urn = typeof news[RESOURCE_URN] === "string" ? (news[RESOURCE_URN] as string) : undefined;
      const conflict = urn ? claimConflict(decl, parsed, urn) : undefined;
      if (conflict) return { inputs: news, failures: [{ property: "", reason: conflict }] };
      // Adopting by id leaves the name to the adopted item's, known only once it is read.
      if (decl.autoName && parsed[decl.autoName.property] === undefined && parsed.existingId === undefined) {
        parsed[AUTO_NAMED] = true;
        if (!urn) parsed[decl.autoName.property] = randomName(decl.autoName.style, parsed.autoNamePrefix, olds?.[decl.autoName.property], olds?.autoNamePrefix);
        // A name chosen before names were derived stays as it is.
        else if (olds?.[AUTO_NAMED] === true && typeof olds[decl.autoName.property] === "string" && olds.autoNamePrefix === parsed.autoNamePrefix)
          parsed[decl.autoName.property] = olds[decl.autoName.property];
      }
      if (urn) parsed[RESOURCE_URN] = urn;
      return { inputs: dropUndefined(parsed) };
    },

    async diff(id, olds, news) {
      const changed: string[] = [];
      const replaces: string[] = [];
      for (const name of inputNames) {
        if (name === "autoNamePrefix") continue; // renaming the Pulumi resource alone changes nothing
        // An optional input that is also a computed output (a generated token) keeps its value,
        // and so does the name of an item adopted by id.
        // So does an auto-name, which `create` chooses.
        const nameFromPlatform = name === decl.autoName?.property && (news.existingId !== undefined || news[AUTO_NAMED] === true);
        if (news[name] === undefined && (name in decl.outputs || nameFromPlatform)) continue;
        // An absent secret input was left out of an imported resource's inputs, which refresh diffs
        // against; a program cannot leave out a required one (check refuses that).
        if (news[name] === undefined && decl.secretInputs.includes(name)) continue;
        const hashed = decl.storeHashOnly?.includes(name);
        const before = hashed ? olds[`${name}Sha256`] : (olds[name] ?? defaults[name]);
        const after = hashed && typeof news[name] === "string" ? sha256(news[name] as string) : (news[name] ?? defaults[name]);
        if (after === unknownValue || !isDeepStrictEqual(normalize(before), normalize(after))) {
          changed.push(name);
          if (name === "keepers" || decl.replaceOnChange.includes(name) || !decl.operations.update) replaces.push(name);
        }
      }
      const clock = now();
      if (typeof olds.expiresAt === "string" && Date.parse(olds.expiresAt) <= clock.getTime() && news.rotationDays !== undefined) {
        replaces.push("rotationDays"); // rotation period passed: replace on a plain `pulumi up`
      }
      const extra = decl.operations.replaceReason?.(olds, news as never, clock);
      if (extra) replaces.push(extra.property);
      const drifted = await decl.operations.driftCheck?.(olds, news as never);
      if (drifted) {
        changed.push(drifted.property);
        const urn = typeof news[RESOURCE_URN] === "string" ? (news[RESOURCE_URN] as string) : undefined;
        await warnUser(urn ? `${describeResource(urn)}: ${drifted.found}` : drifted.found, urn);
      }
      const uniqueReplaces = [...new Set(replaces)];
      // The object being replaced stays live until its successor exists: not a leftover to clean up.
      if (uniqueReplaces.length > 0 && typeof news[RESOURCE_URN] === "string") noteReplacement(news[RESOURCE_URN] as string, id);
      if (uniqueReplaces.length > 0 && news.existingId !== undefined) {
        // The replacement would adopt the very item the old one deletes. Refuse before anything happens.
        throw new Error(
          `${decl.typeName} adopted vault item ${news.existingId} by existingId, and changing ${uniqueReplaces.join(", ")} would replace it, which deletes that item. ` +
            `Adopt it by key instead (key: "${olds.key}", adoptExisting: true) so a replacement can make its successor.`,
        );
      }
      return reportChangedProperties({
        changes: changed.length > 0 || uniqueReplaces.length > 0,
        replaces: uniqueReplaces,
        deleteBeforeReplace: uniqueReplaces.length > 0 && replacementCollides(decl, olds, news),
        diffs: [...new Set([...changed, ...uniqueReplaces])],
      });
    },

    async create(inputs) {
      let c = context();
      const clean = withoutRuntimeKeys(inputs) as z.output<typeof decl.inputs>;
      const urn = inputs[RESOURCE_URN];
      if (decl.autoName && inputs[AUTO_NAMED] === true && clean[decl.autoName.property] === undefined && typeof urn === "string") {
        clean[decl.autoName.property] = await claimDerivedName(decl, clean, urn, c);
        c = { ...c, nameIsFree: true };
      }
      const adopting = clean.adoptExisting === true || clean.existingId !== undefined;
      if (adopting && !decl.operations.adopt)
        throw new Error(`${decl.typeName} cannot adopt an existing item: its secret is only shown when it is created`);
      // Adopting by key takes the item over if it exists and creates it otherwise, so a rotation
      // (which deletes the adopted item first) makes its successor under the same key.
      const adopted = adopting ? await decl.operations.adopt!(clean, c) : undefined;
      const { id, outs } = adopted ?? (await decl.operations.create(clean, c));
      const createdAt = c.now().toISOString();
      return { id, outs: stateOf(decl, clean, outs, createdAt) };
    },

    async read(id, props) {
      if (!props || Object.keys(props).length === 0) return importObject(decl, id, context());
      const state = withoutRuntimeKeys(props);
      const live = await decl.operations.read(id, state, context());
      // An empty id tells the engine the resource is gone (refresh then drops it from state).
      if (!live) return { id: "", props: {} };
      return { id, props: dropUndefined({ ...state, ...live }) };
    },

    async update(id, olds, news) {
      const c = context();
      const clean = withoutRuntimeKeys(news) as z.output<typeof decl.inputs>;
      // A name `create` chose lives in the state, not in the inputs.
      if (decl.autoName && clean[decl.autoName.property] === undefined) clean[decl.autoName.property] = olds[decl.autoName.property];
      const outs = await decl.operations.update!(id, olds, clean, c);
      const createdAt = typeof olds.createdAt === "string" ? olds.createdAt : c.now().toISOString();
      return { outs: stateOf(decl, clean, outs, createdAt) };
    },

    async delete(id, props) {
      await decl.operations.delete(id, withoutRuntimeKeys(props), context());
    },
  };
}

/**
 * `pulumi import`: the object with this id as state, and the inputs that declare it. The inputs
 * are what the platform reports, with the kind's defaults filled in as `check` fills them, so the
 * imported resource, declared as the generated code shows it, previews with no changes. Secret
 * inputs are left out: the engine writes the inputs into the generated code (marking them
 * secret does not stop that), while the state keeps the value, encrypted, among the outputs.
 */
async function importObject(decl: KindDeclaration, id: string, ctx: OperationContext): Promise<dynamic.ReadResult> {
  if (decl.notImportable) throw new Error(`${className(decl)} cannot be imported: ${decl.notImportable}`);
  const live = await decl.operations.read(id, {}, ctx);
  if (!live) throw new Error(`${className(decl)} cannot be imported: nothing with id ${JSON.stringify(id)} (${decl.platformObject}) is visible with these credentials`);
  const leftOut = new Set(["autoNamePrefix", ...decl.secretInputs, ...(decl.storeHashOnly ?? [])]);
  const shape = decl.inputs.shape as Record<string, z.ZodType>;
  const reported = Object.fromEntries(Object.keys(shape).filter((n) => !leftOut.has(n) && live[n] !== undefined).map((n) => [n, live[n]]));
  const omitted = Object.fromEntries([...leftOut].filter((n) => n in shape).map((n) => [n, true as const]));
  const withDefaults = decl.inputs.omit(omitted as never).safeParse(reported);
  // What the platform holds may break a rule of this kind (an item made elsewhere): check reports it after the import.
  const inputs = dropUndefined(withDefaults.success ? (withDefaults.data as Record<string, unknown>) : reported);
  return { id, props: dropUndefined({ ...inputs, ...live }), inputs };
}

/**
 * A required secret input that an imported resource lacks: `pulumi import` left it out of the
 * generated code on purpose, so say so and how to declare it, instead of a bare "is required".
 * Imported inputs are recognisable: they hold what the platform reports, and no resource URN.
 */
function explainImportedSecret(decl: KindDeclaration, olds: State | undefined, news: State, f: CheckFailure): CheckFailure {
  const imported = olds !== undefined && Object.keys(olds).length > 0 && olds[RESOURCE_URN] === undefined;
  if (!imported || !decl.secretInputs.includes(f.property) || news[f.property] !== undefined || olds[f.property] !== undefined) return f;
  return {
    property: f.property,
    reason:
      `${decl.typeName}.${f.property} is required; \`pulumi import\` leaves it out of the generated code because it is secret. ` +
      `Declare it from secret config (\`pulumi config set --secret <name> ...\`, then read that config into ${f.property})`,
  };
}

/**
 * The platform's clients, built when an operation first calls out. The HTTP client is loaded then,
 * not with this file: `check` and `diff` (all that a `preview` runs) never need it.
 */
function platformClients(config: ConfigSource | undefined): OperationContext["clients"] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously
  const client: typeof import("../client") = require("../client");
  return client.createClients(client.resolveSettings(config));
}

/** Would the replacement take the same platform identity (vault key, gateway token name) as the old one? */
function replacementCollides(decl: KindDeclaration, olds: State, news: State): boolean {
  if (decl.deleteBeforeReplace === "never") return false;
  if (news[AUTO_NAMED] === true) return false;
  const withDefaults = (s: State): State => ({ visibility: "USER", ...s });
  return (decl.identity ?? ["key", "visibility"]).every((p) => isDeepStrictEqual(withDefaults(olds)[p], withDefaults(news)[p]));
}

/**
 * The auto-name of a new object: the lowest free generation of the resource's derived name.
 * Objects of earlier generations that no state records (an interrupted create left them, or a
 * replaced object whose delete never ran) are removed first, and the user is told: a vault item
 * could be taken over, but a name alone cannot tell a leftover from the object a targeted replace
 * (`--target-replace`, which the provider never sees in `diff`) still needs, and removing it is
 * always safe for the state, while taking it over is not.
 */
async function claimDerivedName(decl: KindDeclaration, inputs: Record<string, unknown>, urn: string, ctx: OperationContext): Promise<string> {
  const { style } = decl.autoName!;
  const stem = nameStem(style, inputs.autoNamePrefix, urn);
  const family = (await decl.operations.listByNamePrefix!(stem, inputs as never, ctx)).filter((o) => isGenerationOf(style, stem, o.name));
  const live = idsBeingReplaced(urn);
  const leftovers = family.filter((o) => !live.has(o.id));
  for (const o of leftovers) {
    await decl.operations.delete(o.id, inputs, ctx);
    await warnUser(
      `${describeResource(urn)}: removed ${className(decl)} "${o.name}" (id ${o.id}), left on the platform by an interrupted create that no state records; a new one is made in its place`,
      urn,
    );
  }
  return freeGeneration(style, stem, new Set(family.filter((o) => live.has(o.id)).map((o) => o.name)));
}

/**
 * Refuses a second resource of this command that declares the same platform object (vault
 * type, key and visibility; gateway and token name; file path) as another: they would share it,
 * and destroying either would delete it under the other.
 */
function claimConflict(decl: KindDeclaration, inputs: Record<string, unknown>, urn: string): string | undefined {
  const identity = decl.identity ?? ["key", "visibility"];
  const values = identity.map((p) => inputs[p]);
  if (values.some((v) => typeof v !== "string")) return undefined; // auto-named, adopted by id, or not known yet
  const holder = claimIdentity(JSON.stringify([decl.module, decl.typeName, ...values]), urn);
  if (!holder) return undefined;
  const what = identity.map((p, i) => `${p} ${JSON.stringify(values[i])}`).join(", ");
  return (
    `${describeResource(urn)} declares the same ${className(decl)} (${what}) as ${describeResource(holder)}: ` +
    "two resources would share one platform object, and destroying either would delete it under the other. Give one of them another " +
    `${identity.filter((p) => p !== "visibility").join(" or ")}`
  );
}

/** The inputs that have a default, with it (what `check` fills in when they are omitted). */
function defaultsOf(shape: Record<string, z.ZodType>): Record<string, unknown> {
  const entries = Object.entries(shape).map(([name, type]) => [name, type.safeParse(undefined)] as const);
  return Object.fromEntries(entries.filter(([, r]) => r.success && r.data !== undefined).map(([name, r]) => [name, r.data]));
}

/** The kind as users write its class: `BearerToken`, `aigateway.AuthToken`. */
function className(decl: KindDeclaration): string {
  return decl.module === "ccluster" ? decl.typeName : `${decl.module}.${decl.typeName}`;
}

/** The name a stack without resource URNs gets (an SDK older than derived names): random, as before. */
function randomName(style: "kebab" | "posix", prefix: unknown, oldName: unknown, oldPrefix: unknown): string {
  // Keep the name across updates as long as the resource name is the same.
  if (typeof oldName === "string" && oldPrefix === prefix) return oldName;
  const base = typeof prefix === "string" && prefix ? prefix : "item";
  const suffix = randomBytes(4).toString("hex").slice(0, 7);
  if (style === "posix") return `${base.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[0-9]/, "_$&").toUpperCase()}_${suffix.toUpperCase()}`;
  return `${base.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "item"}-${suffix}`;
}

/** What goes into state: inputs (hash-only ones as hashes), computed outputs, timestamps. */
function stateOf(decl: KindDeclaration, inputs: Record<string, unknown>, outs: State, createdAt: string): State {
  const kept: Record<string, unknown> = { ...inputs };
  for (const name of decl.storeHashOnly ?? []) {
    if (typeof kept[name] === "string") kept[`${name}Sha256`] = sha256(kept[name] as string);
    delete kept[name];
  }
  return dropUndefined({ ...kept, ...outs, createdAt, ...expiry(createdAt, inputs.rotationDays) });
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

function expiry(createdAt: string, rotationDays: unknown): { expiresAt?: string } {
  if (typeof rotationDays !== "number") return {};
  return { expiresAt: new Date(Date.parse(createdAt) + rotationDays * DAY_MS).toISOString() };
}

function withoutRuntimeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !runtimeKeys.has(k)));
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Defaults make `undefined` and `false` mean the same for booleans we default. */
function normalize(v: unknown): unknown {
  return v === null ? undefined : v;
}

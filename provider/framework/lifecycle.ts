/**
 * Turns a kind's declaration into a Pulumi dynamic `ResourceProvider`: validation in `check`,
 * `diff` from the declaration, the CRUD calls with timestamps, replacement order, auto-names and
 * import, plus the hooks of the features the kind lists (adoption, rotation, vault visibility).
 * Every kind goes through this file, whether the dynamic resources or the provider plugin
 * (provider/plugin) call it.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { z } from "zod";
import type { ConfigSource } from "../client";
import { ProviderError, ProviderErrorCodes } from "../errors";
import { claimDerivedName, nameAtCheck } from "./auto-name";
import { reportChangedProperties } from "./changed-properties";
import type { Created, KindDeclaration, OperationContext, State } from "./declaration";
import type { Inputs } from "./feature";
import { claimConflict, replacementCollides } from "./identity";
import { AUTO_NAMED, dropUndefined, RESOURCE_URN, urnOf, withoutRuntimeKeys } from "./markers";
import { warnUser } from "./notices";
import { describeResource, noteReplacement } from "./ownership";
import { explainImportedSecret, importObject } from "./pulumi-import";
import { safeFailures, validateInputs } from "./validation";

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
  if (Number.isNaN(at)) throw new ProviderError(ProviderErrorCodes.BAD_NOW, `CCLUSTER_NOW must be an ISO 8601 date, not "${fixed}"`);
  return () => new Date(at);
}

export function makeResourceProvider(decl: KindDeclaration, opts: LifecycleOptions = {}): KindProvider {
  // An auto-name is chosen at create by looking for earlier generations: a kind must be able to.
  if (decl.autoName && !decl.operations.listByNamePrefix)
    throw new ProviderError(ProviderErrorCodes.KIND_DECLARATION, `${decl.typeName} is auto-named, so its operations need listByNamePrefix`);
  const now = opts.now ?? providerClock();
  let config: ConfigSource | undefined;
  let ctx: OperationContext | undefined;
  // Credentials are read here, inside the provider process, never captured by the serialized provider.
  const context = (): OperationContext => (ctx ??= { clients: platformClients(config), now });
  const features = decl.features ?? [];
  const shape: Record<string, z.ZodType> = decl.inputs.shape;
  const inputNames = Object.keys(shape);
  // An input added to a kind after a stack was made is absent from its state: read as its default, it is no change.
  const defaults = defaultsOf(shape);
  const alwaysReplace = new Set([...decl.replaceOnChange, ...features.flatMap((f) => f.replaceOnChange ?? [])]);
  const keepsPlatformName = (inputs: Inputs) => features.some((f) => f.keepsPlatformName?.(inputs));

  /** What goes into state: inputs (hash-only ones as hashes), computed outputs, timestamps and what features add. */
  const stateOf = (inputs: Inputs, outs: State, createdAt: string): State => {
    const kept: Inputs = { ...inputs };
    for (const name of decl.storeHashOnly ?? []) {
      const value = kept[name];
      if (typeof value === "string") kept[`${name}Sha256`] = sha256(value);
      delete kept[name];
    }
    return dropUndefined(Object.assign({ ...kept, ...outs, createdAt }, ...features.map((f) => f.outputs?.(inputs, createdAt))));
  };

  return {
    async configure(req) {
      config = req.config;
      ctx = undefined;
    },

    async check(olds, news) {
      const { parsed, failures } = validateInputs(decl, withoutRuntimeKeys(news));
      if (failures.length) return { inputs: news, failures: safeFailures(decl, news, failures.map((f) => explainImportedSecret(decl, olds, news, f))) };
      const crossFailures = decl.validate?.(parsed) ?? [];
      if (crossFailures.length) return { inputs: news, failures: safeFailures(decl, news, crossFailures) };
      const featureFailures = features.flatMap((f) => f.check?.(parsed, decl) ?? []);
      if (featureFailures.length) return { inputs: news, failures: safeFailures(decl, news, featureFailures) };
      const urn = urnOf(news);
      const conflict = urn ? claimConflict(decl, parsed, urn) : undefined;
      if (conflict) return { inputs: news, failures: [{ property: "", reason: conflict }] };
      nameAtCheck(decl, parsed, olds, urn);
      if (urn) parsed[RESOURCE_URN] = urn;
      return { inputs: dropUndefined(parsed) };
    },

    async diff(id, olds, news) {
      const changed: string[] = [];
      const replaces: string[] = [];
      for (const name of inputNames) {
        if (name === "autoNamePrefix") continue; // renaming the Pulumi resource alone changes nothing
        // An optional input that is also a computed output (a generated token) keeps its value, and
        // so do the name of an item adopted by id and an auto-name, which `create` chooses.
        const nameFromPlatform = name === decl.autoName?.property && (keepsPlatformName(news) || news[AUTO_NAMED] === true);
        if (news[name] === undefined && (name in decl.outputs || nameFromPlatform)) continue;
        // An absent secret input was left out of an imported resource's inputs, which refresh diffs
        // against; a program cannot leave out a required one (check refuses that).
        if (news[name] === undefined && decl.secretInputs.includes(name)) continue;
        const hashed = decl.storeHashOnly?.includes(name);
        const value = news[name];
        const before = hashed ? olds[`${name}Sha256`] : (olds[name] ?? defaults[name]);
        const after = hashed && typeof value === "string" ? sha256(value) : (value ?? defaults[name]);
        if (after === unknownValue || !isDeepStrictEqual(normalize(before), normalize(after))) {
          changed.push(name);
          if (alwaysReplace.has(name) || !decl.operations.update) replaces.push(name);
        }
      }
      const clock = now();
      for (const f of features) {
        const reason = f.replaceReason?.(olds, news, clock);
        if (reason) replaces.push(reason);
      }
      const extra = decl.operations.replaceReason?.(olds, news, clock);
      if (extra) replaces.push(extra.property);
      const urn = urnOf(news);
      const drifted = await decl.operations.driftCheck?.(olds, news);
      if (drifted) {
        changed.push(drifted.property);
        await warnUser(urn ? `${describeResource(urn)}: ${drifted.found}` : drifted.found, urn);
      }
      const uniqueReplaces = [...new Set(replaces)];
      // The object being replaced stays live until its successor exists: not a leftover to clean up.
      if (uniqueReplaces.length > 0 && urn) noteReplacement(urn, id);
      if (uniqueReplaces.length > 0) for (const f of features) f.refuseReplacement?.(decl, olds, news, uniqueReplaces);
      return reportChangedProperties({
        changes: changed.length > 0 || uniqueReplaces.length > 0,
        replaces: uniqueReplaces,
        deleteBeforeReplace: uniqueReplaces.length > 0 && replacementCollides(decl, olds, news),
        diffs: [...new Set([...changed, ...uniqueReplaces])],
      });
    },

    async create(inputs) {
      let c = context();
      const clean = withoutRuntimeKeys(inputs);
      const urn = urnOf(inputs);
      if (decl.autoName && inputs[AUTO_NAMED] === true && clean[decl.autoName.property] === undefined && urn) {
        clean[decl.autoName.property] = await claimDerivedName(decl, decl.autoName.style, clean, urn, c);
        c = { ...c, nameIsFree: true };
      }
      const { id, outs } = (await adoptedByFeature(clean, c)) ?? (await decl.operations.create(clean, c));
      return { id, outs: stateOf(clean, outs, c.now().toISOString()) };
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
      const clean = withoutRuntimeKeys(news);
      // A name `create` chose lives in the state, not in the inputs.
      if (decl.autoName && clean[decl.autoName.property] === undefined) clean[decl.autoName.property] = olds[decl.autoName.property];
      // `diff` replaces on every change of a kind without `update`, so the engine never calls this for one.
      if (!decl.operations.update) throw new ProviderError(ProviderErrorCodes.KIND_DECLARATION, `${decl.typeName} cannot be updated in place`);
      const outs = await decl.operations.update(id, olds, clean, c);
      const createdAt = typeof olds.createdAt === "string" ? olds.createdAt : c.now().toISOString();
      return { outs: stateOf(clean, outs, createdAt) };
    },

    async delete(id, props) {
      await decl.operations.delete(id, withoutRuntimeKeys(props), context());
    },
  };

  /** The first feature that makes the object some other way (adoption), or undefined. */
  async function adoptedByFeature(inputs: Inputs, c: OperationContext): Promise<Created | undefined> {
    for (const f of features) {
      const made = await f.create?.(decl, inputs, c);
      if (made) return made;
    }
    return undefined;
  }
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

/** The inputs that have a default, with it (what `check` fills in when they are omitted). */
function defaultsOf(shape: Record<string, z.ZodType>): Record<string, unknown> {
  const entries = Object.entries(shape).map(([name, type]) => [name, type.safeParse(undefined)] as const);
  return Object.fromEntries(entries.filter(([, r]) => r.success && r.data !== undefined).map(([name, r]) => [name, r.data]));
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

/** The platform and older states write null for a value that is absent: the same as undefined. */
function normalize(v: unknown): unknown {
  return v === null ? undefined : v;
}

/**
 * The one declaration per resource kind: its inputs (a zod schema whose `.describe()` texts are
 * the docs), what forces a replacement, which inputs and outputs are secret, and the operations
 * that map create/read/update/delete onto the platform. `check`, `diff`, the SDK's Args types,
 * schema.json and the README's resource table all come from here.
 */
import type { z } from "zod";
import type { Clients } from "../client";
import type { Feature } from "./feature";
import type { NameStyle } from "./ownership";

export type Module = "ccluster" | "aigateway";
export type OutputType = "string" | "number" | "boolean" | "object";

export interface OutputDeclaration {
  type: OutputType;
  description: string;
  secret?: boolean;
  /**
   * The member's type in `sdk/resources.ts` when `type` does not say it all: an output that may be
   * absent (`"string | undefined"`), an object's fields. Absent: `type` as it is.
   */
  sdkType?: string;
}

/** What an operation gets: the clients and the clock (tests may move it). */
export interface OperationContext {
  clients: Clients;
  now(): Date;
  /**
   * Set for `create` and `adopt` when the lifecycle has just derived the name from a listing of
   * its generations and found it free: the kind need not look it up again before writing.
   */
  nameIsFree?: boolean;
}

/** Outputs as stored in state: every input plus what the platform computed. */
export type State = Record<string, unknown>;

/** The inputs as `check` leaves them: parsed by the kind's schema, defaults filled in. */
export type Checked<S extends z.ZodObject> = z.output<S>;

/**
 * The inputs as `create`, `adopt` and `update` get them: checked, and with the auto-named input
 * `P` set, because the lifecycle chooses the name before it creates.
 */
export type Named<I, P extends string> = Omit<I, P> & { [K in P]: string };

/** What a create (or an adoption) made: `id` becomes the Pulumi resource id. */
export interface Created {
  id: string;
  outs: State;
}

/** The calls of one kind. `I`: checked inputs; `N`: the same with the auto-name set. */
export interface Operations<I, N = I> {
  /** Creates the thing. */
  create(inputs: N, ctx: OperationContext): Promise<Created>;
  /**
   * Takes over the existing thing the inputs name instead of creating one (`adoptExisting`, see
   * the `adoption` feature). Returns undefined when there is none, and the lifecycle creates it.
   */
  adopt?(inputs: N, ctx: OperationContext): Promise<Created | undefined>;
  /** Takes over the existing thing with this platform id (`existingId`); one that is not there is an error. */
  adoptById?(id: number, inputs: I, ctx: OperationContext): Promise<Created>;
  /**
   * The platform objects of this kind whose name starts with `stem`, as the inputs place them
   * (vault type and visibility, gateway). Lets `create` find what an interrupted create of an
   * auto-named resource left behind. Required for kinds with `autoName`.
   */
  listByNamePrefix?(stem: string, inputs: I, ctx: OperationContext): Promise<{ id: string; name: string }[]>;
  /** The live state, or undefined when it no longer exists. */
  read(id: string, state: State, ctx: OperationContext): Promise<State | undefined>;
  /** Applies in-place changes. Absent: every input change replaces. */
  update?(id: string, olds: State, news: N, ctx: OperationContext): Promise<State>;
  /** Deletes; something already gone is not an error. */
  delete(id: string, state: State, ctx: OperationContext): Promise<void>;
  /** A reason to replace that comes from the clock rather than the inputs (certificate renewal). */
  replaceReason?(state: State, news: I, now: Date): { property: string } | undefined;
  /**
   * Drift found by looking at the world during `diff`, so a plain `preview` shows it without a
   * refresh (a `.pem` file deleted or edited). Returns the input to report as changed, and what
   * was found, for a warning on the resource (no secret in it).
   */
  driftCheck?(state: State, news: I): Promise<{ property: string; found: string } | undefined>;
}

/**
 * A kind as the lifecycle and the docs see it. `S`: the input schema; `N`: the inputs `create` and
 * `update` get ({@link Named}; {@link defineKind} works it out from `autoName`).
 */
export interface KindDeclaration<S extends z.ZodObject = z.ZodObject, N = Checked<S>> {
  module: Module;
  /** The class name users write, e.g. `BearerToken`. */
  typeName: string;
  /** One paragraph for the docs. */
  description: string;
  /** A program's lines that declare one, for the SDK class's TSDoc (`@example`). */
  example: string;
  inputs: S;
  /** Inputs whose change replaces the resource. */
  replaceOnChange: readonly string[];
  /** Inputs the SDK wraps in `pulumi.secret` so they are encrypted in state. */
  secretInputs: readonly string[];
  /** Computed outputs (inputs are outputs too). Secret ones go to `additionalSecretOutputs`. */
  outputs: Record<string, OutputDeclaration>;
  /** The input that gets an auto-generated name when omitted, and its style. */
  autoName?: { property: string; style: NameStyle };
  /** What the kind opts into beyond create/read/update/delete: adoption, rotation, vault visibility. */
  features?: readonly Feature[];
  /**
   * Replacement order. `"when-same-key"`: delete first only when the replacement would take the
   * same platform identity (the platform keeps one object per identity); otherwise create first.
   */
  deleteBeforeReplace: "never" | "when-same-key";
  /** The inputs that name the object uniquely on the platform. Default: the one a feature declares, else none. */
  identity?: readonly string[];
  /**
   * Inputs that the SDK class takes in place of a required one and turns into it before the
   * provider sees anything (PemFile's `certificate`, whose bundle becomes `pem`). The SDK's Args
   * and the README's table show them as alternatives: give exactly one of them or the input.
   * `sdkType` names the TypeScript type in `sdk/resources.ts`; the provider never sees these.
   */
  sdkAlternatives?: Record<string, { instead: string; sdkType: string; description: string }>;
  /** Where the platform keeps it, for the docs. */
  platformObject: string;
  /**
   * Secret inputs kept out of the outputs: state keeps only `<name>Sha256` of them (a `.pem`
   * file's content), and `diff` compares hashes.
   */
  storeHashOnly?: readonly string[];
  /**
   * Why `pulumi import` cannot adopt this kind, and what to do instead (the secret was shown only at
   * creation, or it is not a platform object). Absent: importable by id.
   */
  notImportable?: string;
  /** Rules that span several inputs, run in `check` after the schema passed. */
  validate?(inputs: Checked<S>): { property: string; reason: string }[];
  operations: Operations<Checked<S>, N>;
}

/** Helps TypeScript infer the schema and the auto-named input of a declaration. */
export function defineKind<S extends z.ZodObject, P extends keyof Checked<S> & string = never>(
  d: KindDeclaration<S, Named<Checked<S>, P>> & { autoName?: { property: P } },
): KindDeclaration<S, Named<Checked<S>, P>> {
  return d;
}

/** The kind as users write its class: `BearerToken`, `aigateway.AuthToken`. */
export function className(d: { module: Module; typeName: string }): string {
  return d.module === "ccluster" ? d.typeName : `${d.module}.${d.typeName}`;
}

/** The Pulumi type token of a kind: `pulumi-nodejs:dynamic/<module>:<Type>`. */
export function typeToken(d: { module: Module; typeName: string }): string {
  return `pulumi-nodejs:dynamic/${d.module}:${d.typeName}`;
}

/**
 * The type token of a kind in the provider plugin `pulumi-resource-ccluster` (and schema.json):
 * `ccluster:index:<Type>`, or `ccluster:<module>:<Type>` for the AI gateway's kinds.
 */
export function pluginTypeToken(d: { module: Module; typeName: string }): string {
  return `ccluster:${d.module === "ccluster" ? "index" : d.module}:${d.typeName}`;
}

/** The names of a kind's secret outputs (what `additionalSecretOutputs` must list). */
export function secretOutputNames(d: KindDeclaration): string[] {
  const fromOutputs = Object.entries(d.outputs)
    .filter(([, o]) => o.secret)
    .map(([n]) => n);
  return [...new Set([...d.secretInputs, ...fromOutputs])];
}

/**
 * Small helpers every rule uses: typed configuration with the defaults kept in the schema,
 * and resource validations scoped to some kinds of this package.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type {
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Props, typesOf, untypedProps, type Kind, type KindProps } from "./types";

/** One configuration property: a JSON schema that always carries its default. */
export type ConfigProperty<T> = PolicyConfigJSONSchema & { default: T; description: string };

/** A policy's config schema in which every property has a default, typed by the config it yields. */
export interface RuleConfigSchema<C extends object> extends PolicyConfigSchema {
  properties: { [K in keyof C]: ConfigProperty<C[K]> };
}

/** Builds a config schema; the type parameter keeps property names and defaults in step. */
export function configSchema<C extends object>(properties: { [K in keyof C]: ConfigProperty<C[K]> }): RuleConfigSchema<C> {
  return { properties };
}

/** The defaults written in a schema. */
export function defaultsOf<C extends object>(schema: RuleConfigSchema<C>): C {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(schema.properties) as [string, ConfigProperty<unknown>][]) out[k] = p.default;
  return out as C;
}

/**
 * The policy's configuration: what the engine sent (it fills in the schema's defaults) over the
 * schema's own defaults, so a rule behaves the same under a runner that sends nothing.
 */
export function configOf<C extends object>(args: { getConfig<T extends object>(): T }, schema: RuleConfigSchema<C>): C {
  return { ...defaultsOf(schema), ...args.getConfig<Partial<C>>() } as C;
}

/** What a kind-scoped validation receives. */
export interface KindResource<K extends Kind> {
  kind: K;
  props: Props<KindProps[K]>;
  args: ResourceValidationArgs;
}

type KindValidation<K extends Kind> = (resource: KindResource<K>, report: ReportViolation) => void | Promise<void>;

/**
 * A resource validation that runs only for the given kinds of this package and tells the engine
 * "not applicable" for everything else, like `validateResourceOfType` does for one SDK class.
 *
 * @example validateResource: forKinds(["Certificate"], ({ props }, report) => { ... })
 */
export function forKinds<K extends Kind>(kinds: readonly K[], validate: KindValidation<K>): ResourceValidation {
  // Both tokens of each kind (dynamic resource and provider plugin), so no `__pulumiType` shortcut.
  const types = new Map<string, K>(kinds.flatMap((k) => typesOf(k).map((t) => [t, k] as const)));
  return (args, report) => {
    const kind = types.get(args.type);
    if (kind === undefined) return args.notApplicable(`Policy only applies to ${kinds.join(", ")}`);
    return validate({ kind, props: new Props<KindProps[K]>(args.props), args }, report);
  };
}

/** How a message names a resource: its kind and its platform name when known. */
export function label(kind: string, name?: string): string {
  return name === undefined ? kind : `${kind} "${name}"`;
}

/** The property that names a resource of a kind on the platform (never a secret). */
export function namingProperty(kind: Kind): "key" | "name" | "path" {
  if (kind === "ServerlessApiKey" || kind === "AuthToken") return "name";
  if (kind === "PemFile") return "path";
  return "key";
}

/** A resource's label for messages, e.g. `BearerToken "ci-token"`, or just the kind when its name is not known. */
export function labelOf(kind: Kind, bag: object): string {
  const name = untypedProps(bag).string(namingProperty(kind));
  return label(kind, name.state === "known" ? name.value : undefined);
}

/** Whole days between two instants, rounded down (negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}

/** Parses an ISO 8601 timestamp; undefined for anything that is not one. */
export function parseTime(s: string): Date | undefined {
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** A mistake in the policy configuration. It is the user's to fix, so the engine shows it without a stack trace. */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
    // @pulumi/policy hands the engine `e.stack`; make that the message alone.
    this.stack = `${this.name}: ${message}`;
  }
}
type ConfigArgs = { getConfig<T extends object>(): T };

/** Throws when a policy's configuration names a property its schema does not declare. */
function checkConfigNames(policy: AnyPolicy, args: ConfigArgs): void {
  const known = Object.keys(policy.configSchema?.properties ?? {});
  const unknown = Object.keys(args.getConfig<Record<string, unknown>>()).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const names = unknown.map((k) => `"${k}"`).join(", ");
  const accepted = known.length > 0 ? `it accepts ${known.join(", ")} (and enforcementLevel)` : "it accepts only enforcementLevel";
  throw new PolicyConfigError(`policy config of "${policy.name}": unknown ${unknown.length > 1 ? "properties" : "property"} ${names}; ${accepted}.`);
}

/**
 * The policy, refusing configuration properties its schema does not declare. The engine checks
 * values against the schema but cannot refuse unknown names (the analyzer protocol carries only a
 * schema's `properties` and `required`), so a typo such as `maxRotationDayz` would otherwise
 * leave the default in force without a word.
 *
 * @example policies.map(rejectUnknownConfig)
 */
export function rejectUnknownConfig<P extends AnyPolicy>(policy: P): P {
  function guard<A extends ConfigArgs, R extends unknown[], T>(fn: (args: A, ...rest: R) => T): (args: A, ...rest: R) => T {
    const wrapped = (args: A, ...rest: R): T => {
      checkConfigNames(policy, args);
      return fn(args, ...rest);
    };
    // Keep the type filter that forKinds and validateResourceOfType attach.
    const type = (fn as { __pulumiType?: string }).__pulumiType;
    if (type !== undefined) Object.assign(wrapped, { __pulumiType: type });
    return wrapped;
  }
  if ("validateStack" in policy) return { ...policy, validateStack: guard(policy.validateStack) };
  const { validateResource, remediateResource } = policy as ResourceValidationPolicy;
  return {
    ...policy,
    ...(validateResource && { validateResource: Array.isArray(validateResource) ? validateResource.map(guard) : guard(validateResource) }),
    ...(remediateResource && { remediateResource: guard(remediateResource) }),
  };
}

/**
 * An in-process stand-in for the Pulumi engine's side of policy packs.
 *
 * The pack side is the real thing: requests are protobuf messages handed to @pulumi/policy's
 * own RPC handlers (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`, `makeRemediateRpcFun`), so
 * deserialisation, secrets, the unknown-value proxy, "not applicable" and enforcement levels
 * behave exactly as under `pulumi preview`. The engine side is reproduced here:
 *
 * - config: the pack's policies are read from its `AnalyzerInfo` (as the engine receives them);
 *   schema defaults are filled in, the pack's initial config and then the user's config are
 *   applied (top-level keys replace, `all` sets every level), and the result is validated against
 *   each policy's schema, failing with the engine's "validating policy config: ..." messages;
 * - properties: plain values are marshalled the way the engine marshals them, `UNKNOWN` as the
 *   engine's computed-value sentinel and `secret(...)` as a secret envelope;
 * - a remediation runs before validation (the engine's order), and a mandatory diagnostic blocks.
 *
 * The SDK keeps the configured values in module state only its gRPC `configure` handler can
 * set; instead each policy is passed with its configured enforcement level and a `getConfig`
 * returning its configured values, which is what that state would produce.
 */
import * as path from "node:path";
import type { EnforcementLevel, Policies, Policy, PolicyPackArgs, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { validateJsonSchema, type Schema } from "./json-schema";

// google-protobuf is loaded from where @pulumi/pulumi's generated messages load it, so that
// Struct instances are the class those messages expect.
const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [protoDir] })) as typeof import("google-protobuf/google/protobuf/struct_pb");

// Internal modules of @pulumi/policy (their .d.ts files declare nothing): the RPC handlers the
// gRPC server wires up, and the AnalyzerInfo builder behind `getAnalyzerInfo`.
type RpcFun = (call: { request: unknown }, callback: (err: unknown, resp: unknown) => void) => Promise<void>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkServer = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
  makeRemediateRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProtoutil = require("@pulumi/policy/protoutil") as {
  makeAnalyzerInfo(pack: string, version: string, level: EnforcementLevel, args: PolicyPackArgs, initialConfig?: PackConfig): analyzerpb.AnalyzerInfo;
};

/**
 * What the engine sends for a value that is not known yet (an output of a resource not created
 * yet, during preview): the wire protocol's computed-value sentinel.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A value the program marked secret (`pulumi.secret(...)`); the engine sends it in a secret envelope. */
export class SecretValue {
  constructor(readonly value: unknown) {}
}

/** Marks an input secret, as `pulumi.secret(value)` does in a program. */
export function secret(value: unknown): SecretValue {
  return new SecretValue(value);
}

/** Resource options the analyzer protocol carries. */
export interface ResourceOptions {
  additionalSecretOutputs?: string[];
  deleteBeforeReplace?: boolean;
  protect?: boolean;
  ignoreChanges?: string[];
  parent?: string;
}

/** A resource as a test declares it. */
export interface TestResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  opts?: ResourceOptions;
}

/** One diagnostic, as the engine would print it. */
export interface Diagnostic {
  policyName: string;
  enforcementLevel: EnforcementLevel;
  severity?: string;
  /** The SDK's text: the policy description, a newline, then the violation's own message. */
  message: string;
  urn?: string;
}

/** What one analysis produced. */
export interface AnalysisResult {
  diagnostics: Diagnostic[];
  notApplicable: { policyName: string; reason: string }[];
  /** True when a mandatory diagnostic would stop the preview or update. */
  blocked: boolean;
}

/** A policy-pack config file: per policy an enforcement level, or an object with `enforcementLevel` and properties. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** The engine rejected the config; `errors` holds one line per problem, as the CLI prints them. */
export class PolicyConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join("\n"));
    this.name = "PolicyConfigError";
  }
}

interface PolicyMeta {
  name: string;
  enforcementLevel: EnforcementLevel;
  schema?: { properties: Record<string, Schema & Record<string, unknown>>; required: string[] };
}

interface ReconciledConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const LEVEL_BY_PROTO: Record<number, EnforcementLevel> = {
  [analyzerpb.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerpb.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerpb.EnforcementLevel.DISABLED]: "disabled",
  [analyzerpb.EnforcementLevel.REMEDIATE]: "remediate",
};
const PROTO_BY_LEVEL = Object.fromEntries(Object.entries(LEVEL_BY_PROTO).map(([n, l]) => [l, Number(n)])) as Record<EnforcementLevel, analyzerpb.EnforcementLevel>;
const SEVERITY_BY_PROTO: Record<number, string | undefined> = {
  [analyzerpb.PolicySeverity.POLICY_SEVERITY_UNSPECIFIED]: undefined,
  [analyzerpb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [analyzerpb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [analyzerpb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [analyzerpb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/** Marshals a JavaScript value the way the engine puts resource properties on the wire. */
export function marshal(value: unknown): unknown {
  if (value instanceof SecretValue) return { [specialSigKey]: specialSecretSig, value: marshal(value.value) ?? null };
  if (Array.isArray(value)) return value.map((v) => marshal(v) ?? null);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = marshal(v); // an absent input is not sent at all
    }
    return out;
  }
  return value;
}

function toStruct(props: Record<string, unknown>) {
  return Struct.fromJavaScript(marshal(props) as Record<string, never>);
}

/** The URN the engine would give a resource of a test stack. */
export function urnOf(r: { type: string; name: string }): string {
  return `urn:pulumi:test::ccluster-policy-test::${r.type}::${r.name}`;
}

function optionsProto(opts: ResourceOptions = {}): analyzerpb.AnalyzerResourceOptions {
  const o = new analyzerpb.AnalyzerResourceOptions();
  o.setProtect(opts.protect ?? false);
  o.setIgnorechangesList(opts.ignoreChanges ?? []);
  o.setAdditionalsecretoutputsList(opts.additionalSecretOutputs ?? []);
  o.setAliasesList([]);
  if (opts.deleteBeforeReplace !== undefined) {
    o.setDeletebeforereplace(opts.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(true);
  }
  if (opts.parent !== undefined) o.setParent(opts.parent);
  return o;
}

/** The `Analyze` request the engine sends for one resource. */
export function analyzeRequest(resource: TestResource): analyzerpb.AnalyzeRequest {
  const req = new analyzerpb.AnalyzeRequest();
  req.setType(resource.type);
  req.setName(resource.name);
  req.setUrn(urnOf(resource));
  req.setProperties(toStruct(resource.props));
  req.setOptions(optionsProto(resource.opts));
  return req;
}

function call(fun: RpcFun, request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    void fun({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

function diagnosticsOf(resp: { getDiagnosticsList(): analyzerpb.AnalyzeDiagnostic[]; getNotApplicableList(): analyzerpb.PolicyNotApplicable[] }): AnalysisResult {
  const diagnostics = resp.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    enforcementLevel: LEVEL_BY_PROTO[d.getEnforcementlevel()],
    severity: SEVERITY_BY_PROTO[d.getSeverity()],
    message: d.getMessage(),
    urn: d.getUrn() || undefined,
  }));
  return {
    diagnostics,
    notApplicable: resp.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    blocked: diagnostics.some((d) => d.enforcementLevel === "mandatory"),
  };
}

/**
 * Runs a policy pack the way `pulumi preview --policy-pack` would, without the engine.
 *
 * @example
 * const runner = new PolicyPackRunner("my-pack", "0.1.0", packArgs);
 * runner.configure({ "credential-rotation": { maxRotationDays: 30 } });
 * const { diagnostics } = await runner.analyze({ type, name: "t", props: { rotationDays: 45 } });
 */
export class PolicyPackRunner {
  private readonly metas: PolicyMeta[];
  private readonly initialConfig: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>;
  private readonly packLevel: EnforcementLevel;
  private configured: Record<string, ReconciledConfig> = {};

  constructor(
    private readonly packName: string,
    private readonly version: string,
    private readonly packArgs: PolicyPackArgs,
    initialConfig?: PackConfig,
  ) {
    this.packLevel = packArgs.enforcementLevel ?? "advisory";
    const info = sdkProtoutil.makeAnalyzerInfo(packName, version, this.packLevel, packArgs, initialConfig);
    this.metas = info.getPoliciesList().map((p) => {
      const schema = p.getConfigschema();
      return {
        name: p.getName(),
        enforcementLevel: LEVEL_BY_PROTO[p.getEnforcementlevel()],
        schema: schema && {
          properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Schema & Record<string, unknown>>,
          required: schema.getRequiredList(),
        },
      };
    });
    this.initialConfig = {};
    info.getInitialconfigMap().forEach((c, k) => {
      this.initialConfig[k] = {
        enforcementLevel: LEVEL_BY_PROTO[c.getEnforcementlevel()],
        properties: c.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      };
    });
    this.configure();
  }

  /** Names of the policies as the engine sees them. */
  get policyNames(): string[] {
    return this.metas.map((m) => m.name);
  }

  /** The configuration each policy currently runs with (defaults filled in). */
  configOf(policyName: string): ReconciledConfig {
    const c = this.configured[policyName];
    if (!c) throw new Error(`policy pack ${this.packName} has no policy "${policyName}" (it has: ${this.policyNames.join(", ")})`);
    return c;
  }

  /**
   * Applies a policy-pack config file as `--policy-pack-config` would. Throws
   * {@link PolicyConfigError} with the engine's messages when the config is invalid.
   */
  configure(config: PackConfig = {}): void {
    const given: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }> = {};
    for (const [k, v] of Object.entries(config)) {
      if (typeof v === "string") {
        if (!LEVELS.includes(v)) throw new PolicyConfigError([`parsing enforcement level for "${k}": "${v}" is not a valid enforcement level`]);
        given[k] = { enforcementLevel: v };
      } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const { enforcementLevel, ...properties } = v;
        if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel))) {
          throw new PolicyConfigError([`parsing enforcement level for "${k}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`]);
        }
        given[k] = { enforcementLevel, properties: Object.keys(properties).length > 0 ? properties : undefined };
      } else {
        throw new PolicyConfigError([`parsing "${k}": ${JSON.stringify(v)} is not a valid value; must be a string or object`]);
      }
    }

    // Defaults from each policy's metadata, then the pack's initial config, then the file.
    let result: Record<string, ReconciledConfig> = {};
    for (const m of this.metas) {
      const properties: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(m.schema?.properties ?? {})) {
        if (typeof s === "object" && "default" in s) properties[k] = s.default;
      }
      result[m.name] = { enforcementLevel: m.enforcementLevel, properties };
    }
    result = applyConfig(result, this.initialConfig);
    result = applyConfig(result, given);

    const errors: string[] = [];
    for (const m of this.metas) {
      if (!m.schema) continue;
      const schema: Schema = { type: "object", properties: m.schema.properties, ...(m.schema.required.length ? { required: m.schema.required } : {}) };
      for (const e of validateJsonSchema(schema, result[m.name]?.properties ?? {})) {
        errors.push(`validating policy config: ${this.packName} ${this.version}  ${m.name}: ${e.replace(/^\(root\): /, "")}`);
      }
    }
    if (errors.length > 0) throw new PolicyConfigError(errors);
    this.configured = result;
  }

  /** The `Configure` request the engine would send a served pack for the current configuration. */
  configureRequest(): analyzerpb.ConfigureAnalyzerRequest {
    const req = new analyzerpb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(this.configured)) {
      const pc = new analyzerpb.PolicyConfig();
      pc.setEnforcementlevel(PROTO_BY_LEVEL[c.enforcementLevel]);
      pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
      map.set(name, pc);
    }
    return req;
  }

  /** The policies as the SDK handlers get them: configured level, and `getConfig` answering the configured values. */
  private configuredPolicies(): Policies {
    return this.packArgs.policies.map((p) => {
      const c = this.configured[p.name];
      // What the SDK's `configure` handler would have stored: the values after a protobuf round trip.
      const values = () => JSON.parse(JSON.stringify(c?.properties ?? {}));
      const withConfig = <A extends ResourceValidationArgs | StackValidationArgs>(a: A): A => ({ ...a, getConfig: values });
      const out: Record<string, unknown> = { ...p, enforcementLevel: c?.enforcementLevel ?? p.enforcementLevel };
      const wrap = (fn: (...a: never[]) => unknown) => {
        const w = (a: ResourceValidationArgs, ...rest: unknown[]) => (fn as (...x: unknown[]) => unknown)(withConfig(a), ...rest);
        const t = (fn as { __pulumiType?: string }).__pulumiType;
        if (t) (w as { __pulumiType?: string }).__pulumiType = t; // keep the SDK's fast type filter
        return w;
      };
      const v = (p as { validateResource?: unknown }).validateResource;
      if (typeof v === "function") out.validateResource = wrap(v as never);
      if (Array.isArray(v)) out.validateResource = v.map((f) => wrap(f));
      const r = (p as { remediateResource?: unknown }).remediateResource;
      if (typeof r === "function") out.remediateResource = wrap(r as never);
      const s = (p as { validateStack?: unknown }).validateStack;
      if (typeof s === "function") out.validateStack = wrap(s as never);
      return out as unknown as Policy;
    }) as Policies;
  }

  /** Resource validation (`Analyze`): the inputs of one resource, before it is created or updated. */
  async analyze(resource: TestResource): Promise<AnalysisResult> {
    const req = analyzeRequest(resource);
    const fun = sdkServer.makeAnalyzeRpcFun(this.packName, this.version, this.packLevel, this.configuredPolicies());
    return diagnosticsOf((await call(fun, req)) as analyzerpb.AnalyzeResponse);
  }

  /** Stack validation (`AnalyzeStack`): every resource with its outputs, after a preview or update. */
  async analyzeStack(resources: TestResource[]): Promise<AnalysisResult> {
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const ar = new analyzerpb.AnalyzerResource();
        ar.setType(r.type);
        ar.setName(r.name);
        ar.setUrn(urnOf(r));
        ar.setProperties(toStruct(r.props));
        ar.setOptions(optionsProto(r.opts));
        ar.setDependenciesList([]);
        return ar;
      }),
    );
    const fun = sdkServer.makeAnalyzeStackRpcFun(this.packName, this.version, this.packLevel, this.configuredPolicies());
    return diagnosticsOf((await call(fun, req)) as analyzerpb.AnalyzeResponse);
  }

  /**
   * Remediation (`Remediate`), then validation of the remediated inputs, as the engine runs a
   * resource. `props` are the inputs the resource would be created with (secrets unwrapped).
   */
  async preview(
    resource: TestResource,
  ): Promise<AnalysisResult & { props: Record<string, unknown>; wireProps: Record<string, unknown>; remediatedBy: string[] }> {
    const req = analyzeRequest(resource); // the Remediate RPC takes the same request as Analyze
    const fun = sdkServer.makeRemediateRpcFun(this.packName, this.version, this.packLevel, this.configuredPolicies());
    const resp = (await call(fun, req)) as analyzerpb.RemediateResponse;
    let wire = marshal(resource.props) as Record<string, unknown>;
    const remediatedBy: string[] = [];
    for (const r of resp.getRemediationsList()) {
      const props = r.getProperties();
      if (props) {
        wire = props.toJavaScript() as Record<string, unknown>;
        remediatedBy.push(r.getPolicyname());
      }
    }
    const analyzed = await this.analyze({ ...resource, props: unmarshalSecrets(wire) as Record<string, unknown> });
    return { ...analyzed, props: plainOf(wire) as Record<string, unknown>, wireProps: wire, remediatedBy };
  }
}

/** The engine's `applyConfig`: `all` sets every level, then per-policy levels and top-level properties replace. */
function applyConfig(
  result: Record<string, ReconciledConfig>,
  apply: Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>,
): Record<string, ReconciledConfig> {
  const out: Record<string, ReconciledConfig> = {};
  for (const [k, v] of Object.entries(result)) out[k] = { enforcementLevel: v.enforcementLevel, properties: { ...v.properties } };
  const all = apply.all?.enforcementLevel;
  if (all) for (const v of Object.values(out)) v.enforcementLevel = all;
  for (const [name, c] of Object.entries(apply)) {
    const current = out[name] ?? { enforcementLevel: undefined as unknown as EnforcementLevel, properties: {} };
    out[name] = {
      enforcementLevel: c.enforcementLevel ?? current.enforcementLevel,
      properties: { ...current.properties, ...(c.properties ?? {}) },
    };
  }
  return out;
}

/** Wire secrets back to `secret(...)` markers, so a remediated bag can be sent again. */
function unmarshalSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unmarshalSecrets);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[specialSigKey] === specialSecretSig) return secret(unmarshalSecrets(o.value));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unmarshalSecrets(x)]));
  }
  return v;
}

/** Wire values with secret envelopes opened, for assertions. */
function plainOf(v: unknown): unknown {
  const u = unmarshalSecrets(v);
  const open = (x: unknown): unknown =>
    x instanceof SecretValue
      ? open(x.value)
      : Array.isArray(x)
        ? x.map(open)
        : x !== null && typeof x === "object"
          ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, open(y)]))
          : x;
  return open(u);
}

/** Whether a wire bag still holds `key` as a secret envelope (a remediation must not unwrap secrets). */
export function isSecretOnWire(wireProps: Record<string, unknown>, key: string): boolean {
  const v = wireProps[key] as Record<string, unknown> | undefined;
  return v !== undefined && v !== null && typeof v === "object" && v[specialSigKey] === specialSecretSig;
}

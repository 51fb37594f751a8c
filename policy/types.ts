/**
 * The policy pack's view of the resource contract: type tokens, the inputs each kind takes,
 * which outputs must stay secret, and a reader for property bags that copes with values the
 * engine does not know yet (preview). The pack matches resources by their type string, as the
 * engine sends it: a kind has two, the dynamic resource's (TypeScript) and the provider plugin's
 * (YAML, Python, Go, `pulumi import`), with the same properties. It keeps its own copy of the
 * contract (a provider regression must not silence a rule); from the provider it borrows only
 * format readers (the SSH wire format).
 */
import { Secret } from "@pulumi/policy";

/** Pulumi module of the ML-platform kinds. */
export const CCLUSTER_MODULE = "ccluster";
/** Pulumi module of the AI-gateway kinds. */
export const AIGATEWAY_MODULE = "aigateway";

/**
 * The type token of a dynamic resource created with module/type arguments, exactly as
 * `pulumi.dynamic.Resource` builds it.
 *
 * @example dynamicType("ccluster", "BearerToken") // "pulumi-nodejs:dynamic/ccluster:BearerToken"
 */
export function dynamicType<M extends string, T extends string>(module: M, type: T): `pulumi-nodejs:dynamic/${M}:${T}` {
  return `pulumi-nodejs:dynamic/${module}:${type}`;
}

/**
 * The type token of a kind served by the provider plugin `pulumi-resource-ccluster`.
 *
 * @example pluginType("ccluster", "BearerToken") // "ccluster:index:BearerToken"
 * @example pluginType("aigateway", "AuthToken") // "ccluster:aigateway:AuthToken"
 */
export function pluginType(module: string, type: string): string {
  return `ccluster:${module === CCLUSTER_MODULE ? "index" : module}:${type}`;
}

/** Type token of every resource kind of this package as a dynamic resource, by class name. */
export const RESOURCE_TYPES = {
  BearerToken: dynamicType(CCLUSTER_MODULE, "BearerToken"),
  ServerlessApiKey: dynamicType(CCLUSTER_MODULE, "ServerlessApiKey"),
  Certificate: dynamicType(CCLUSTER_MODULE, "Certificate"),
  RegistryCredential: dynamicType(CCLUSTER_MODULE, "RegistryCredential"),
  EnvironmentVariable: dynamicType(CCLUSTER_MODULE, "EnvironmentVariable"),
  HuggingFaceToken: dynamicType(CCLUSTER_MODULE, "HuggingFaceToken"),
  SshKey: dynamicType(CCLUSTER_MODULE, "SshKey"),
  PemFile: dynamicType(CCLUSTER_MODULE, "PemFile"),
  AuthToken: dynamicType(AIGATEWAY_MODULE, "AuthToken"),
} as const;

/** A resource kind of this package, named by its class. */
export type Kind = keyof typeof RESOURCE_TYPES;

/** Every kind, in a stable order (for config schema enums and docs). */
export const ALL_KINDS = Object.keys(RESOURCE_TYPES) as Kind[];

/** Type tokens of @pulumi/tls resources some rules also look at, since users combine the two. */
export const TLS_TYPES = {
  PrivateKey: "tls:index/privateKey:PrivateKey",
  SelfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
  LocallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

/** Type token of every resource kind of this package in the provider plugin, by class name. */
export const PLUGIN_TYPES: Readonly<Record<Kind, string>> = Object.fromEntries(
  ALL_KINDS.map((k) => {
    const [, module, type] = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(RESOURCE_TYPES[k])!;
    return [k, pluginType(module, type)];
  }),
) as Record<Kind, string>;

/** Both type tokens of a kind: the dynamic resource's and the provider plugin's. */
export function typesOf(kind: Kind): [string, string] {
  return [RESOURCE_TYPES[kind], PLUGIN_TYPES[kind]];
}

/** True for the provider plugin's type tokens, whose resources the plugin itself keeps secret (no SDK option involved). */
export function isPluginType(type: string): boolean {
  return type.startsWith(`${CCLUSTER_MODULE}:`);
}

const kindByType = new Map<string, Kind>(ALL_KINDS.flatMap((k) => typesOf(k).map((t) => [t, k] as const)));

/** The kind a type token names, or undefined for anything that is not one of this package's kinds. */
export function kindOfType(type: string): Kind | undefined {
  return kindByType.get(type);
}

/**
 * True when a type token is one of this package's kinds. Use it where `validateResourceOfType`
 * would be used with an SDK class: the pack does not import the SDK.
 *
 * @example if (isKind(args.type, "Certificate")) { ... }
 */
export function isKind<K extends Kind>(type: string, kind: K): boolean {
  return kindByType.get(type) === kind;
}

/** True for any resource in this package's modules or plugin, including kinds this pack does not know yet. */
export function isPackageModuleType(type: string): boolean {
  return type.startsWith(`pulumi-nodejs:dynamic/${CCLUSTER_MODULE}:`) || type.startsWith(`pulumi-nodejs:dynamic/${AIGATEWAY_MODULE}:`) || isPluginType(type);
}

/** Vault scope of an item. */
export type Visibility = "USER" | "ORG";

/** Inputs every vault kind shares. */
export interface VaultItemInputs {
  /** Item name in the vault; auto-named by the provider when omitted. */
  key?: string;
  visibility?: Visibility;
  rotationDays?: number;
  keepers?: Record<string, string>;
  adoptExisting?: boolean;
  existingId?: number;
}

/** Outputs every vault kind shares (stack validation sees inputs and outputs). */
export interface VaultItemOutputs {
  itemId?: number;
  createdAt?: string;
  expiresAt?: string;
}

/** Inputs of each kind, as the policy sees them (inputs at preview; inputs and outputs in stack checks). */
export interface KindProps {
  BearerToken: VaultItemInputs & VaultItemOutputs & { value?: string; length?: number };
  HuggingFaceToken: VaultItemInputs & VaultItemOutputs & { value?: string };
  EnvironmentVariable: VaultItemInputs & VaultItemOutputs & { value?: string };
  SshKey: VaultItemInputs & VaultItemOutputs & { publicKey?: string; keyType?: string; bits?: number };
  RegistryCredential: VaultItemInputs & VaultItemOutputs & { username?: string; password?: string; server?: string; imageUrl?: string };
  Certificate: VaultItemInputs &
    VaultItemOutputs & {
      algorithm?: CertificateAlgorithm;
      validityDays?: number;
      earlyRenewalDays?: number;
      domain?: string;
      caCertificatePem?: string;
      notAfter?: string;
      notBefore?: string;
    };
  ServerlessApiKey: { name?: string; rotationDays?: number; keepers?: Record<string, string>; createdAt?: string; expiresAt?: string };
  PemFile: { path?: string; pem?: string; contents?: "combined" | "ca" | "certificate" | "privateKey"; filePermission?: string; overwrite?: boolean };
  AuthToken: { gateway?: string; name?: string; rotationDays?: number; keepers?: Record<string, string>; status?: string; createdAt?: string; expiresAt?: string };
}

/** Key algorithms a `Certificate` accepts. */
export type CertificateAlgorithm = "ECDSA_P256" | "ECDSA_P384" | "RSA_2048" | "RSA_3072" | "RSA_4096";

/** Defaults the resources apply when an input is omitted (the contract the pack is built against). */
export const INPUT_DEFAULTS = {
  visibility: "USER" as Visibility,
  certificate: { algorithm: "ECDSA_P384" as CertificateAlgorithm, validityDays: 365, earlyRenewalDays: 30 },
  pemFile: { filePermission: "0600" },
  tls: { rsaBits: 2048, ecdsaCurve: "P224", earlyRenewalHours: 0 },
} as const;

/** Kinds that are vault items (they have `key` and `visibility`), with the vault type they write. */
export const VAULT_TYPES = {
  BearerToken: "bearer_tokens",
  HuggingFaceToken: "access_tokens",
  EnvironmentVariable: "env_vars",
  SshKey: "ssh_keys",
  RegistryCredential: "registry_credentials",
  Certificate: "certificates",
} as const satisfies Partial<Record<Kind, string>>;

/** A kind that is a vault item. */
export type VaultKind = keyof typeof VAULT_TYPES;

/** The vault kinds, in a stable order. */
export const VAULT_KINDS = Object.keys(VAULT_TYPES) as VaultKind[];

/** Token-like kinds: they must expire or rotate (credential-rotation) and are checked for age (credential-age). */
export const TOKEN_KINDS = ["BearerToken", "ServerlessApiKey", "HuggingFaceToken", "AuthToken"] as const satisfies readonly Kind[];

/**
 * Outputs each kind must list in `additionalSecretOutputs` so the engine encrypts them in
 * state even if the provider forgets to mark them. The one table secret-outputs checks against.
 */
export const SECRET_OUTPUTS: Readonly<Record<Kind, readonly string[]>> = {
  BearerToken: ["value"],
  HuggingFaceToken: ["value"],
  EnvironmentVariable: ["value"],
  RegistryCredential: ["password", "imagePullSecretCredentials"],
  Certificate: ["clientPrivateKeyPem", "combinedPem"],
  ServerlessApiKey: ["key"],
  AuthToken: ["token"],
  PemFile: ["pem"],
  SshKey: [],
};

// ------------------------------------------------------------------------------------------
// Reading property bags.
// ------------------------------------------------------------------------------------------

/**
 * Sentinels the engine puts where a value is not known yet (preview). The string one is what
 * computed inputs arrive as; the others exist on the wire protocol too. Mirrors
 * `@pulumi/policy`'s private copies (a test checks they still agree).
 */
export const UNKNOWN_SENTINELS = {
  boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  asset: "030794c1-ac77-496b-92df-f27374a8bd58",
  archive: "e48ece36-62e2-4504-bad9-02848725956a",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

const unknownSentinels = new Set<unknown>(Object.values(UNKNOWN_SENTINELS));

/** True when a raw value is one of the engine's "not known yet" sentinels. */
export function isUnknownValue(v: unknown): boolean {
  return unknownSentinels.has(v);
}

/** What a property read found: a usable value, a value the engine does not know yet, or nothing (or a value of another type). */
export type Read<T> = { state: "known"; value: T } | { state: "unknown" } | { state: "absent" };

/**
 * Reads a property the way a policy does (`args.props.key`), without the secret wrapper
 * remediations see. During a preview, @pulumi/policy makes reading a value the engine does not
 * know yet throw (it then reports that the policy could not run); here that read stands for an
 * unknown value instead, so that a rule can tell "not known yet" from "not given". A bag without
 * such a guard holds the engine's sentinels as they are, which {@link isUnknownValue} knows.
 */
function rawProperty(bag: object, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(bag, key)) return undefined;
  try {
    return unwrapSecret((bag as Record<string, unknown>)[key]);
  } catch {
    return UNKNOWN_SENTINELS.object;
  }
}

function unwrapSecret(v: unknown): unknown {
  let x = v;
  while (x instanceof Secret) x = x.value;
  return x;
}

/** Deep copy of a raw value with secret wrappers removed (unknown sentinels stay). */
function plain(v: unknown): unknown {
  const x = unwrapSecret(v);
  if (Array.isArray(x)) return Array.from({ length: x.length }, (_, i) => plain(rawProperty(x, String(i))));
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = plain(rawProperty(x, k));
    return out;
  }
  return x;
}

type Expect = "string" | "number" | "boolean" | "record" | "array";

function readAs<T>(bag: object, key: string, expect: Expect): Read<T> {
  const v = rawProperty(bag, key);
  if (v === undefined || v === null) return { state: "absent" };
  if (isUnknownValue(v)) return { state: "unknown" };
  const ok =
    expect === "record"
      ? typeof v === "object" && !Array.isArray(v)
      : expect === "array"
        ? Array.isArray(v)
        : typeof v === expect;
  // A value of the wrong type is the provider's `check` to reject; rules treat it as not given.
  if (!ok) return { state: "absent" };
  return { state: "known", value: plain(v) as T };
}

type KeysOfType<P, V> = { [K in keyof P]-?: NonNullable<P[K]> extends V ? K : never }[keyof P] & string;

/**
 * Typed, unknown-aware access to a resource's properties.
 *
 * @example
 * const props = new Props<KindProps["BearerToken"]>(args.props);
 * const days = props.number("rotationDays"); // { state: "known", value: 30 } | { state: "unknown" } | { state: "absent" }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `any` lets every key through for untyped bags.
export class Props<P = Record<string, any>> {
  constructor(private readonly bag: object) {}

  string(key: KeysOfType<P, string>): Read<string> {
    return readAs<string>(this.bag, key, "string");
  }

  number(key: KeysOfType<P, number>): Read<number> {
    return readAs<number>(this.bag, key, "number");
  }

  boolean(key: KeysOfType<P, boolean>): Read<boolean> {
    return readAs<boolean>(this.bag, key, "boolean");
  }

  /** A map; its values may still contain unknown sentinels (see {@link isUnknownValue}). */
  record(key: KeysOfType<P, Record<string, unknown>>): Read<Record<string, unknown>> {
    return readAs<Record<string, unknown>>(this.bag, key, "record");
  }
}

/** Reads any property bag by name, for resources outside this package (e.g. @pulumi/tls). */
export function untypedProps(bag: object): Props {
  return new Props(bag);
}

/** The value of a read, or a fallback when it is absent; undefined when it is unknown. */
export function valueOr<T>(r: Read<T>, fallback: T): T | undefined {
  if (r.state === "unknown") return undefined;
  return r.state === "known" ? r.value : fallback;
}

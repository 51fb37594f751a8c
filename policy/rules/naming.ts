/** vault-key-naming: vault keys follow a naming pattern, so items stay findable and owned. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, forKinds } from "../rule-kit";
import { VAULT_KINDS, type VaultKind } from "../types";

/** Configuration of {@link vaultKeyNaming}. */
export interface VaultKeyNamingConfig {
  keyPattern: string;
  envVarKeyPattern: string;
  patternsByKind: Partial<Record<VaultKind, string>>;
}

/** Lower-case words joined by single hyphens. */
export const LOWER_KEBAB = "^[a-z0-9]+(-[a-z0-9]+)*$";
/** Upper-case POSIX environment variable names. */
export const POSIX_ENV_NAME = "^[A-Z_][A-Z0-9_]*$";
/** A certificate's name becomes a DNS label (client.<name>.user.centml.ai), which holds at most 63 characters. */
const DNS_LABEL_MAX = 63;

const schema = configSchema<VaultKeyNamingConfig>({
  keyPattern: {
    type: "string",
    format: "regex",
    minLength: 1,
    default: LOWER_KEBAB,
    description: "Pattern (JavaScript regular expression) for vault keys of every kind except EnvironmentVariable.",
  },
  envVarKeyPattern: {
    type: "string",
    format: "regex",
    minLength: 1,
    default: POSIX_ENV_NAME,
    description: "Pattern for EnvironmentVariable names.",
  },
  patternsByKind: {
    type: "object",
    properties: Object.fromEntries(VAULT_KINDS.map((k) => [k, { type: "string", format: "regex", minLength: 1 }])),
    additionalProperties: false,
    default: {},
    description: "Per-kind patterns that replace the two above, e.g. {\"Certificate\": \"^[a-z]+-mtls$\"}.",
  },
});

/**
 * `vault-key-naming`: explicit vault keys match `keyPattern` (lower-kebab by default) or, for
 * environment variables, `envVarKeyPattern` (upper-case POSIX by default). Auto-generated keys
 * already follow these styles and are not checked.
 */
export const vaultKeyNaming: ResourceValidationPolicy = {
  name: "vault-key-naming",
  description: "Vault keys must follow the naming convention so items stay findable and owned.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Rename the key to match the pattern (for example `team-model-purpose` in lower-kebab, `MY_SETTING` for environment variables), " +
    "or omit `key` and let the provider derive one from the resource name. Renaming replaces the item.",
  configSchema: schema,
  validateResource: forKinds(VAULT_KINDS, ({ kind, props, args }, report) => {
    const key = props.string("key");
    if (key.state !== "known") return;
    const cfg = configOf(args, schema);
    const pattern = cfg.patternsByKind[kind] ?? (kind === "EnvironmentVariable" ? cfg.envVarKeyPattern : cfg.keyPattern);
    if (!new RegExp(pattern).test(key.value)) {
      report(`${kind} key "${key.value}" does not match the naming pattern ${pattern}.`);
    }
    if (kind === "Certificate" && key.value.length > DNS_LABEL_MAX) {
      report(`Certificate key "${key.value}" is ${key.value.length} characters; it becomes a DNS label, which holds at most ${DNS_LABEL_MAX}.`);
    }
  }),
};

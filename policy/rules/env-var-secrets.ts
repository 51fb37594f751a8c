/** no-secret-environment-variables: no secrets in plain environment variables. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, forKinds } from "../rule-kit";
import { DEFAULT_SECRET_NAME_WORDS, detectTokenFormat, secretWordIn } from "../token-formats";

/** Configuration of {@link noSecretEnvironmentVariables}. */
export interface NoSecretEnvVarsConfig {
  secretNameWords: string[];
  allowNames: string[];
  checkValues: boolean;
  extraValuePatterns: string[];
}

const schema = configSchema<NoSecretEnvVarsConfig>({
  secretNameWords: {
    type: "array",
    items: { type: "string", minLength: 2 },
    uniqueItems: true,
    default: [...DEFAULT_SECRET_NAME_WORDS],
    description: "Name words (split on _ - . and case changes) that mark a variable as a secret; words of 5+ letters also match glued (HFTOKEN).",
  },
  allowNames: {
    type: "array",
    items: { type: "string", minLength: 1 },
    uniqueItems: true,
    default: [],
    description: "Variable names accepted even though their name looks secret (their values are still checked).",
  },
  checkValues: {
    type: "boolean",
    default: true,
    description: "Look for known credential formats in values (Hugging Face, OpenAI, Anthropic, NVIDIA, AWS, GitHub, JWT, PEM private keys, ...).",
  },
  extraValuePatterns: {
    type: "array",
    items: { type: "string", format: "regex" },
    default: [],
    description: "More regular expressions (JavaScript syntax) whose match in a value marks it as a credential.",
  },
});

/**
 * `no-secret-environment-variables`: an `EnvironmentVariable` whose name looks secret or whose
 * value matches a known credential format must be a dedicated credential kind instead. Messages
 * name the variable and the format, never the value (a `pulumi.secret` input reaches a policy
 * as plain text).
 */
export const noSecretEnvironmentVariables: ResourceValidationPolicy = {
  name: "no-secret-environment-variables",
  description: "Credentials must not be stored as plain environment variables.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Move the credential to its dedicated kind: Hugging Face tokens → ccluster.HuggingFaceToken, registry passwords → ccluster.RegistryCredential, " +
    "endpoint tokens → ccluster.BearerToken, mTLS keys → ccluster.Certificate with ccluster.PemFile. Then delete the EnvironmentVariable and rotate the " +
    "credential, since it was readable as an environment variable. If the name only looks secret, add it to `allowNames`.",
  configSchema: schema,
  validateResource: forKinds(["EnvironmentVariable"], ({ props, args }, report) => {
    const cfg = configOf(args, schema);
    const name = props.string("key");
    const who = name.state === "known" ? `EnvironmentVariable "${name.value}"` : "EnvironmentVariable";
    if (name.state === "known" && !cfg.allowNames.includes(name.value)) {
      const word = secretWordIn(name.value, cfg.secretNameWords);
      if (word) report(`${who}: the name contains "${word}", so it looks like a credential; store it as a dedicated credential kind, not a plain environment variable.`);
    }
    if (!cfg.checkValues) return;
    const value = props.string("value");
    if (value.state !== "known") return;
    const format = detectTokenFormat(value.value, cfg.extraValuePatterns);
    if (format) report(`${who}: the value looks like ${format.label}; store it as ${format.useInstead}.`);
  }),
};

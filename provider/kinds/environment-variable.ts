import { z } from "zod";
import { vaultItemInputs, vaultItemOutputs, vaultKeyRule, vaultValueRule } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { vaultItemFeatures, vaultItemOperations } from "../framework/vault-item";

/** POSIX names: letters, digits and underscores, not starting with a digit. */
export const posixNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

const inputs = z.strictObject({
  ...vaultItemInputs,
  key: vaultKeyRule
    .regex(posixNamePattern, "must be a POSIX environment variable name (letters, digits, _; not starting with a digit)")
    .optional()
    .describe("The variable's name (POSIX). Auto-named (upper case) from the resource name when omitted."),
  value: vaultValueRule.describe("The variable's value (1–4096 characters). Kept secret in state."),
});

/** An environment variable for deployments (deployment field `env_vars`), vault type `env_vars`. */
export const environmentVariable = defineKind({
  module: "ccluster",
  typeName: "EnvironmentVariable",
  description: "An environment variable that deployments receive (deployment field `env_vars`). For credentials use a dedicated kind instead; the policy pack checks this.",
  example: 'new ccluster.EnvironmentVariable("log-level", { key: "LOG_LEVEL", value: "info" });',
  platformObject: "vault item, type `env_vars`",
  inputs,
  replaceOnChange: ["key", "visibility"],
  secretInputs: ["value"],
  outputs: {
    ...vaultItemOutputs,
    value: { type: "string", secret: true, description: "The value." },
  },
  autoName: { property: "key", style: "posix" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  operations: vaultItemOperations<z.output<typeof inputs>>({
    type: "env_vars",
    buildValue: (i) => i.value,
    outputsFromValue: (value) => ({ value }),
  }),
});

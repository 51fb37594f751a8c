import { z } from "zod";
import { vaultItemInputs, vaultItemOutputs, vaultValueRule } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { vaultItemFeatures, vaultItemOperations } from "../framework/vault-item";

const inputs = z.strictObject({
  ...vaultItemInputs,
  value: vaultValueRule
    .superRefine((token, ctx) => {
      // Whitespace first: a token read from a file ends in a newline, and "not a token" would mislead.
      if (/\s/.test(token)) ctx.addIssue({ code: "custom", message: "must not contain whitespace (a token read from a file often ends in a newline; trim it)" });
      else if (!/^hf_[A-Za-z0-9]{30,}$/.test(token)) ctx.addIssue({ code: "custom", message: 'must be a Hugging Face token: "hf_" followed by at least 30 letters or digits' });
    })
    .describe("The Hugging Face access token (`hf_...`)."),
});

/** A Hugging Face token for gated models (deployment field `hf_token`), vault type `access_tokens`. */
export const huggingFaceToken = defineKind({
  module: "ccluster",
  typeName: "HuggingFaceToken",
  description: "A Hugging Face access token that deployments use to pull gated models (deployment field `hf_token`).",
  example: 'const hf = new ccluster.HuggingFaceToken("hf", { value: config.requireSecret("hfToken"), rotationDays: 90 });',
  platformObject: "vault item, type `access_tokens`",
  inputs,
  replaceOnChange: ["key", "visibility"],
  secretInputs: ["value"],
  outputs: {
    ...vaultItemOutputs,
    value: { type: "string", secret: true, description: "The token, for the deployment field `hf_token`." },
  },
  autoName: { property: "key", style: "kebab" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  operations: vaultItemOperations<z.output<typeof inputs>>({
    type: "access_tokens",
    buildValue: (i) => i.value,
    outputsFromValue: (value) => ({ value }),
  }),
});

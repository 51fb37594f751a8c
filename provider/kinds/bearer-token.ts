import { randomBytes } from "node:crypto";
import { z } from "zod";
import { vaultItemInputs, vaultItemOutputs, vaultValueRule } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { vaultItemFeatures, vaultItemOperations } from "../framework/vault-item";

const inputs = z.strictObject({
  ...vaultItemInputs,
  value: vaultValueRule
    .regex(/^\S+$/, "must not contain whitespace (it is sent in an Authorization header; a token read from a file often ends in a newline, so trim it)")
    .optional()
    .describe("An existing bearer token to store. When omitted a strong token is generated (CSPRNG, base64url)."),
  length: z.int().min(32, "must be at least 32 bytes (256 bits)").max(512, "must be at most 512 bytes").default(32).describe("Bytes of randomness in a generated token."),
});

/** A bearer token for dedicated endpoints (`endpoint_bearer_token`), kept in the vault as `bearer_tokens`. */
export const bearerToken = defineKind({
  module: "ccluster",
  typeName: "BearerToken",
  description:
    "A bearer token that dedicated endpoints accept in `Authorization: Bearer` (deployment field `endpoint_bearer_token`). Generated from 256+ bits of a CSPRNG unless you bring one.",
  example: [
    'const token = new ccluster.BearerToken("inference", { rotationDays: 30 });',
    'export const endpointBearerToken = token.value; // secret',
  ].join("\n"),
  platformObject: "vault item, type `bearer_tokens`",
  inputs,
  replaceOnChange: ["key", "visibility", "length"],
  secretInputs: ["value"],
  outputs: {
    ...vaultItemOutputs,
    value: { type: "string", secret: true, description: "The token (generated or yours): use it as `endpoint_bearer_token`." },
  },
  autoName: { property: "key", style: "kebab" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  operations: vaultItemOperations<z.output<typeof inputs>>({
    type: "bearer_tokens",
    buildValue: (i, existing) => i.value ?? existing ?? randomBytes(i.length).toString("base64url"),
    outputsFromValue: (value) => ({ value }),
  }),
});

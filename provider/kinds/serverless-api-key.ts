import { z } from "zod";
import { autoNameInput, rotationInputs, rotationOutputs } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { adoption } from "../framework/features/adoption";
import { rotation } from "../framework/features/rotation";

const inputs = z.strictObject({
  name: z
    .string()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .optional()
    .describe("The key's name on the platform. Auto-named from the resource name when omitted."),
  ...autoNameInput,
  ...rotationInputs,
});

/**
 * A serverless API key. Its secret is shown only when it is created, so it cannot be adopted,
 * and a create whose answer was lost deletes the key it may have made before trying again.
 */
export const serverlessApiKey = defineKind({
  module: "ccluster",
  typeName: "ServerlessApiKey",
  description:
    "An API key for the platform's serverless endpoints (bearer tokens do not work there, and these keys do not work on dedicated endpoints). The secret exists only at creation and is output as a secret; if the platform does not return it, `key` is absent and `keyReturned` is false.",
  example: 'const key = new ccluster.ServerlessApiKey("batch", { rotationDays: 30 });',
  platformObject: "`/credentials/api-key`",
  inputs,
  replaceOnChange: ["name"],
  secretInputs: [],
  outputs: {
    apiKeyId: { type: "string", description: "The key's id on the platform." },
    key: { type: "string", sdkType: "string | undefined", secret: true, description: "The API key itself (only known to the stack that created it)." },
    keyReturned: { type: "boolean", description: "Whether the platform returned the secret at creation." },
    ...rotationOutputs,
  },
  autoName: { property: "name", style: "kebab" },
  deleteBeforeReplace: "never",
  // Listed so that a create asked to adopt is refused: this kind has no `adopt`.
  features: [adoption, rotation],
  notImportable:
    "its secret is shown only when the key is created, so an imported key would have no `key`. Declare a new ServerlessApiKey instead (`pulumi up` makes it), move your clients to it, then delete the old key on the platform.",
  operations: {
    async create(i, ctx) {
      const created = await ctx.clients.serverless().createRecovering(i.name);
      return { id: created.id, outs: { apiKeyId: created.id, name: created.name, key: created.key, keyReturned: created.key !== undefined } };
    },
    async listByNamePrefix(stem, _inputs, ctx) {
      return (await ctx.clients.serverless().list()).filter((k) => k.name.startsWith(stem)).map((k) => ({ id: k.id, name: k.name }));
    },
    async read(id, state, ctx) {
      const live = await ctx.clients.serverless().find(id);
      // The secret is never listed: keep the one from creation.
      return live ? { apiKeyId: live.id, name: live.name, key: state.key, keyReturned: state.keyReturned } : undefined;
    },
    // Only rotation settings can change in place; they touch nothing on the platform.
    async update(_id, olds) {
      return { apiKeyId: olds.apiKeyId, key: olds.key, keyReturned: olds.keyReturned };
    },
    async delete(id, _state, ctx) {
      await ctx.clients.serverless().delete(id);
    },
  },
});

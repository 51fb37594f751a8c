import { z } from "zod";
import { gatewayNamePattern } from "../../client/aigateway";
import { autoNameInput, rotationInputs, rotationOutputs } from "../../framework/common-inputs";
import { defineKind } from "../../framework/declaration";

/** Token names: the gateway's examples are like `token-user01`; assumed 3–64 of a–z A–Z 0–9 _ -. */
export const gatewayTokenNamePattern = /^[A-Za-z0-9_-]{3,64}$/;

const inputs = z.strictObject({
  gateway: z
    .string()
    .regex(gatewayNamePattern, "must be 5–50 characters of a–z, A–Z, 0–9, _ and -")
    .describe("The gateway the token is for (a token is valid for exactly one gateway)."),
  name: z
    .string()
    .regex(gatewayTokenNamePattern, "must be 3–64 characters of a–z, A–Z, 0–9, _ and -")
    .optional()
    .describe("The token's name, unique per gateway. Auto-named from the resource name when omitted."),
  requestsPerMinute: z.int().min(1).max(1_000_000).optional().describe("Per-token rate limit, set after creation."),
  ...autoNameInput,
  ...rotationInputs,
});

/** An authentication token for one AI gateway. Shown once, at creation. */
export const authToken = defineKind({
  module: "aigateway",
  typeName: "AuthToken",
  description:
    "An authentication token for one AI gateway (`Authorization: Bearer` or, on an authenticated gateway, `cf-aig-authorization: Bearer`). The secret is shown only at creation and is output as a secret; a lost create answer never leaves an orphaned token.",
  platformObject: "AI gateway token (management paths assumed)",
  inputs,
  replaceOnChange: ["gateway", "name"],
  secretInputs: [],
  outputs: {
    tokenId: { type: "string", description: "The token's id on the gateway." },
    status: { type: "string", description: "`ACTIVE` tokens authenticate; anything else does not." },
    token: { type: "string", secret: true, description: "The token itself." },
    ...rotationOutputs,
  },
  autoName: { property: "name", style: "kebab" },
  // Token names are unique per gateway: a rotation that keeps the name must delete first.
  // (An auto-named token gets a fresh name on replacement, so it is created first.)
  deleteBeforeReplace: "when-same-key",
  identity: ["gateway", "name"],
  operations: {
    async create(i, ctx) {
      const api = ctx.clients.aigateway();
      const created = await api.createTokenRecovering(i.gateway, i.name!);
      let status = created.status;
      try {
        if (i.requestsPerMinute !== undefined) status = (await api.updateToken(i.gateway, created.id, { rate_limit: { requests_per_minute: i.requestsPerMinute } })).status;
      } catch (e) {
        // The create fails, so Pulumi will not record the token; remove it rather than leave an unlimited orphan.
        await api.deleteToken(i.gateway, created.id).catch(() => undefined);
        throw e;
      }
      return { id: created.id, outs: { tokenId: created.id, status, token: created.token } };
    },
    async read(id, state, ctx) {
      const live = await ctx.clients.aigateway().getToken(String(state.gateway), id);
      if (!live) return undefined;
      return { tokenId: live.id, name: live.name, gateway: live.gateway, status: live.status, token: state.token, requestsPerMinute: live.rate_limit?.requests_per_minute ?? undefined };
    },
    async update(id, olds, news, ctx) {
      let status = olds.status;
      if (news.requestsPerMinute !== olds.requestsPerMinute) {
        const rate_limit = news.requestsPerMinute === undefined ? null : { requests_per_minute: news.requestsPerMinute };
        status = (await ctx.clients.aigateway().updateToken(news.gateway, id, { rate_limit })).status;
      }
      return { tokenId: id, status, token: olds.token };
    },
    async delete(id, state, ctx) {
      await ctx.clients.aigateway().deleteToken(String(state.gateway), id);
    },
    // Deactivated elsewhere (seen by a refresh): most likely revoked, so issue a new token rather
    // than silently re-activate the old secret.
    replaceReason(state) {
      return typeof state.status === "string" && state.status !== "ACTIVE" ? { property: "status" } : undefined;
    },
  },
});

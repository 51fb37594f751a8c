import { z } from "zod";
import { gatewayNamePattern } from "../../client/aigateway";
import { ErrorCodes, isPlatformError, PlatformError } from "../../client/errors";
import type { Named, OperationContext } from "../../framework/declaration";
import { adoption } from "../../framework/features/adoption";
import { rotation } from "../../framework/features/rotation";
import { warnUser } from "../../framework/notices";
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
  adoptExisting: z
    .boolean()
    .default(false)
    .describe(
      "When a token with this `name` already exists on the gateway and no state records it (an interrupted `pulumi up` left it, or it was made elsewhere), delete it and make a new one. Its secret was shown only when it was made, so it cannot be taken over.",
    ),
  ...autoNameInput,
  ...rotationInputs,
});

type Inputs = z.output<typeof inputs>;

/** Creates the token, then sets its rate limit; a token whose limit could not be set is removed. */
async function createToken(i: Named<Inputs, "name">, ctx: OperationContext) {
  const api = ctx.clients.aigateway();
  let created;
  try {
    created = await api.createTokenRecovering(i.gateway, i.name);
  } catch (e) {
    if (!isPlatformError(e, ErrorCodes.CONFLICT)) throw e;
    // Still the platform's 409, so still a CONFLICT PlatformError; the summary says what to do.
    throw new PlatformError(
      `aigateway.AuthToken: a token named "${i.name}" already exists on gateway "${i.gateway}" and this stack's state does not record it ` +
        "(an interrupted `pulumi up` may have left it, or it was made elsewhere). Its secret was shown only when it was made, so it cannot be taken over: " +
        "set adoptExisting: true to delete it and make a new one, or give this token another name.",
      { code: ErrorCodes.CONFLICT, service: "aigateway", cause: e },
    );
  }
  let status = created.status;
  try {
    if (i.requestsPerMinute !== undefined) status = (await api.updateToken(i.gateway, created.id, { rate_limit: { requests_per_minute: i.requestsPerMinute } })).status;
  } catch (e) {
    // The create fails, so Pulumi will not record the token: remove it rather than leave an unlimited orphan.
    const left = await removeUnrecorded(ctx, i.gateway, created.id);
    if (left === "deleted" || !isPlatformError(e)) throw e;
    // Something is left on the gateway: say what, and how it goes away.
    throw new PlatformError(
      `aigateway.AuthToken: the rate limit of the new token "${i.name}" (id ${created.id}) on gateway "${i.gateway}" could not be set, and the token could not be deleted; ` +
        (left === "deactivated"
          ? "it was deactivated, so it does not authenticate. "
          : "it could not be deactivated either and may still authenticate, with no rate limit: delete it on the gateway. ") +
        "The next `pulumi up` removes it when the token is auto-named; with a fixed name, set adoptExisting: true to delete it and make a new one",
      { code: e.code, service: "aigateway", status: e.status, method: e.method, path: e.path, platformMessage: e.platformMessage, cause: e },
    );
  }
  return { id: created.id, outs: { tokenId: created.id, status, token: created.token } };
}

/**
 * Removes a token no state will record: the token authenticates until it is gone. The delete
 * retries on the client's schedule; if it still fails, the token is at least deactivated.
 */
async function removeUnrecorded(ctx: OperationContext, gateway: string, id: string): Promise<"deleted" | "deactivated" | "left active"> {
  const api = ctx.clients.aigateway();
  try {
    await api.deleteToken(gateway, id);
    return "deleted";
  } catch {
    try {
      await api.updateToken(gateway, id, { status: "INACTIVE" });
      return "deactivated";
    } catch {
      return "left active";
    }
  }
}

/** An authentication token for one AI gateway. Shown once, at creation. */
export const authToken = defineKind({
  module: "aigateway",
  typeName: "AuthToken",
  description:
    "An authentication token for one AI gateway (`Authorization: Bearer` or, on an authenticated gateway, `cf-aig-authorization: Bearer`). The secret is shown only at creation and is output as a secret; a lost create answer never leaves an orphaned token.",
  example: 'const t = new ccluster.aigateway.AuthToken("team-a", { gateway: "prod-gateway", rotationDays: 30 });',
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
  features: [adoption, rotation],
  notImportable:
    "its secret is shown only when the token is made, so an imported token would have no `token`. Declare the token with its `gateway`, the same `name` and `adoptExisting: true`: `pulumi up` deletes the old token and makes a new one.",
  operations: {
    create: createToken,
    // `adoptExisting`: a same-named token no state records is deleted, and a new one made.
    async adopt(i, ctx) {
      const api = ctx.clients.aigateway();
      for (const t of (await api.listTokens(i.gateway)).filter((t) => t.name === i.name)) {
        await api.deleteToken(i.gateway, t.id);
        await warnUser(`aigateway.AuthToken: deleted the existing token "${t.name}" (id ${t.id}) on gateway "${i.gateway}" (adoptExisting); a new one is made in its place`);
      }
      return createToken(i, ctx);
    },
    async listByNamePrefix(stem, i, ctx) {
      return (await ctx.clients.aigateway().listTokens(i.gateway)).filter((t) => t.name.startsWith(stem)).map((t) => ({ id: t.id, name: t.name }));
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

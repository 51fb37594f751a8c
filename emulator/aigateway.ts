/**
 * The AI gateway (VNG Cloud / GreenNode): its IAM token exchange and per-gateway
 * authentication tokens.
 *
 * ASSUMED: the gateway's management paths are not published. Every AI-gateway path the
 * emulator serves is in {@link AIGATEWAY_PATHS}, the one place to change them.
 * @internal
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  basicCredentials,
  bearerToken,
  invalidToken,
  issueAccessToken,
  oauthError,
  requireClientCredentialsGrant,
  secretEquals,
  verifyAccessToken,
  type TokenLifetimes,
} from "./auth";
import { detailError, ok, route, type RequestContext, type Route } from "./http";
import { hashSecret, randomSecret, type GatewayTokenRecord, type State, type Store } from "./store";
import { validate } from "./validation";

/** Every AI-gateway path (assumed), relative to the emulator's root. */
export const AIGATEWAY_PATHS = {
  /** Base URL of the gateway API (`aigatewayUrl`). */
  base: "/aigateway",
  /** IAM token exchange (`aigatewayTokenUrl`). */
  authToken: "/aigateway/v2/auth/token",
  tokens: "/aigateway/v1/gateways/{gateway}/tokens",
  token: "/aigateway/v1/gateways/{gateway}/tokens/{id}",
  /** Base of gateway chat URLs (`gatewayChatUrl`); a gateway's calls go below `/{gateway}`. */
  chatBase: "/aigateway/gateways",
  chat: "/aigateway/gateways/{gateway}/openai/v1/chat/completions",
} as const;

/** Gateway names: 5–50 characters of a–z A–Z 0–9 _ - (published). */
export const GatewayName = z.string().min(5).max(50).regex(/^[A-Za-z0-9_-]+$/);

const GatewayPath = z.object({ gateway: GatewayName });
const TokenPath = z.object({ gateway: GatewayName, id: z.string() });
const CreateRequest = z.object({ name: z.string().min(1) });
const UpdateRequest = z.object({
  status: z.enum(["ACTIVE", "INACTIVE"]).nullish(),
  rate_limit: z.object({ requests_per_minute: z.number().int().min(1) }).nullish(),
});

const publicView = (token: GatewayTokenRecord) => ({
  id: token.id,
  name: token.name,
  gateway: token.gateway,
  status: token.status,
  created_at: token.created_at,
  rate_limit: token.rate_limit,
});

/** Authenticates a gateway management call: an access token from the gateway's IAM. */
function authenticateAccount(ctx: RequestContext, state: Readonly<State>): string {
  const account = verifyAccessToken(state, bearerToken(ctx), "aigateway");
  if (!account) throw invalidToken();
  return account;
}

const tokenNotFound = () => detailError(404, "Token not found");

/** The gateway's IAM and token management routes. */
export function aigatewayRoutes(store: Store, lifetimes: TokenLifetimes): Route[] {
  return [
    route("POST", AIGATEWAY_PATHS.authToken, async (ctx) => {
      requireClientCredentialsGrant(await ctx.form());
      const credentials = basicCredentials(ctx);
      const account = store.state.aigatewayServiceAccount;
      if (!credentials || !secretEquals(credentials.clientId, account.clientId) || !secretEquals(credentials.clientSecret, account.clientSecret))
        throw oauthError(401, "invalid_client");
      return ok({
        token_type: "Bearer",
        access_token: issueAccessToken(store.state, account.clientId, "aigateway", lifetimes.aigatewaySeconds),
        expires_in: lifetimes.aigatewaySeconds,
      });
    }),

    route("POST", AIGATEWAY_PATHS.tokens, async (ctx) => {
      const account = authenticateAccount(ctx, store.state);
      const { gateway } = validate(GatewayPath, ctx.params, "path");
      const { name } = validate(CreateRequest, await ctx.json(), "body");
      const secret = `aig-${randomSecret(32)}`;
      const created = await store.mutate((state) => {
        if (state.gatewayTokens.some((t) => t.account === account && t.gateway === gateway && t.name === name))
          throw detailError(409, "Token name already exists");
        const record: GatewayTokenRecord = {
          id: randomUUID(),
          gateway,
          name,
          status: "ACTIVE",
          created_at: new Date().toISOString(),
          rate_limit: null,
          account,
          tokenHash: hashSecret(secret),
        };
        state.gatewayTokens.push(record);
        return record;
      });
      return ok({ ...publicView(created), token: secret }, 201);
    }),

    route("GET", AIGATEWAY_PATHS.tokens, (ctx) => {
      const account = authenticateAccount(ctx, store.state);
      const { gateway } = validate(GatewayPath, ctx.params, "path");
      const results = store.state.gatewayTokens.filter((t) => t.account === account && t.gateway === gateway).map(publicView);
      return ok({ results });
    }),

    route("GET", AIGATEWAY_PATHS.token, (ctx) => {
      const account = authenticateAccount(ctx, store.state);
      const { gateway, id } = validate(TokenPath, ctx.params, "path");
      const token = store.state.gatewayTokens.find((t) => t.account === account && t.gateway === gateway && t.id === id);
      if (!token) throw tokenNotFound();
      return ok(publicView(token));
    }),

    route("PATCH", AIGATEWAY_PATHS.token, async (ctx) => {
      const account = authenticateAccount(ctx, store.state);
      const { gateway, id } = validate(TokenPath, ctx.params, "path");
      const change = validate(UpdateRequest, (await ctx.json()) ?? {}, "body");
      const updated = await store.mutate((state) => {
        const index = state.gatewayTokens.findIndex((t) => t.account === account && t.gateway === gateway && t.id === id);
        if (index < 0) throw tokenNotFound();
        const token = { ...state.gatewayTokens[index] };
        if (change.status) token.status = change.status;
        // `rate_limit: null` removes the limit; leaving it out keeps it.
        if (change.rate_limit !== undefined) token.rate_limit = change.rate_limit;
        state.gatewayTokens[index] = token;
        return token;
      });
      return ok(publicView(updated));
    }),

    route("DELETE", AIGATEWAY_PATHS.token, async (ctx) => {
      const account = authenticateAccount(ctx, store.state);
      const { gateway, id } = validate(TokenPath, ctx.params, "path");
      await store.mutate((state) => {
        const index = state.gatewayTokens.findIndex((t) => t.account === account && t.gateway === gateway && t.id === id);
        if (index < 0) throw tokenNotFound();
        state.gatewayTokens.splice(index, 1);
      });
      return ok({});
    }),
  ];
}

/** The ACTIVE token of `gateway` whose secret is `secret`, if any. */
export function findActiveGatewayToken(state: Readonly<State>, gateway: string, secret: string): GatewayTokenRecord | undefined {
  const hash = hashSecret(secret);
  return state.gatewayTokens.find((t) => t.gateway === gateway && t.status === "ACTIVE" && t.tokenHash === hash);
}

/**
 * Per-token request limits (`rate_limit.requests_per_minute`), counted over the last minute
 * in memory: a restart forgets the window, as a restarted gateway node would.
 */
export class GatewayRateLimiter {
  private readonly recent = new Map<string, number[]>();

  /** Records a request by `token`, unless it goes over the token's limit. */
  admit(token: GatewayTokenRecord, now = Date.now()): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
    const limit = token.rate_limit?.requests_per_minute;
    if (!limit) return { admitted: true };
    const window = (this.recent.get(token.id) ?? []).filter((at) => at > now - 60_000);
    this.recent.set(token.id, window);
    if (window.length >= limit) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((window[0] + 60_000 - now) / 1000)) };
    window.push(now);
    return { admitted: true };
  }
}

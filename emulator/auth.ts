/**
 * Who is calling: static user tokens, OAuth2 `client_credentials` access tokens, admin token.
 *
 * Access tokens are JWTs (HS256, claims `sub`, `aud`, `iat`, `exp`) like the platform's, so a
 * client can read `exp`; the signing key lives in the persisted state, so tokens survive a
 * restart. `/_admin/expire-tokens` bumps a generation number carried in every token, which
 * expires all tokens issued before it.
 * @internal
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { detailError, HttpError, ok, route, type RequestContext, type Route } from "./http";
import type { State, Store } from "./store";

/** The audiences of access tokens: the platform API, or the AI gateway's API. */
export type Audience = "platform" | "aigateway";

interface Claims {
  sub: string;
  aud: Audience;
  iat: number;
  exp: number;
  gen: number;
  jti: string;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

function sign(signingKey: string, signingInput: string): Buffer {
  return createHmac("sha256", signingKey).update(signingInput).digest();
}

/** Issues an access token for `subject`, valid `ttlSeconds` from now. */
export function issueAccessToken(state: Readonly<State>, subject: string, audience: Audience, ttlSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Claims = { sub: subject, aud: audience, iat: now, exp: now + ttlSeconds, gen: state.tokenGeneration, jti: randomUUID() };
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign(state.signingKey, signingInput).toString("base64url")}`;
}

/** The subject of a valid, unexpired access token for `audience`, else undefined. */
export function verifyAccessToken(state: Readonly<State>, token: string, audience: Audience): string | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const expected = sign(state.signingKey, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Claims;
  } catch {
    return undefined;
  }
  const now = Date.now() / 1000;
  if (claims.aud !== audience || claims.gen !== state.tokenGeneration || !(claims.exp > now)) return undefined;
  return claims.sub;
}

/** Equal strings, compared in constant time. */
export function secretEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const WWW_AUTHENTICATE = { "www-authenticate": "Bearer" };

/** The credential of a `Bearer ...` header (`authorization` unless named), if there is one. */
export function presentedBearer(ctx: RequestContext, header = "authorization"): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(ctx.header(header) ?? "")?.[1];
}

/** The credential of an `Authorization: Bearer ...` header, or a 401 like the platform's. */
export function bearerToken(ctx: RequestContext): string {
  const token = presentedBearer(ctx);
  if (token === undefined) throw detailError(401, "Not authenticated", WWW_AUTHENTICATE);
  return token;
}

/** The 401 for a token that is unknown or expired. */
export function invalidToken(): HttpError {
  return detailError(401, "Invalid or expired token", WWW_AUTHENTICATE);
}

/** A platform user, as seen by the vault and serverless routes. */
export interface Caller {
  user: string;
  org: string;
}

/** Authenticates a platform API call: a user's static token, or a platform access token. */
export function authenticateUser(ctx: RequestContext, state: Readonly<State>): Caller {
  const token = bearerToken(ctx);
  for (const [user, record] of Object.entries(state.users)) {
    if (secretEquals(token, record.token)) return { user, org: record.org };
  }
  const subject = verifyAccessToken(state, token, "platform");
  const record = subject === undefined ? undefined : state.users[subject];
  if (!subject || !record) throw invalidToken();
  return { user: subject, org: record.org };
}

/** Authenticates an `/_admin` call. */
export function authenticateAdmin(ctx: RequestContext, state: Readonly<State>): void {
  if (!secretEquals(bearerToken(ctx), state.adminToken)) throw invalidToken();
}

/** Client id and secret from `Authorization: Basic base64(id:secret)`, if present. */
export function basicCredentials(ctx: RequestContext): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(ctx.header("authorization") ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/** The OAuth2 errors of RFC 6749 §5.2, in its shape `{"error": "..."}`. */
export function oauthError(status: number, error: string): HttpError {
  return new HttpError(status, { error }, status === 401 ? { "www-authenticate": "Basic" } : {});
}

/** Checks the grant type of a token request: only `client_credentials` is offered. */
export function requireClientCredentialsGrant(form: URLSearchParams): void {
  const grant = form.get("grant_type");
  if (!grant) throw oauthError(400, "invalid_request");
  if (grant !== "client_credentials") throw oauthError(400, "unsupported_grant_type");
}

/** Lifetimes of issued access tokens. */
export interface TokenLifetimes {
  platformSeconds: number;
  aigatewaySeconds: number;
}

/**
 * `POST /oauth2/token`: the platform's service-account exchange. The client authenticates
 * with `client_id`/`client_secret` in the form (or HTTP Basic, which OAuth2 also allows).
 */
export function platformAuthRoutes(store: Store, lifetimes: TokenLifetimes): Route[] {
  return [
    route("POST", "/oauth2/token", async (ctx) => {
      const form = await ctx.form();
      requireClientCredentialsGrant(form);
      const basic = basicCredentials(ctx);
      const clientId = basic?.clientId ?? form.get("client_id") ?? "";
      const clientSecret = basic?.clientSecret ?? form.get("client_secret") ?? "";
      const account = store.state.serviceAccount;
      if (!secretEquals(clientId, account.clientId) || !secretEquals(clientSecret, account.clientSecret)) throw oauthError(401, "invalid_client");
      return ok({
        access_token: issueAccessToken(store.state, account.user, "platform", lifetimes.platformSeconds),
        token_type: "Bearer",
        expires_in: lifetimes.platformSeconds,
      });
    }),
  ];
}

/**
 * The AI gateway's token management API.
 *
 * ASSUMED: the management paths are not published; every path the client uses is in
 * `gatewayPaths` below, the one place to change when the real ones are known.
 */
import { ErrorCodes, isPlatformError } from "./errors";
import { HttpClient } from "./http";
import { AnyObject, GatewayToken, GatewayTokenList } from "./models";
import { createOnce } from "./create-once";

export const gatewayPaths = {
  /** Relative to the AI gateway's base URL. */
  tokens: (gateway: string) => `/v1/gateways/${encodeURIComponent(gateway)}/tokens`,
  token: (gateway: string, id: string) => `/v1/gateways/${encodeURIComponent(gateway)}/tokens/${encodeURIComponent(id)}`,
  /** Relative to the AI gateway's base URL; used when no token URL is configured. */
  authToken: "/v2/auth/token",
} as const;

/** Gateway names: 5–50 characters of a–z A–Z 0–9 _ - (published). */
export const gatewayNamePattern = /^[A-Za-z0-9_-]{5,50}$/;

export class AiGatewayApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates a token; its secret (`token`) is only in this answer. Not idempotent. */
  async createToken(gateway: string, name: string): Promise<GatewayToken> {
    return this.http.call({ method: "POST", path: gatewayPaths.tokens(gateway), json: { name }, schema: GatewayToken, idempotent: false });
  }

  async listTokens(gateway: string): Promise<GatewayToken[]> {
    return (await this.http.call({ method: "GET", path: gatewayPaths.tokens(gateway), schema: GatewayTokenList, idempotent: true })).results;
  }

  async getToken(gateway: string, id: string): Promise<GatewayToken | undefined> {
    try {
      return await this.http.call({ method: "GET", path: gatewayPaths.token(gateway, id), schema: GatewayToken, idempotent: true });
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return undefined;
      throw e;
    }
  }

  async updateToken(
    gateway: string,
    id: string,
    change: { status?: "ACTIVE" | "INACTIVE"; rate_limit?: { requests_per_minute: number } | null },
  ): Promise<GatewayToken> {
    return this.http.call({ method: "PATCH", path: gatewayPaths.token(gateway, id), json: change, schema: GatewayToken, idempotent: true });
  }

  /** Returns false when the token was already gone. */
  async deleteToken(gateway: string, id: string): Promise<boolean> {
    try {
      await this.http.call({ method: "DELETE", path: gatewayPaths.token(gateway, id), schema: AnyObject, idempotent: true });
      return true;
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return false;
      throw e;
    }
  }

  /**
   * Creates a token, recovering from a lost answer: a token whose secret never arrived is
   * useless, so it is deleted (found by its name, unique per gateway) and the create is tried
   * again. Tokens that existed before this call are never touched.
   */
  async createTokenRecovering(gateway: string, name: string): Promise<GatewayToken> {
    const before = new Set((await this.listTokens(gateway)).map((t) => t.id));
    return createOnce({
      create: () => this.createToken(gateway, name),
      findStrays: async () => (await this.listTokens(gateway)).filter((t) => t.name === name && !before.has(t.id)).map((t) => t.id),
      remove: (id) => this.deleteToken(gateway, id),
      lateLandingMs: 2 * this.http.timeoutMs,
      namesAreUnique: true,
      retry: this.http.retrySchedule(),
    });
  }
}

/**
 * Where the bearer token for an API call comes from: a static token, or an OAuth2
 * client-credentials exchange whose access token is cached and refreshed before it expires
 * (and once more when the platform answers 401).
 */
import { Dispatcher, request } from "undici";
import { z } from "zod";
import { ErrorCodes, errorFromStatus, networkError, PlatformError } from "./errors";
import { ConcurrencyLimit, isConnectPhaseError, parseRetryAfter, processConcurrencyLimit, RetrySchedule, sleep, withDefaults, type RetryPolicy } from "./retry";
import { settingSource } from "./settings";

export interface TokenSource {
  /** A token valid for at least the next few seconds. */
  getToken(): Promise<string>;
  /** Forget the cached token (the platform said it is no longer valid). */
  invalidate(): void;
  /** Can `invalidate` lead to a different token? */
  readonly refreshable: boolean;
  /** Values to scrub from any error text. */
  secrets(): string[];
}

/** A token the user already has (an interactive user's JWT, or a long-lived API token). */
export class StaticToken implements TokenSource {
  readonly refreshable = false;
  constructor(private readonly token: string) {
    if (!token) throw new PlatformError("an empty API token was configured", { code: ErrorCodes.CONFIG });
  }
  async getToken(): Promise<string> {
    return this.token;
  }
  invalidate(): void {}
  secrets(): string[] {
    return [this.token];
  }
}

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
});

export interface ClientCredentialsOptions {
  service: "ccluster" | "aigateway";
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /**
   * How the client authenticates to the token URL: `form` puts id and secret in the form body
   * (the CCluster platform), `basic` sends them as HTTP Basic (the AI gateway's IAM).
   */
  style: "form" | "basic";
  /** Refresh this long before `expires_in` runs out; the platform's CLI uses 100 s. */
  refreshSkewSeconds?: number;
  timeoutMs?: number;
  /** Retries of the exchange on 429/502/503/504 and network errors (it is safe to repeat). */
  retry?: Partial<RetryPolicy>;
  /** The cap on requests in flight; by default the one this whole process shares. */
  concurrency?: ConcurrencyLimit;
  dispatcher?: Dispatcher;
  now?: () => number;
}

export class ClientCredentialsToken implements TokenSource {
  readonly refreshable = true;
  private cached?: { token: string; refreshAt: number };
  private inFlight?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly opts: ClientCredentialsOptions) {
    if (!opts.clientId || !opts.clientSecret)
      throw new PlatformError("a service account needs both a client id and a client secret", { code: ErrorCodes.CONFIG });
    this.now = opts.now ?? Date.now;
  }

  async getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    // One exchange at a time: concurrent callers share it.
    this.inFlight ??= this.exchange().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  secrets(): string[] {
    return [this.opts.clientSecret, ...(this.cached ? [this.cached.token] : [])];
  }

  /** Exchanges the client credentials, retrying transient failures: a new token has no side effect. */
  private async exchange(): Promise<string> {
    const schedule = new RetrySchedule(withDefaults(this.opts.retry));
    for (;;) {
      const outcome = await this.exchangeOnce();
      if ("token" in outcome) return outcome.token;
      const delay = schedule.nextDelay(outcome.error, true, outcome.networkCode);
      if (delay === undefined) throw outcome.error;
      await sleep(delay);
    }
  }

  private async exchangeOnce(): Promise<{ token: string } | { error: PlatformError; networkCode?: string }> {
    const { tokenUrl, clientId, clientSecret, style, service } = this.opts;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (style === "basic") headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    else {
      form.set("client_id", clientId);
      form.set("client_secret", clientSecret);
    }
    const where = { service, method: "POST", path: safePath(tokenUrl) };
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    let answer: { status: number; headers: Record<string, string | string[] | undefined>; text: string };
    try {
      answer = await (this.opts.concurrency ?? processConcurrencyLimit).run(async () => {
        const res = await request(tokenUrl, {
          method: "POST",
          headers,
          body: form.toString(),
          dispatcher: this.opts.dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
      });
    } catch (cause) {
      const networkCode = (cause as { code?: string }).code;
      const summary = service === "ccluster" ? "The CCluster platform's token URL" : "The AI gateway's token URL";
      const urlSource =
        service === "ccluster" ? settingSource("tokenUrl") : `${settingSource("aigatewayTokenUrl")}, or else ${settingSource("aigatewayApiUrl")} + /v2/auth/token`;
      const connectPhase = isConnectPhaseError(networkCode);
      return { error: networkError(cause, { ...where, summary, url: tokenUrl, urlSource, timeoutMs, connectPhase, mayHaveSucceeded: false }), networkCode };
    }
    const { status, text } = answer;
    if (status < 200 || status >= 300) {
      const err = errorFromStatus(status, text, where, [clientSecret], parseRetryAfter(answer.headers["retry-after"]));
      if (status !== 400 && status !== 401 && status !== 403) return { error: err };
      return {
        error: new PlatformError("the service account was refused by the token URL (check the client id and secret)", {
          ...where,
          status,
          code: ErrorCodes.AUTH,
          platformMessage: err.platformMessage,
        }),
      };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = tokenAnswer.safeParse(body);
    if (!parsed.success)
      return { error: new PlatformError("the token URL answered without an access token", { ...where, status, code: ErrorCodes.BAD_RESPONSE }) };
    const lifetime = parsed.data.expires_in ?? 300;
    const skew = Math.min(this.opts.refreshSkewSeconds ?? 100, lifetime / 2);
    this.cached = { token: parsed.data.access_token, refreshAt: this.now() + (lifetime - skew) * 1000 };
    return { token: parsed.data.access_token };
  }
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    throw new PlatformError("the token URL is not a valid URL", { code: ErrorCodes.CONFIG });
  }
}

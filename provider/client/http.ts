/**
 * The HTTP layer every API module uses: undici with keep-alive, timeouts, retries with
 * exponential backoff and full jitter, Retry-After, zod-validated answers, and typed errors.
 *
 * Retry rules (why they are what they are):
 * - 429 is retried for every method: the platform refused the call without doing it.
 * - 502/503/504 and connection failures are retried only for idempotent calls (GET, DELETE,
 *   and the vault's upsert PUT, which writes the same row again). A non-idempotent call
 *   (creating an API key or a gateway token) is never retried blindly: if the connection
 *   dropped after the request left, the error says `mayHaveSucceeded` and the caller must
 *   look before creating again. Only a connection that was never established is safe to retry.
 * - 401 is retried once after the token source fetched a fresh access token.
 */
import { Agent, Dispatcher, request } from "undici";
import type { z } from "zod";
import { ErrorCodes, PlatformError, scrub } from "./errors";
import type { TokenSource } from "./auth";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for; the call fails with RATE_LIMITED. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface HttpClientOptions {
  baseUrl: string;
  service: "ccluster" | "aigateway";
  auth?: TokenSource;
  /** Per-attempt limit for the answer's headers and body. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  dispatcher?: Dispatcher;
  userAgent?: string;
}

export interface CallOptions<T> {
  method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  /** Answer schema; the parsed, validated value is returned. */
  schema: z.ZodType<T>;
  /** May this exact call be repeated without a second effect? */
  idempotent: boolean;
  /** Values that must never appear in an error message (e.g. the value being written). */
  secrets?: string[];
}

const connectPhaseErrors = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN"]);
const retryableStatuses = new Set([502, 503, 504]);

let sharedAgent: Agent | undefined;
/** One keep-alive connection pool per process, shared by every client. */
function defaultAgent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  return sharedAgent;
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly service: "ccluster" | "aigateway";
  private readonly auth?: TokenSource;
  /** Per-attempt limit; a create that timed out may still land within about this long again. */
  readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly userAgent: string;

  constructor(opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.service = opts.service;
    this.auth = opts.auth;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.dispatcher = opts.dispatcher ?? defaultAgent();
    this.userAgent = opts.userAgent ?? "pulumi-ccluster";
  }

  async call<T>(opts: CallOptions<T>): Promise<T> {
    const secrets = [...(opts.secrets ?? []), ...(this.auth?.secrets() ?? [])];
    let refreshedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(opts, secrets);
      if (outcome.kind === "ok") return this.validate(opts, outcome.body, outcome.status, secrets);

      const err = outcome.error;
      if (err.status === 401 && this.auth?.refreshable && !refreshedAfter401) {
        refreshedAfter401 = true;
        this.auth.invalidate();
        attempt--; // a token refresh is not a retry of a failing platform
        continue;
      }
      const delay = this.retryDelay(opts, err, attempt, outcome.connectPhase);
      if (delay === undefined) throw err;
      await sleep(delay);
    }
  }

  /** Returns how long to wait before the next attempt, or undefined to give up. */
  private retryDelay(opts: CallOptions<unknown>, err: PlatformError, attempt: number, connectPhase: boolean): number | undefined {
    // A request that never left (connect phase) cannot have had an effect, so it may be repeated.
    return retryDelayFor(err, attempt, this.retry, opts.idempotent || connectPhase);
  }

  private async attempt(
    opts: CallOptions<unknown>,
    secrets: string[],
  ): Promise<{ kind: "ok"; status: number; body: unknown } | { kind: "error"; error: PlatformError; connectPhase: boolean }> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.userAgent };
    if (this.auth) headers.authorization = `Bearer ${await this.auth.getToken()}`;
    if (opts.json !== undefined) headers["content-type"] = "application/json";
    const where = { service: this.service, method: opts.method, path: opts.path };
    try {
      const res = await request(this.url(opts.path, opts.query), {
        method: opts.method,
        headers,
        body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return { kind: "ok", status: res.statusCode, body: text === "" ? {} : parseJson(text) };
      }
      return { kind: "error", connectPhase: false, error: errorFromStatus(res.statusCode, text, res.headers, where, secrets) };
    } catch (cause) {
      if (cause instanceof PlatformError) throw cause;
      const code = (cause as { code?: string }).code ?? "";
      const connectPhase = connectPhaseErrors.has(code);
      return {
        kind: "error",
        connectPhase,
        error: new PlatformError(`${serviceName(this.service)} could not be reached`, {
          ...where,
          code: ErrorCodes.NETWORK,
          platformMessage: code || (cause as Error).message,
          mayHaveSucceeded: !connectPhase && opts.method !== "GET",
        }),
      };
    }
  }

  private validate<T>(opts: CallOptions<T>, body: unknown, status: number, secrets: string[]): T {
    const parsed = opts.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new PlatformError(`${serviceName(this.service)} sent an answer this client does not understand`, {
      service: this.service,
      method: opts.method,
      path: opts.path,
      status,
      code: ErrorCodes.BAD_RESPONSE,
      platformMessage: scrub(problems, secrets),
    });
  }

  private url(path: string, query?: Record<string, string | undefined>): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Left to the schema to reject, with a message that says the answer was not JSON.
    return { __notJson: true };
  }
}

function serviceName(s: "ccluster" | "aigateway"): string {
  return s === "ccluster" ? "The CCluster platform API" : "The AI gateway API";
}

/** Turns a non-2xx answer into a typed error with the platform's own words, scrubbed. */
export function errorFromStatus(
  status: number,
  text: string,
  headers: Record<string, string | string[] | undefined>,
  where: { service: "ccluster" | "aigateway"; method: string; path: string },
  secrets: string[],
): PlatformError {
  const { message, fieldErrors } = platformMessage(text);
  const retryAfterSeconds = parseRetryAfter(headers["retry-after"]);
  const base = { ...where, status, platformMessage: message ? scrub(message, secrets) : undefined, retryAfterSeconds };
  const name = serviceName(where.service);
  if (status === 401) return new PlatformError(`${name} refused the credentials (check the token or service account)`, { ...base, code: ErrorCodes.AUTH });
  if (status === 403)
    return new PlatformError(`${name} denied this request to these credentials (they are valid but lack the permission; check the user, organisation or service account)`, {
      ...base,
      code: ErrorCodes.AUTH,
    });
  if (status === 404) return new PlatformError(`${name} has no such item`, { ...base, code: ErrorCodes.NOT_FOUND });
  if (status === 409) return new PlatformError(`${name} refused a duplicate`, { ...base, code: ErrorCodes.CONFLICT });
  if (status === 422 || status === 400)
    return new PlatformError(`${name} rejected the request`, {
      ...base,
      code: ErrorCodes.VALIDATION,
      fieldErrors: fieldErrors?.map((f) => ({ loc: f.loc, msg: scrub(f.msg, secrets) })),
    });
  if (status === 429) return new PlatformError(`${name} is rate limiting this client`, { ...base, code: ErrorCodes.RATE_LIMITED });
  if (status >= 500)
    return new PlatformError(`${name} failed`, { ...base, code: ErrorCodes.SERVER, mayHaveSucceeded: status === 504 || status === 502 ? where.method !== "GET" : false });
  return new PlatformError(`${name} answered an unexpected status`, { ...base, code: ErrorCodes.HTTP });
}

/** Reads FastAPI's `{"detail": ...}`, OAuth's `{"error": ...}` or plain text. */
function platformMessage(text: string): { message?: string; fieldErrors?: { loc: (string | number)[]; msg: string }[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.trim() || undefined };
  }
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === "string") return { message: b.detail };
    if (Array.isArray(b.detail)) {
      const fieldErrors = b.detail
        .filter((d): d is { loc: (string | number)[]; msg: string } => !!d && typeof d === "object" && Array.isArray(d.loc))
        .map((d) => ({ loc: d.loc, msg: String(d.msg) }));
      return { message: fieldErrors.map((f) => `${f.loc.join(".")}: ${f.msg}`).join("; "), fieldErrors };
    }
    if (typeof b.error === "string") return { message: typeof b.error_description === "string" ? `${b.error}: ${b.error_description}` : b.error };
    if (typeof b.message === "string") return { message: b.message };
  }
  return {};
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const n = Number(s);
  if (Number.isFinite(n) && n >= 0) return n;
  const when = Date.parse(s);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - Date.now()) / 1000);
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up: a 429 waits for its
 * Retry-After (or backs off); 502/503/504 and network errors back off with full jitter, but only
 * when the call may be repeated without a second effect.
 */
export function retryDelayFor(err: PlatformError, attempt: number, policy: RetryPolicy, mayRepeat: boolean): number | undefined {
  if (attempt >= policy.maxRetries) return undefined;
  const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  if (err.status === 429) {
    if (err.retryAfterSeconds === undefined) return backoff;
    const wait = err.retryAfterSeconds * 1000;
    return wait > policy.maxRetryAfterMs ? undefined : wait;
  }
  const transient = err.code === ErrorCodes.NETWORK || (err.status !== undefined && retryableStatuses.has(err.status));
  if (!transient || !mayRepeat) return undefined;
  return err.retryAfterSeconds !== undefined ? Math.min(err.retryAfterSeconds * 1000, policy.maxRetryAfterMs) : backoff;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

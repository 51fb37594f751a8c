/**
 * The HTTP layer every API module uses: undici with keep-alive, timeouts, zod-validated answers
 * and typed errors. When to retry, how long to wait, the time budget of a call and the cap on
 * concurrent requests are retry.ts's rules (shared with the token exchange in auth.ts).
 *
 * A 401 is tried once more after the token source fetched a fresh access token.
 */
import { Agent, Dispatcher, request } from "undici";
import type { z } from "zod";
import type { TokenSource } from "./auth";
import { ErrorCodes, errorFromStatus, networkError, PlatformError, scrub, serviceName } from "./errors";
import { ConcurrencyLimit, isConnectPhaseError, parseRetryAfter, processConcurrencyLimit, RetrySchedule, sleep, withDefaults, type RetryPolicy } from "./retry";
import { settingSource, type SettingName } from "./settings";

// Re-exported for the API modules (vault.ts waits between its own tries with `sleep`).
export { defaultRetryPolicy, sleep, type RetryPolicy } from "./retry";

export interface HttpClientOptions {
  baseUrl: string;
  service: "ccluster" | "aigateway";
  auth?: TokenSource;
  /** Per-attempt limit for the answer's headers and body. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** The cap on requests in flight; by default the one this whole process shares. */
  concurrency?: ConcurrencyLimit;
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
  /**
   * Values that must never appear in an error message (e.g. the value being written). A JSON
   * value is also scrubbed part by part (a registry credential's password on its own).
   */
  secrets?: string[];
}

/** The setting that holds each service's base URL, named in errors about an unreachable URL. */
const baseUrlSetting: Record<"ccluster" | "aigateway", SettingName> = { ccluster: "apiUrl", aigateway: "aigatewayApiUrl" };

let sharedAgent: Agent | undefined;
/** One keep-alive connection pool per process, shared by every client. */
function defaultAgent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  return sharedAgent;
}

type AttemptOutcome =
  | { kind: "ok"; status: number; body: unknown }
  | { kind: "error"; error: PlatformError; connectPhase: boolean; networkCode?: string };

export class HttpClient {
  readonly baseUrl: string;
  private readonly service: "ccluster" | "aigateway";
  private readonly auth?: TokenSource;
  /** Per-attempt limit; a create that timed out may still land within about this long again. */
  readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly concurrency: ConcurrencyLimit;
  private readonly dispatcher: Dispatcher;
  private readonly userAgent: string;

  constructor(opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.service = opts.service;
    this.auth = opts.auth;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = withDefaults(opts.retry);
    this.concurrency = opts.concurrency ?? processConcurrencyLimit;
    this.dispatcher = opts.dispatcher ?? defaultAgent();
    this.userAgent = opts.userAgent ?? "pulumi-ccluster";
  }

  /**
   * The retries of one call, or of an operation of several calls that the caller makes safe to
   * repeat (a create that looks for what a lost attempt made before it tries again), on this
   * client's policy.
   */
  retrySchedule(): RetrySchedule {
    return new RetrySchedule(this.retry);
  }

  async call<T>(opts: CallOptions<T>): Promise<T> {
    // Asked for at each use: the token source's secrets include an access token fetched meanwhile.
    const secrets = () => [...(opts.secrets ?? []), ...(this.auth?.secrets() ?? [])];
    const schedule = this.retrySchedule();
    let refreshedAfter401 = false;
    for (;;) {
      const outcome = await this.attempt(opts, secrets);
      if (outcome.kind === "ok") return this.validate(opts, outcome.body, outcome.status, secrets);

      const err = outcome.error;
      if (err.status === 401 && this.auth?.refreshable && !refreshedAfter401) {
        refreshedAfter401 = true; // a token refresh is not a retry of a failing platform
        this.auth.invalidate();
        continue;
      }
      // A request that never left (connect phase) cannot have had an effect, so it may be repeated.
      const delay = schedule.nextDelay(err, opts.idempotent || outcome.connectPhase, outcome.networkCode);
      if (delay === undefined) throw err;
      await sleep(delay);
    }
  }

  private async attempt(opts: CallOptions<unknown>, secrets: () => string[]): Promise<AttemptOutcome> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.userAgent };
    // The token first, outside the concurrency slot: its exchange needs a slot of its own.
    if (this.auth) headers.authorization = `Bearer ${await this.auth.getToken()}`;
    if (opts.json !== undefined) headers["content-type"] = "application/json";
    const where = { service: this.service, method: opts.method, path: opts.path };
    try {
      const { statusCode, responseHeaders, text } = await this.concurrency.run(async () => {
        const res = await request(this.url(opts.path, opts.query), {
          method: opts.method,
          headers,
          body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        return { statusCode: res.statusCode, responseHeaders: res.headers, text: await res.body.text() };
      });
      if (statusCode >= 200 && statusCode < 300) {
        return { kind: "ok", status: statusCode, body: text === "" ? {} : parseJson(text) };
      }
      return { kind: "error", connectPhase: false, error: errorFromStatus(statusCode, text, where, secrets(), parseRetryAfter(responseHeaders["retry-after"])) };
    } catch (cause) {
      if (cause instanceof PlatformError) throw cause;
      const code = (cause as { code?: string }).code;
      const connectPhase = isConnectPhaseError(code);
      return {
        kind: "error",
        connectPhase,
        networkCode: code,
        error: networkError(cause, {
          ...where,
          summary: serviceName(this.service),
          url: this.baseUrl,
          urlSource: settingSource(baseUrlSetting[this.service]),
          timeoutMs: this.timeoutMs,
          connectPhase,
          mayHaveSucceeded: !connectPhase && opts.method !== "GET",
        }),
      };
    }
  }

  private validate<T>(opts: CallOptions<T>, body: unknown, status: number, secrets: () => string[]): T {
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
      platformMessage: scrub(problems, secrets()),
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

/**
 * How the client paces itself against a platform: which failures are tried again, how long it
 * waits before the next attempt (exponential backoff with full jitter, or what Retry-After says),
 * the time budget of one call, and the cap on requests in flight per process. Every API call
 * (http.ts) and the service account's token exchange (auth.ts) follow these same rules.
 *
 * Why the rules are what they are:
 * - 429 is tried again for every method: the platform refused the call without doing it.
 * - 502/503/504 and network failures are tried again only when repeating the call cannot have a
 *   second effect: an idempotent call, or one whose connection was never established. A
 *   non-idempotent create whose request may have left is never repeated here; the caller looks
 *   for what it made first (`mayHaveSucceeded`).
 * - A call keeps trying until its time budget is spent, not for a fixed number of attempts, so
 *   a platform restarting for a few seconds or a burst of 429s does not fail a `pulumi up`.
 * - Concurrent requests are capped per process, so a stack of hundreds of resources run with a
 *   high `--parallel` does not stampede the platform (and draw more 429s).
 */
import { ErrorCodes, type PlatformError } from "./errors";

export interface RetryPolicy {
  /**
   * How long one call may take, counted from its start: no new attempt starts after it, and a
   * Retry-After that ends after it is not waited for (the call fails at once instead).
   */
  budgetMs: number;
  /** Backoff before the first retry is random below this; the ceiling doubles on every retry. */
  baseDelayMs: number;
  /** The ceiling of one backoff wait. */
  maxDelayMs: number;
  /** A limit on retries besides the budget (none by default). */
  maxRetries: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  budgetMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetries: Number.POSITIVE_INFINITY,
};

/** The default policy with `overrides` on top (keys set to undefined keep the default). */
export function withDefaults(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const given = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined));
  return { ...defaultRetryPolicy, ...given };
}

/** Requests in flight per process, over every client (the platform's and the gateway's). */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;

const transientStatuses = new Set([502, 503, 504]);

/** Failures at connect time: the request never left, so repeating it cannot have a second effect. */
const connectPhaseErrors = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * Network failures that waiting does not cure: a host name that does not resolve is a wrong URL,
 * or a machine without the network, and the error that names the URL comes at once rather than
 * after the whole budget. (A DNS server that is only slow says EAI_AGAIN, which is retried.)
 */
const lastingNetworkErrors = new Set(["ENOTFOUND"]);

/** Did this low-level error (undici's or the OS's `code`) happen before the request was sent? */
export function isConnectPhaseError(code: string | undefined): boolean {
  return code !== undefined && connectPhaseErrors.has(code);
}

/**
 * May a call that failed with `err` be tried again? `mayRepeat`: would a repetition have no
 * second effect? `networkCode`: the low-level code of a network failure.
 */
export function isRetryable(err: PlatformError, mayRepeat: boolean, networkCode?: string): boolean {
  if (err.status === 429) return true;
  if (networkCode !== undefined && lastingNetworkErrors.has(networkCode)) return false;
  const transient = err.code === ErrorCodes.NETWORK || (err.status !== undefined && transientStatuses.has(err.status));
  return transient && mayRepeat;
}

/** Full jitter: a random wait below an exponentially growing ceiling, so retrying clients spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
}

/** Reads a Retry-After header (seconds, or an HTTP date) as seconds from now. */
export function parseRetryAfter(v: string | string[] | undefined, now: () => number = Date.now): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const n = Number(s);
  if (Number.isFinite(n) && n >= 0) return n;
  const when = Date.parse(s);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - now()) / 1000);
}

/** The retries of one call: decides after each failure whether to try again, and when. */
export class RetrySchedule {
  private retries = 0;
  private readonly deadline: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + policy.budgetMs;
  }

  /** How many attempts were made so far, counting the first (after each failure's `nextDelay`). */
  get attempts(): number {
    return this.retries + 1;
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up with `err` (see {@link isRetryable}). */
  nextDelay(err: PlatformError, mayRepeat: boolean, networkCode?: string): number | undefined {
    if (!isRetryable(err, mayRepeat, networkCode) || this.retries >= this.policy.maxRetries) return undefined;
    const remaining = this.deadline - this.now();
    if (remaining <= 0) return undefined;
    const backoff = backoffDelay(this.policy, this.retries);
    let wait: number;
    if (err.retryAfterSeconds !== undefined) {
      const asked = err.retryAfterSeconds * 1000;
      // The platform said "not before then"; if then is past the budget, trying earlier is pointless.
      if (asked > remaining) return undefined;
      wait = Math.min(Math.max(asked, backoff), remaining);
    } else {
      wait = Math.min(backoff, remaining);
    }
    this.retries++;
    return wait;
  }
}

/**
 * A counting semaphore: at most `limit` tasks run at once, the others wait in order of arrival.
 * Hold it only for the request itself, never while waiting to retry, or sleeping calls would
 * block the ones that could run.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a whole number ≥ 1, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The one limit every client of this process shares unless given its own. */
export const processConcurrencyLimit = new ConcurrencyLimit(DEFAULT_MAX_CONCURRENT_REQUESTS);

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Typed errors of the platform client.
 *
 * Callers and tests match on `code` (stable), never on message text. An error carries the
 * HTTP method, the path (without query string) and the platform's own message, and never a
 * token, a secret value or a request body: the message is built only from those fields.
 */

/** Stable error codes, in the style of undici's `UND_ERR_*`. */
export const ErrorCodes = {
  /** 401/403 from the platform, or the token exchange refused the credentials. */
  AUTH: "CCLUSTER_ERR_AUTH",
  /** 404: the item does not exist or is not visible to the caller. */
  NOT_FOUND: "CCLUSTER_ERR_NOT_FOUND",
  /** 409: the platform refused a duplicate. */
  CONFLICT: "CCLUSTER_ERR_CONFLICT",
  /** 422 (or 400): the platform rejected the request body or query. */
  VALIDATION: "CCLUSTER_ERR_VALIDATION",
  /** 429 after all retries. */
  RATE_LIMITED: "CCLUSTER_ERR_RATE_LIMITED",
  /** 5xx after all retries (or a non-retryable 5xx). */
  SERVER: "CCLUSTER_ERR_SERVER",
  /** Any other unexpected status. */
  HTTP: "CCLUSTER_ERR_HTTP",
  /** The connection failed, was reset, or no answer came in time. */
  NETWORK: "CCLUSTER_ERR_NETWORK",
  /** The answer did not have the shape the API documents. */
  BAD_RESPONSE: "CCLUSTER_ERR_BAD_RESPONSE",
  /** The client is not configured (no URL, no credentials). */
  CONFIG: "CCLUSTER_ERR_CONFIG",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface PlatformErrorDetails {
  code: ErrorCode;
  /** Which platform: the CCluster API or the AI gateway. */
  service?: "ccluster" | "aigateway";
  method?: string;
  /** Request path without the query string. */
  path?: string;
  status?: number;
  /** The platform's own explanation (FastAPI `detail`, OAuth `error`, ...), already scrubbed. */
  platformMessage?: string;
  /**
   * True when the request may have been carried out although no answer arrived
   * (connection dropped after sending, gateway timeout). A create must then look
   * before it tries again.
   */
  mayHaveSucceeded?: boolean;
  /** For 422: the fields the platform named, e.g. `["body", "key"]`. */
  fieldErrors?: { loc: (string | number)[]; msg: string }[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** The one error type the client throws. */
export class PlatformError extends Error {
  readonly code: ErrorCode;
  readonly service?: "ccluster" | "aigateway";
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly platformMessage?: string;
  readonly mayHaveSucceeded: boolean;
  readonly fieldErrors?: { loc: (string | number)[]; msg: string }[];
  readonly retryAfterSeconds?: number;

  constructor(summary: string, details: PlatformErrorDetails) {
    super(PlatformError.compose(summary, details), details.cause ? { cause: details.cause } : undefined);
    this.name = "PlatformError";
    this.code = details.code;
    this.service = details.service;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.platformMessage = details.platformMessage;
    this.mayHaveSucceeded = details.mayHaveSucceeded ?? false;
    this.fieldErrors = details.fieldErrors;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  private static compose(summary: string, d: PlatformErrorDetails): string {
    const where = d.method && d.path ? ` (${d.method} ${d.path}${d.status ? ` → ${d.status}` : ""})` : "";
    const said = d.platformMessage ? `: ${d.platformMessage}` : "";
    return `[${d.code}] ${summary}${where}${said}`;
  }
}

export function isPlatformError(e: unknown, code?: ErrorCode): e is PlatformError {
  return e instanceof PlatformError && (code === undefined || e.code === code);
}

/**
 * A failure after which the platform may or may not have done the work (the connection broke,
 * or it answered with a server error): worth checking what landed, then trying again.
 */
export function isUncertainFailure(e: unknown): boolean {
  return isPlatformError(e) && (e.code === ErrorCodes.NETWORK || e.code === ErrorCodes.SERVER);
}

/**
 * Removes anything that looks like a credential from text the platform sent back, so that an
 * echoing server cannot smuggle a secret into our error messages.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/(access_token|client_secret|password|token)(["']?\s*[:=]\s*["']?)[^"'\s,}&]+/gi, "$1$2[redacted]")
    .slice(0, 500);
}

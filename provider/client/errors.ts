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
  /** No answer came within the client's timeout: the platform may still be doing the work. */
  timedOut?: boolean;
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
  readonly timedOut: boolean;
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
    this.timedOut = details.timedOut ?? false;
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
 * A failure after which the request may still be carried out later: the client stopped waiting
 * (its timeout) or a gateway did (504) while the platform may still be working. A dropped
 * connection or another 5xx means the platform has finished with the request, one way or the other.
 */
export function mayLandLater(e: unknown): boolean {
  return isPlatformError(e) && ((e.timedOut && e.mayHaveSucceeded) || e.status === 504);
}

/** How errors name the service. */
export function serviceName(s: "ccluster" | "aigateway"): string {
  return s === "ccluster" ? "The CCluster platform API" : "The AI gateway API";
}

/**
 * Turns a non-2xx answer into a typed error with the platform's own words, scrubbed of
 * `secrets`. `retryAfterSeconds` is the answer's Retry-After, already read.
 */
export function errorFromStatus(
  status: number,
  text: string,
  where: { service: "ccluster" | "aigateway"; method: string; path: string },
  secrets: readonly string[],
  retryAfterSeconds?: number,
): PlatformError {
  const { message, fieldErrors } = platformMessage(text);
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

/**
 * The NETWORK error of a request that got no answer. It names the URL it tried (without user
 * info or query) and the settings that set that URL, so a wrong or unreachable URL (say, the
 * default one on a machine without internet) says what to change.
 */
export function networkError(
  cause: unknown,
  d: {
    service: "ccluster" | "aigateway";
    method: string;
    path: string;
    /** Who could not be reached, e.g. "The CCluster platform API". */
    summary: string;
    url: string;
    /** The settings that set `url`, e.g. `ccluster:apiUrl / CCLUSTER_API_URL (default ...)`. */
    urlSource: string;
    timeoutMs: number;
    /** Did it fail before the request was sent? */
    connectPhase: boolean;
    mayHaveSucceeded: boolean;
  },
): PlatformError {
  const code = (cause as { code?: string }).code;
  const at = displayUrl(d.url);
  const timedOut = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
  const what = timedOut
    ? `${d.summary} at ${at} did not answer within ${d.timeoutMs} ms`
    : d.connectPhase
      ? `${d.summary} could not be reached at ${at}`
      : `${d.summary} at ${at} broke off the connection`;
  return new PlatformError(`${what}; the URL comes from ${d.urlSource}`, {
    service: d.service,
    method: d.method,
    path: d.path,
    code: ErrorCodes.NETWORK,
    platformMessage: code || (cause as Error).message,
    mayHaveSucceeded: d.mayHaveSucceeded,
    timedOut,
  });
}

/** The URL without user info, query or fragment: what an error may show of it. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

/** Secrets shorter than this are not looked for: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;
/** A secret's base64 inside a longer base64 text is looked for only from this length on (shorter could be anything). */
const MIN_BASE64_FRAGMENT = 8;
/** Error text is cut to this length, after scrubbing (so a cut never leaves part of a secret unrecognised). */
const MAX_TEXT_LENGTH = 500;

/**
 * Removes anything that looks like a credential from text the platform sent back, so that an
 * echoing server cannot smuggle a secret into our error messages. Each secret is looked for in
 * every form an echo may carry it in (see {@link secretForms}); then credentials in well-known
 * shapes (`Bearer ...`, `Basic ...`, `"password": "..."`, `client_secret=...`) are redacted too.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const form of secretForms(secrets)) out = out.split(form).join("[redacted]");
  return out
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/Basic\s+(?=[A-Za-z0-9+/_-]*[0-9+/=_-])[A-Za-z0-9+/_-]{8,}={0,2}/gi, "Basic [redacted]")
    .replace(/(access_token|refresh_token|client_secret|password|api_key|token)((?:\\*["'])?\s*[:=]\s*(?:\\*["'])?)[^"'\s,}&\\]+/gi, "$1$2[redacted]")
    .slice(0, MAX_TEXT_LENGTH);
}

/**
 * Every form in which a platform may echo these secrets, longest first (so a longer encoded form
 * goes before a shorter one that is part of it). A secret that is a JSON document (a registry
 * credential's `{"username", "password"}`) is also looked for part by part. Each secret and part
 * is taken raw and JSON-escaped (once, and twice for a JSON string embedded in JSON, in the
 * escaping styles of JavaScript, Python and Go), and each of those URL-encoded and base64-encoded.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of withJsonParts(secrets)) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const escaped of jsonEscapedForms(secret)) {
      forms.add(escaped);
      for (const encoded of encodedForms(escaped)) forms.add(encoded);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** The secrets, and the string values inside those that are JSON documents. */
function withJsonParts(secrets: readonly string[]): string[] {
  const out: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const v of Object.values(value)) collect(v);
  };
  for (const secret of secrets) {
    out.push(secret);
    if (!/^\s*[[{]/.test(secret)) continue;
    try {
      collect(JSON.parse(secret));
    } catch {
      // Not JSON after all: the secret as a whole is enough.
    }
  }
  return out;
}

const unicodeEscape = (c: string, upper = false) => {
  const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
  return "\\u" + (upper ? hex.toUpperCase() : hex);
};
/** How JSON encoders escape a string's content (without the quotes). */
const jsonEscapers: ((s: string) => string)[] = [
  (s) => JSON.stringify(s).slice(1, -1), // JavaScript
  (s) => JSON.stringify(s).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => unicodeEscape(c)), // Python's ensure_ascii
  (s) => JSON.stringify(s).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => unicodeEscape(c, true)), // the same, upper-case hex
  (s) => JSON.stringify(s).slice(1, -1).replace(/[<>&\u2028\u2029]/g, (c) => unicodeEscape(c)), // Go's HTML-safe escaping
  (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"), // encoders that escape the slash
];

/** The secret raw, JSON-escaped once, and twice (a JSON document holding it, sent as a JSON string). */
function jsonEscapedForms(secret: string): Set<string> {
  const once = jsonEscapers.map((escape) => escape(secret));
  const twice = once.flatMap((escaped) => jsonEscapers.map((escape) => escape(escaped)));
  return new Set([secret, ...once, ...twice]);
}

/** URL-encoded (path/query and form style, either hex case) and base64 (standard and URL alphabets). */
function encodedForms(text: string): string[] {
  const uri = encodeURIComponent(text);
  const form = new URLSearchParams({ v: text }).toString().slice(2);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  return [uri, lowerHex(uri), form, lowerHex(form), ...base64Forms(text, "base64"), ...base64Forms(text, "base64url")];
}

/**
 * The text's base64 on its own, and the part of its base64 that is the same wherever it sits in a
 * longer encoded text (an HTTP Basic header, an encoded body): that depends on the text's offset
 * modulo 3, so there are three, each without the characters shared with the neighbouring bytes.
 */
function base64Forms(text: string, alphabet: "base64" | "base64url"): string[] {
  const bytes = Buffer.from(text, "utf8");
  const forms = [bytes.toString(alphabet)];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]).toString(alphabet);
    // Character i carries bits 6i..6i+5; keep those made only of the text's bits.
    const fragment = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    if (fragment.length >= MIN_BASE64_FRAGMENT) forms.push(fragment);
  }
  return forms;
}

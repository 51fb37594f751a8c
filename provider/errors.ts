/**
 * The error catalogue of pulumi-ccluster: every stable code the package's errors carry, what it
 * means and what to do about it. The README's troubleshooting table is generated from
 * {@link errorCatalogue} (`npm run docs`), and a test fails when a code is missing from it.
 *
 * Four families of codes, matched on as `error.code` (and, from `pulumi up`, as the `[CODE]`
 * that starts the message); their values never change:
 * - {@link ErrorCodes} (`CCLUSTER_ERR_*`): the platform client ({@link PlatformError});
 * - {@link ProviderErrorCodes} (`CCLUSTER_ERR_*` too): the provider itself ({@link ProviderError});
 * - {@link CertificateErrorCodes} (`CCLUSTER_CERT_*`): the certificate functions ({@link CertificateError});
 * - {@link PemFileErrorCodes} (`CCLUSTER_PEMFILE_*`): the PEM file functions ({@link PemFileError}).
 *
 * @example
 * ```ts
 * import { isProviderError, ProviderErrorCodes } from "pulumi-ccluster/provider";
 * try { await lookupItem({ type: "bearer_tokens", key: "CI" }); }
 * catch (e) { if (isProviderError(e, ProviderErrorCodes.LOOKUP)) { ... } }
 * ```
 */
import { KEY_ALGORITHMS } from "./certificates/algorithms";
import { CertificateErrorCodes, type CertificateErrorCode } from "./certificates/errors";
import { MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from "./certificates/options";
import { ErrorCodes, type ErrorCode } from "./client/errors";
import { PemFileErrorCodes, type PemFileErrorCode } from "./pemfile/errors";

export { ErrorCodes, PlatformError, isPlatformError, type ErrorCode } from "./client/errors";
export { CertificateError, CertificateErrorCodes, type CertificateErrorCode } from "./certificates/errors";
export { PemFileError, PemFileErrorCodes, type PemFileErrorCode } from "./pemfile/errors";

/** Stable codes of the provider's own errors (not the platform client's, certificates' or PEM files'). */
export const ProviderErrorCodes = {
  /** An existing item cannot be adopted (or an adopted one replaced) as declared. */
  ADOPT: "CCLUSTER_ERR_ADOPT",
  /** A create would overwrite a vault item that holds the declared key and visibility. */
  KEY_TAKEN: "CCLUSTER_ERR_KEY_TAKEN",
  /** `pulumi import` cannot take this object (the kind cannot be imported, or nothing has that id). */
  IMPORT: "CCLUSTER_ERR_IMPORT",
  /** A lookup (`getItem`, `getCertificate`) found nothing, was asked wrongly, or found no PEM certificate. */
  LOOKUP: "CCLUSTER_ERR_LOOKUP",
  /** A resource kind or type token this version does not have. */
  UNKNOWN_KIND: "CCLUSTER_ERR_UNKNOWN_KIND",
  /** A registry host name or image reference that is not one. */
  BAD_REGISTRY: "CCLUSTER_ERR_BAD_REGISTRY",
  /** The provider plugin cannot answer the engine (no schema.json, an unknown schema version). */
  PLUGIN: "CCLUSTER_ERR_PLUGIN",
  /** `CCLUSTER_NOW` is set but is not an ISO 8601 date. */
  BAD_NOW: "CCLUSTER_ERR_BAD_NOW",
  /** A kind's declaration breaks the lifecycle's contract: a bug in the package. */
  KIND_DECLARATION: "CCLUSTER_ERR_KIND_DECLARATION",
} as const;

/** One of the {@link ProviderErrorCodes} values. */
export type ProviderErrorCode = (typeof ProviderErrorCodes)[keyof typeof ProviderErrorCodes];

/** Any stable code of the package. */
export type CclusterErrorCode = ErrorCode | ProviderErrorCode | CertificateErrorCode | PemFileErrorCode;

/**
 * The error type of the provider's own refusals. Like {@link PlatformError}, its message starts
 * with its code in brackets (through the Pulumi engine only the message reaches the user), and
 * it never holds a secret: messages are built from ids, keys, names and types only.
 *
 * @example
 * ```ts
 * throw new ProviderError(ProviderErrorCodes.LOOKUP, `getItem: no vault item with id ${id} is visible to these credentials`);
 * // message: "[CCLUSTER_ERR_LOOKUP] getItem: no vault item with id 7 is visible to these credentials"
 * ```
 */
export class ProviderError extends Error {
  /** Stable code to match on. */
  readonly code: ProviderErrorCode;
  /** The message without the code, e.g. to fold into a `check` failure that names the property. */
  readonly summary: string;

  constructor(code: ProviderErrorCode, summary: string, options?: { cause?: unknown }) {
    super(`[${code}] ${summary}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "ProviderError";
    this.code = code;
    this.summary = summary;
  }
}

export function isProviderError(e: unknown, code?: ProviderErrorCode): e is ProviderError {
  return e instanceof ProviderError && (code === undefined || e.code === code);
}

/** What a code means and what the user should do, one sentence each. */
export interface CatalogueEntry {
  meaning: string;
  action: string;
}

/** Every code of every family, with its meaning and what to do. The compiler refuses a missing code. */
export const errorCatalogue: Readonly<Record<CclusterErrorCode, CatalogueEntry>> = {
  // The platform client (PlatformError).
  [ErrorCodes.CONFIG]: {
    meaning: "the provider's settings are missing or invalid: neither a token nor a service account (for `aigateway.AuthToken`: no gateway credentials), half a service account, an empty token, a token URL or retry timeout that is not valid",
    action: "set what the message names (`ccluster:token` as a secret, or the service-account settings; see [Configuration](#configuration)); it names the environment variables too",
  },
  [ErrorCodes.AUTH]: {
    meaning: "the platform refused the credentials (401: a wrong or expired token, a refused service account) or denied this request to them (403: valid, but without the permission)",
    action: "check the token, or the service account's id and secret (the message never shows them); for a 403 use credentials of the item's owner or organisation",
  },
  [ErrorCodes.NOT_FOUND]: {
    meaning: "the platform has no such item, or not one these credentials may see (404)",
    action: "check the id and that the credentials are the owner's; `pulumi refresh` drops what is gone from the state",
  },
  [ErrorCodes.CONFLICT]: {
    meaning: "the platform refused a duplicate (409), e.g. an `aigateway.AuthToken` name that a token no state records already has (perhaps left by a killed `up`)",
    action: "`adoptExisting: true` (a gateway token: deletes it and makes a new one), or choose another name",
  },
  [ErrorCodes.VALIDATION]: {
    meaning: "the platform rejected the request (422 or 400) although `check` accepted it; the message names the fields",
    action: "fix the input it names; if the input looks right, report it (the local checks should have caught it)",
  },
  [ErrorCodes.RATE_LIMITED]: {
    meaning: "the platform kept answering 429 for a whole retry budget (`ccluster:retryTimeoutSeconds`, default 60 s, with backoff and its `Retry-After`)",
    action: "run `pulumi up` again (creates are safe to repeat), or give it more time: `pulumi config set ccluster:retryTimeoutSeconds 180`",
  },
  [ErrorCodes.SERVER]: {
    meaning: "the platform kept failing (5xx) for a whole retry budget, or failed in a way not worth retrying",
    action: "run `pulumi up` again (creates are safe to repeat), or give a slow platform more time: `pulumi config set ccluster:retryTimeoutSeconds 180`",
  },
  [ErrorCodes.HTTP]: {
    meaning: "the platform answered with a status the client does not expect",
    action: "run again; if it persists, report it with the method, path and status the message shows",
  },
  [ErrorCodes.NETWORK]: {
    meaning: "nothing answered at the URL the message names (refused, reset, or no answer in time); the message names the setting the URL comes from",
    action: "set that setting to the right URL (the emulator's, to try things locally), or fix the network (for the default `https://api.centml.com`: internet access, a proxy)",
  },
  [ErrorCodes.BAD_RESPONSE]: {
    meaning: "an answer did not have the shape the platform's API documents",
    action: "check that the URL points at the platform API and not at a web page or proxy; otherwise report it",
  },
  // The provider (ProviderError).
  [ProviderErrorCodes.KEY_TAKEN]: {
    meaning: "an item with the declared key and visibility already exists in the vault, and no state records it",
    action: "set `adoptExisting: true` (or `existingId`) to take it over, or choose another key",
  },
  [ProviderErrorCodes.ADOPT]: {
    meaning: "an existing item cannot be adopted as declared (no item with that `existingId` is visible, it has another type or key, or the kind's secret is shown only when it is made), or a change would replace an item adopted by `existingId`, which deletes it",
    action: "fix `existingId` or `key`; adopt by key (`key` + `adoptExisting: true`) so a replacement can make its successor; for a kind that cannot adopt, declare a new one",
  },
  [ProviderErrorCodes.IMPORT]: {
    meaning: "`pulumi import` cannot take this object: nothing with that id is visible to these credentials, or the kind cannot be imported (serverless API keys and gateway tokens show their secret only when made)",
    action: "check the id and the credentials; for a kind that cannot be imported declare a new one (a gateway token: `adoptExisting: true`)",
  },
  [ProviderErrorCodes.LOOKUP]: {
    meaning: "`getItem` or `getCertificate` found no such item visible to these credentials, was given neither an id nor a type and key, or found an item that holds no PEM certificate",
    action: "check the id, or the type, key and visibility (default `USER`), and whose credentials the stack uses",
  },
  [ProviderErrorCodes.UNKNOWN_KIND]: {
    meaning: "a resource kind or type token this version of pulumi-ccluster does not have",
    action: "use a type from the resource table above, or install the pulumi-ccluster version that wrote the program or state",
  },
  [ProviderErrorCodes.BAD_REGISTRY]: {
    meaning: "a container registry host name or image reference that is not one",
    action: "give a host such as `docker.io` or `<account>.dkr.ecr.<region>.amazonaws.com`, or an image such as `ghcr.io/org/app:tag`",
  },
  [ProviderErrorCodes.PLUGIN]: {
    meaning: "the provider plugin cannot answer the engine: its `schema.json` is missing, or the engine asked for a schema version it does not serve",
    action: "reinstall pulumi-ccluster (the plugin runs from the package), with a Pulumi CLI of 3.x",
  },
  [ProviderErrorCodes.BAD_NOW]: {
    meaning: "`CCLUSTER_NOW`, which moves the provider's clock, is set but is not an ISO 8601 date",
    action: "unset it, or give a date such as `CCLUSTER_NOW=2027-01-01`",
  },
  [ProviderErrorCodes.KIND_DECLARATION]: {
    meaning: "a resource kind's declaration breaks the lifecycle's contract: a bug in pulumi-ccluster",
    action: "report it, with the message",
  },
  // The certificate functions (CertificateError); `check` reports these as failures naming the property.
  [CertificateErrorCodes.INVALID_PEM]: {
    meaning: "the text is not one PEM certificate that parses (none, several, or a broken one)",
    action: "give exactly one `-----BEGIN CERTIFICATE-----` block",
  },
  [CertificateErrorCodes.CONTAINS_PRIVATE_KEY]: {
    meaning: "a certificate PEM also holds a private key, which would be stored in the vault",
    action: "give the certificate alone, and keep the key out of the stack",
  },
  [CertificateErrorCodes.NOT_A_CA]: {
    meaning: "the certificate is not a CA (BasicConstraints CA is false or absent, or keyUsage lacks keyCertSign)",
    action: "give the CA certificate that issued the clients' certificates, not a leaf",
  },
  [CertificateErrorCodes.WEAK_KEY]: {
    meaning: "the CA's key is too weak to trust: RSA under 2048 bits, a curve weaker than P-256, or DSA",
    action: "issue a CA with a stronger key, or let `Certificate` generate one",
  },
  [CertificateErrorCodes.EXPIRED]: {
    meaning: "the certificate's notAfter has passed",
    action: "renew the CA, or let `Certificate` generate one",
  },
  [CertificateErrorCodes.NOT_YET_VALID]: {
    meaning: "the certificate's notBefore is in the future",
    action: "check the issuing machine's clock (and `CCLUSTER_NOW`), or wait until it is valid",
  },
  [CertificateErrorCodes.BAD_VALIDITY]: {
    meaning: `validityDays is not a whole number from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS}`,
    action: "give a whole number of days in that range",
  },
  [CertificateErrorCodes.BAD_ALGORITHM]: {
    meaning: "algorithm is not a supported key algorithm",
    action: `use one of ${KEY_ALGORITHMS.map((a) => `\`${a}\``).join(", ")}`,
  },
  [CertificateErrorCodes.BAD_NAME]: {
    meaning: "the certificate's name (its key) is empty, has characters other than letters, digits, `-` and `_`, or makes a common name longer than 64 characters",
    action: "choose a shorter key of letters, digits, `-` and `_`",
  },
  [CertificateErrorCodes.BAD_DOMAIN]: {
    meaning: "domain is not a DNS name",
    action: "give a DNS name such as `user.centml.ai` (the default)",
  },
  [CertificateErrorCodes.BAD_EARLY_RENEWAL]: {
    meaning: "earlyRenewalDays is negative, fractional, or not shorter than the validity",
    action: "give a whole number of days shorter than validityDays",
  },
  [CertificateErrorCodes.BAD_DATE]: {
    meaning: "a date given to a certificate function is not a valid date",
    action: "pass a valid `Date`",
  },
  // The PEM file functions (PemFileError).
  [PemFileErrorCodes.BAD_INPUT]: {
    meaning: "a PEM file's path, content or mode is not acceptable",
    action: "the message names the rule; fix that input",
  },
  [PemFileErrorCodes.PARENT_UNCREATABLE]: {
    meaning: "a missing parent folder could not be created (an ancestor is a file, or creation was refused)",
    action: "create the folder, or pick a path you may write to",
  },
  [PemFileErrorCodes.UNWRITABLE]: {
    meaning: "the folder exists but no file can be created in it",
    action: "pick a folder you may write to, or change its permissions",
  },
  [PemFileErrorCodes.IS_DIRECTORY]: {
    meaning: "the path names a directory",
    action: "give the path of a file, e.g. `certs/my-endpoint.pem`",
  },
  [PemFileErrorCodes.NOT_A_REGULAR_FILE]: {
    meaning: "the path names a symbolic link, socket, FIFO or device",
    action: "give the path of a regular file (links are not followed)",
  },
  [PemFileErrorCodes.REFUSED_OVERWRITE]: {
    meaning: "a file this stack did not write is at the `PemFile` path",
    action: "move it away, or set `overwrite: true`",
  },
  [PemFileErrorCodes.IO]: {
    meaning: "another I/O failure (disk full, an I/O error, ...); the message carries the operating system's code",
    action: "fix what that code says, then run again",
  },
};

/** The code families, in the order the catalogue documents them. */
export const errorCodeFamilies = {
  platform: ErrorCodes,
  provider: ProviderErrorCodes,
  certificate: CertificateErrorCodes,
  pemFile: PemFileErrorCodes,
} as const;

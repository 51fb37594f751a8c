/**
 * Validation of certificate generation options, separate from generation so a resource's
 * `check` can reject bad input before anything is generated or sent.
 */
import { DEFAULT_KEY_ALGORITHM, isKeyAlgorithm, KEY_ALGORITHMS, type KeyAlgorithm } from "./algorithms";
import { CertificateError, CertificateErrorCodes } from "./errors";

/** Domain the platform's CLI puts after the certificate name in both common names. */
export const DEFAULT_DOMAIN = "user.centml.ai";
/** Validity when none is given: a year, under the policy pack's 397-day limit (the platform's CLI uses 5 years, which that limit refuses). */
export const DEFAULT_VALIDITY_DAYS = 365;
/** Shortest allowed validity. */
export const MIN_VALIDITY_DAYS = 1;
/** Longest allowed validity (10 years). */
export const MAX_VALIDITY_DAYS = 3650;
/** notBefore is back-dated by this much so a client whose clock is a little behind accepts the certificate. */
export const CLOCK_SKEW_MINUTES = 5;

// RFC 5280 upper bound for a commonName; OpenSSL and Python's cryptography (the platform CLI) refuse longer ones.
const MAX_COMMON_NAME_LENGTH = 64;
// Assumed rule (the platform does not publish one): the name becomes one DNS-like label of the
// common name, so letters, digits, '-' and '_', starting and ending with a letter or digit.
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;
const DNS_LABEL_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** What a caller may pass to {@link generateCertificates}. */
export interface CertificateOptions {
  /** Certificate name `N`; common names become `ca.N.<domain>` and `client.N.<domain>`. */
  name: string;
  /** DNS domain after the name. Default {@link DEFAULT_DOMAIN}. */
  domain?: string;
  /** Key algorithm of both keys. Default `ECDSA_P384` (what the platform's CLI uses). */
  algorithm?: KeyAlgorithm | string;
  /** Days from now until notAfter, 1..3650. Default 365. */
  validityDays?: number;
  /** Days before notAfter at which {@link renewalDue} says "renew". Default 0; must be less than validityDays. */
  earlyRenewalDays?: number;
}

/** Options with defaults applied and every rule checked. */
export interface ResolvedCertificateOptions {
  name: string;
  domain: string;
  algorithm: KeyAlgorithm;
  validityDays: number;
  earlyRenewalDays: number;
  /** `ca.<name>.<domain>` */
  caCommonName: string;
  /** `client.<name>.<domain>` */
  clientCommonName: string;
}

function fail(code: (typeof CertificateErrorCodes)[keyof typeof CertificateErrorCodes], property: string, message: string): never {
  throw new CertificateError(code, property, message);
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Applies defaults and checks every rule; throws a {@link CertificateError} naming the
 * property and the rule on the first violation.
 *
 * @example
 * ```ts
 * const opts = resolveCertificateOptions({ name: "my-endpoint", validityDays: 90 });
 * opts.clientCommonName; // "client.my-endpoint.user.centml.ai"
 * ```
 */
export function resolveCertificateOptions(input: CertificateOptions): ResolvedCertificateOptions {
  const { name } = input;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    fail(
      CertificateErrorCodes.BAD_NAME,
      "name",
      `name must be letters, digits, '-' or '_', starting and ending with a letter or digit (got ${describe(name)})`,
    );
  }

  const domain = input.domain ?? DEFAULT_DOMAIN;
  if (typeof domain !== "string" || domain.length > 253 || !domain.split(".").every((label) => DNS_LABEL_PATTERN.test(label))) {
    fail(CertificateErrorCodes.BAD_DOMAIN, "domain", `domain must be a DNS name such as "user.centml.ai" (got ${describe(domain)})`);
  }

  const algorithm = input.algorithm ?? DEFAULT_KEY_ALGORITHM;
  if (!isKeyAlgorithm(algorithm)) {
    fail(CertificateErrorCodes.BAD_ALGORITHM, "algorithm", `algorithm must be one of ${KEY_ALGORITHMS.join(", ")} (got ${describe(algorithm)})`);
  }

  const validityDays = input.validityDays ?? DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < MIN_VALIDITY_DAYS || validityDays > MAX_VALIDITY_DAYS) {
    fail(
      CertificateErrorCodes.BAD_VALIDITY,
      "validityDays",
      `validityDays must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS} (got ${describe(validityDays)})`,
    );
  }

  const earlyRenewalDays = input.earlyRenewalDays ?? 0;
  if (!Number.isInteger(earlyRenewalDays) || earlyRenewalDays < 0) {
    fail(CertificateErrorCodes.BAD_EARLY_RENEWAL, "earlyRenewalDays", `earlyRenewalDays must be a whole number of days, 0 or more (got ${describe(earlyRenewalDays)})`);
  }
  if (earlyRenewalDays >= validityDays) {
    // Otherwise every deployment would find the new certificate already due and replace it again.
    fail(
      CertificateErrorCodes.BAD_EARLY_RENEWAL,
      "earlyRenewalDays",
      `earlyRenewalDays must be less than validityDays (got ${earlyRenewalDays} and ${validityDays})`,
    );
  }

  const caCommonName = `ca.${name}.${domain}`;
  const clientCommonName = `client.${name}.${domain}`;
  // The client name is the longer of the two; `room` is what is left for the name.
  const room = MAX_COMMON_NAME_LENGTH - `client..${domain}`.length;
  if (room < 1) {
    fail(
      CertificateErrorCodes.BAD_DOMAIN,
      "domain",
      `domain leaves no room for a name in a common name of at most ${MAX_COMMON_NAME_LENGTH} characters (got ${describe(domain)})`,
    );
  }
  if (clientCommonName.length > MAX_COMMON_NAME_LENGTH) {
    fail(
      CertificateErrorCodes.BAD_NAME,
      "name",
      `name makes the common name "${clientCommonName}" longer than ${MAX_COMMON_NAME_LENGTH} characters; with domain "${domain}" the name may have at most ${room}`,
    );
  }

  return { name, domain, algorithm, validityDays, earlyRenewalDays, caCommonName, clientCommonName };
}

/**
 * Typed errors of the certificate library.
 *
 * Callers and tests match on `code` (stable), never on message text. A message names the
 * property and the rule it broke; it never contains PEM text or key material.
 */

/** Stable error codes of certificate generation and validation. */
export const CertificateErrorCodes = {
  /** The text is not a PEM certificate, holds no or several certificates, or does not parse. */
  INVALID_PEM: "CCLUSTER_CERT_INVALID_PEM",
  /** A certificate PEM also carries a private key (it would be stored in the vault). */
  CONTAINS_PRIVATE_KEY: "CCLUSTER_CERT_CONTAINS_PRIVATE_KEY",
  /** The certificate is not a CA: BasicConstraints CA=false or absent, or keyUsage lacks keyCertSign. */
  NOT_A_CA: "CCLUSTER_CERT_NOT_A_CA",
  /** The CA's key is too weak to trust: RSA under 2048 bits, an ECDSA curve weaker than P-256, or DSA. */
  WEAK_KEY: "CCLUSTER_CERT_WEAK_KEY",
  /** The certificate's notAfter is in the past. */
  EXPIRED: "CCLUSTER_CERT_EXPIRED",
  /** The certificate's notBefore is in the future. */
  NOT_YET_VALID: "CCLUSTER_CERT_NOT_YET_VALID",
  /** validityDays is not a whole number in the allowed range. */
  BAD_VALIDITY: "CCLUSTER_CERT_BAD_VALIDITY",
  /** algorithm is not one of the supported key algorithms. */
  BAD_ALGORITHM: "CCLUSTER_CERT_BAD_ALGORITHM",
  /** The certificate name is empty, has forbidden characters, or makes a common name too long. */
  BAD_NAME: "CCLUSTER_CERT_BAD_NAME",
  /** The domain is not a DNS name. */
  BAD_DOMAIN: "CCLUSTER_CERT_BAD_DOMAIN",
  /** earlyRenewalDays is negative, fractional, or not shorter than the validity. */
  BAD_EARLY_RENEWAL: "CCLUSTER_CERT_BAD_EARLY_RENEWAL",
  /** A date argument is not a valid date. */
  BAD_DATE: "CCLUSTER_CERT_BAD_DATE",
} as const;

/** One of the {@link CertificateErrorCodes} values. */
export type CertificateErrorCode = (typeof CertificateErrorCodes)[keyof typeof CertificateErrorCodes];

/**
 * The one error type the certificate library throws for bad input.
 *
 * @example
 * ```ts
 * try { validateCaCertificate(pem); }
 * catch (e) { if (e instanceof CertificateError && e.code === CertificateErrorCodes.EXPIRED) { ... } }
 * ```
 */
export class CertificateError extends Error {
  /** Stable code to match on. */
  readonly code: CertificateErrorCode;
  /** The input property the error is about, e.g. `validityDays`. */
  readonly property: string;

  constructor(code: CertificateErrorCode, property: string, message: string) {
    super(message);
    this.name = "CertificateError";
    this.code = code;
    this.property = property;
  }
}

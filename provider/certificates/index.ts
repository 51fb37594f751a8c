/**
 * Certificate library of the provider: generation of a CA + client certificate pair like the
 * platform's CLI, validation of a user's own CA, and the renewal rule. Pure functions with
 * no state of their own; the `Certificate` resource wraps them.
 *
 * @example
 * ```ts
 * import { generateCertificates, renewalDue } from "./provider/certificates";
 * const certs = await generateCertificates({ name: "my-endpoint", algorithm: "ECDSA_P384" });
 * renewalDue({ notAfter: certs.notAfter, earlyRenewalDays: 30 }); // "ok"
 * ```
 */
export { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS, isKeyAlgorithm, type KeyAlgorithm } from "./algorithms";
export { CertificateError, CertificateErrorCodes, type CertificateErrorCode } from "./errors";
export { normalizeSerial, sha256Fingerprint } from "./fingerprint";
export { generateCertificates, type GenerateCertificatesOptions, type GeneratedCertificates } from "./generate";
export {
  CLOCK_SKEW_MINUTES,
  DEFAULT_DOMAIN,
  DEFAULT_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  MIN_VALIDITY_DAYS,
  resolveCertificateOptions,
  type CertificateOptions,
  type ResolvedCertificateOptions,
} from "./options";
export { renewalDue, type RenewalInput, type RenewalState } from "./renewal";
export { validateCaCertificate, type CaCertificateInfo, type ValidateCaOptions } from "./validate";

/**
 * Checks of a CA certificate the user brings ("use your own certificate"): it must be one
 * parseable PEM certificate, be a CA with a key that is never too weak, and be valid now.
 */
import { X509Certificate as NodeX509Certificate } from "node:crypto";
import { CertificateError, CertificateErrorCodes } from "./errors";
import { normalizeSerial, sha256Fingerprint } from "./fingerprint";
import { loadX509 } from "./x509";

/** What {@link validateCaCertificate} found out about an acceptable CA certificate. */
export interface CaCertificateInfo {
  /** The certificate alone, as a clean PEM block (text around it removed). */
  certificatePem: string;
  /** Subject as an RFC 4514 string, e.g. `CN=ca.my-endpoint.user.centml.ai`. */
  subject: string;
  /** Issuer as an RFC 4514 string. */
  issuer: string;
  /** True when subject equals issuer (a root CA rather than an intermediate). */
  selfIssued: boolean;
  /** ISO 8601. */
  notBefore: string;
  /** ISO 8601. */
  notAfter: string;
  /** SHA-256 fingerprint, colon hex, upper case. */
  fingerprintSha256: string;
  /** Serial number, hex, upper case. */
  serialNumber: string;
}

/** Options of {@link validateCaCertificate}. */
export interface ValidateCaOptions {
  /** Property name used in error messages. Default `caCertificate`. */
  property?: string;
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**
 * The floor no configuration lowers: the policy pack's `key-strength` rule accepts nothing
 * weaker either (its `minRsaBits` is at least 2048, its weakest curve P-256).
 */
export const MIN_CA_RSA_BITS = 2048;
const ACCEPTED_CURVES: Readonly<Record<string, string>> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

/** Why the certificate's public key is too weak for a trust anchor, or undefined. */
function weakKey(der: Buffer): string | undefined {
  const key = new NodeX509Certificate(der).publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return details.modulusLength !== undefined && details.modulusLength < MIN_CA_RSA_BITS
        ? `has an RSA ${details.modulusLength}-bit key; a CA needs at least ${MIN_CA_RSA_BITS} bits`
        : undefined;
    case "ec":
      return details.namedCurve !== undefined && !(details.namedCurve in ACCEPTED_CURVES)
        ? `has an ECDSA key on curve ${details.namedCurve}; a CA needs P-256, P-384 or P-521`
        : undefined;
    case "dsa":
      return "has a DSA key; DSA is not allowed (use ECDSA P-256 or stronger, or RSA of at least 2048 bits)";
    default:
      return undefined;
  }
}
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]*?)\s*-----END CERTIFICATE-----/;

function pemBody(base64: string): string {
  return base64.replace(/\s+/g, "").match(/.{1,64}/g)!.join("\n");
}

/**
 * Checks that `pem` holds exactly one X.509 certificate that is a CA (BasicConstraints
 * CA=true, and keyCertSign if it has a key usage extension), has a key that is not too weak
 * (RSA of at least 2048 bits, ECDSA on P-256/384/521, never DSA) and is valid at `now`. Throws a
 * {@link CertificateError} naming the rule (codes `..._INVALID_PEM`,
 * `..._CONTAINS_PRIVATE_KEY`, `..._NOT_A_CA`, `..._WEAK_KEY`, `..._NOT_YET_VALID`, `..._EXPIRED`);
 * the message never quotes the PEM.
 *
 * @example
 * ```ts
 * const info = validateCaCertificate(fs.readFileSync("ca.pem", "utf8"));
 * info.notAfter; // "2027-05-01T12:00:00.000Z"
 * ```
 */
export function validateCaCertificate(pem: string, now: Date = new Date(), options: ValidateCaOptions = {}): CaCertificateInfo {
  const property = options.property ?? "caCertificate";
  const invalid = (rule: string): never => {
    throw new CertificateError(CertificateErrorCodes.INVALID_PEM, property, `${property} ${rule}`);
  };
  if (typeof pem !== "string") invalid("must be a PEM string");
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new CertificateError(CertificateErrorCodes.BAD_DATE, "now", "now must be a valid Date");
  }

  const labels = [...pem.matchAll(PEM_BEGIN)].map((match) => match[1]);
  if (labels.some((label) => label.includes("PRIVATE KEY"))) {
    // Whatever is accepted here ends up in the vault as the endpoint's trust anchor.
    throw new CertificateError(
      CertificateErrorCodes.CONTAINS_PRIVATE_KEY,
      property,
      `${property} must contain only the CA certificate, but it also contains a private key; remove the key block`,
    );
  }
  const certificateCount = labels.filter((label) => label === "CERTIFICATE").length;
  if (certificateCount === 0) invalid("must be a PEM certificate (a -----BEGIN CERTIFICATE----- block), but none was found");
  if (certificateCount > 1) invalid(`must contain exactly one certificate, but it contains ${certificateCount}`);

  const block = CERTIFICATE_BLOCK.exec(pem);
  if (!block || block[1].trim() === "") invalid("has a CERTIFICATE block that is not valid base64");
  const body = pemBody(block![1]);
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

  const x509 = loadX509();
  let certificate: InstanceType<typeof x509.X509Certificate>;
  try {
    certificate = new x509.X509Certificate(Buffer.from(body, "base64"));
  } catch {
    // The parser's own message may quote bytes of the input, so it is not passed on.
    return invalid("is not a parseable X.509 certificate");
  }

  const basicConstraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (!basicConstraints || !basicConstraints.ca) {
    throw new CertificateError(
      CertificateErrorCodes.NOT_A_CA,
      property,
      `${property} must be a CA certificate (BasicConstraints CA=true), but ${basicConstraints ? "it has CA=false" : "it has no BasicConstraints extension"}`,
    );
  }
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage && (keyUsage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new CertificateError(
      CertificateErrorCodes.NOT_A_CA,
      property,
      `${property} must be allowed to sign certificates, but its keyUsage lacks keyCertSign`,
    );
  }

  let weak: string | undefined;
  try {
    weak = weakKey(Buffer.from(body, "base64"));
  } catch {
    return invalid("is not a parseable X.509 certificate");
  }
  if (weak) throw new CertificateError(CertificateErrorCodes.WEAK_KEY, property, `${property} ${weak}`);

  const notBefore = certificate.notBefore;
  const notAfter = certificate.notAfter;
  if (now.getTime() < notBefore.getTime()) {
    throw new CertificateError(
      CertificateErrorCodes.NOT_YET_VALID,
      property,
      `${property} is not valid yet: its notBefore is ${notBefore.toISOString()}, after now (${now.toISOString()})`,
    );
  }
  if (now.getTime() > notAfter.getTime()) {
    throw new CertificateError(
      CertificateErrorCodes.EXPIRED,
      property,
      `${property} has expired: its notAfter was ${notAfter.toISOString()}, before now (${now.toISOString()})`,
    );
  }

  return {
    certificatePem,
    subject: certificate.subject,
    issuer: certificate.issuer,
    selfIssued: certificate.subject === certificate.issuer,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    fingerprintSha256: sha256Fingerprint(certificate.rawData),
    serialNumber: normalizeSerial(certificate.serialNumber),
  };
}

/** Certificate identifiers in the formats users compare against OpenSSL and Node. */
import { createHash } from "node:crypto";

/**
 * SHA-256 fingerprint of a DER certificate as colon-separated upper-case hex, the format of
 * `openssl x509 -fingerprint -sha256` and Node's `X509Certificate.fingerprint256`.
 */
export function sha256Fingerprint(der: Uint8Array | ArrayBuffer): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const hex = createHash("sha256").update(bytes).digest("hex").toUpperCase();
  return hex.match(/../g)!.join(":");
}

/**
 * Upper-case hex serial without a sign byte, the format of `openssl x509 -serial` and Node's
 * `X509Certificate.serialNumber`.
 */
export function normalizeSerial(hex: string): string {
  const upper = hex.toUpperCase();
  // DER keeps a leading 00 only to mark a positive number whose high bit is set.
  return upper.length > 2 && upper.startsWith("00") ? upper.slice(2) : upper;
}

/**
 * The key algorithms a generated certificate can use, and everything that depends on the
 * choice: WebCrypto key generation parameters, the signature hash, and whether the client
 * certificate may also encipher keys (RSA only).
 */
import type { webcrypto } from "node:crypto";

/** Supported key algorithms. `ECDSA_P384` is what the platform's own CLI generates. */
export const KEY_ALGORITHMS = ["ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096"] as const;

/** One of {@link KEY_ALGORITHMS}. */
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** The platform CLI's choice. */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA_P384";

/** How one {@link KeyAlgorithm} maps onto WebCrypto and X.509. @internal */
export interface KeyAlgorithmSpec {
  /** Parameters for `subtle.generateKey`. */
  generateParams: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
  /** Parameters for signing a certificate with a key of this algorithm. */
  signingParams: webcrypto.EcdsaParams | webcrypto.Algorithm;
  /** Signature hash, as WebCrypto names it. */
  hash: "SHA-256" | "SHA-384";
  /** RSA keys can also encipher session keys (TLS RSA key exchange); EC keys cannot. */
  keyEncipherment: boolean;
}

// The public exponent every RSA library defaults to (65537).
const RSA_PUBLIC_EXPONENT = new Uint8Array([0x01, 0x00, 0x01]);

function rsa(modulusLength: number): KeyAlgorithmSpec {
  // For RSASSA-PKCS1-v1_5 the hash is bound to the key, so it is set at generation time.
  return {
    generateParams: { name: "RSASSA-PKCS1-v1_5", modulusLength, publicExponent: RSA_PUBLIC_EXPONENT, hash: "SHA-256" },
    signingParams: { name: "RSASSA-PKCS1-v1_5" },
    hash: "SHA-256",
    keyEncipherment: true,
  };
}

function ecdsa(namedCurve: "P-256" | "P-384", hash: "SHA-256" | "SHA-384"): KeyAlgorithmSpec {
  return {
    generateParams: { name: "ECDSA", namedCurve },
    signingParams: { name: "ECDSA", hash },
    hash,
    keyEncipherment: false,
  };
}

/** @internal */
export const KEY_ALGORITHM_SPECS: Readonly<Record<KeyAlgorithm, KeyAlgorithmSpec>> = {
  ECDSA_P256: ecdsa("P-256", "SHA-256"),
  ECDSA_P384: ecdsa("P-384", "SHA-384"),
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
};

/** True when `value` names a supported key algorithm. */
export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === "string" && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

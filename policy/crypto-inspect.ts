/**
 * Reads just enough of public keys, certificates and private keys to judge their strength:
 * OpenSSH public key lines (RFC 4253 §6.6 wire format), PEM blocks, and an X.509 certificate's
 * signature algorithm. Node's crypto parses keys and certificates; it does not expose the
 * signature algorithm on Node 20, so that one field is read from the DER by hand.
 * Nothing here returns or logs key material.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { mpintBitLength, SshWireReader } from "../provider/formats/ssh-wire";

/** What a key is, as far as strength goes. */
export interface KeyFacts {
  /** `rsa`, `ec`, `ed25519`, `ed448`, `dsa`, or another name for anything else. */
  type: string;
  /** RSA modulus size. */
  bits?: number;
  /** Normalised NIST curve name (`P-256`, ...) or the curve's own name when it is not a NIST one. */
  curve?: string;
}

/** Bit strength rank of the NIST curves; anything else is not an approved curve. */
export const CURVE_BITS: Readonly<Record<string, number>> = { "P-224": 224, "P-256": 256, "P-384": 384, "P-521": 521 };

const curveAliases: Record<string, string> = {
  p224: "P-224", secp224r1: "P-224", nistp224: "P-224",
  p256: "P-256", secp256r1: "P-256", prime256v1: "P-256", nistp256: "P-256",
  p384: "P-384", secp384r1: "P-384", nistp384: "P-384",
  p521: "P-521", secp521r1: "P-521", nistp521: "P-521",
};

/** `P224`, `secp384r1`, `prime256v1`, `nistp521`, ... → `P-224`, `P-384`, ...; other names unchanged. */
export function normalizeCurve(name: string): string {
  return curveAliases[name.toLowerCase().replace(/-/g, "")] ?? name;
}

// ------------------------------------------------------------------------------------------
// OpenSSH public keys
// ------------------------------------------------------------------------------------------

const CERT_SUFFIX = "-cert-v01@openssh.com";

/** Facts about an SSH public key blob (the base64-decoded middle of a key line). */
export function sshBlobFacts(blob: Buffer): KeyFacts & { sshType: string } {
  const r = new SshWireReader(blob);
  let sshType = r.string().toString("latin1");
  if (sshType.endsWith(CERT_SUFFIX)) {
    r.string(); // certificate nonce precedes the key fields
    sshType = sshType.slice(0, -CERT_SUFFIX.length);
  }
  if (sshType === "ssh-rsa") {
    r.string(); // public exponent
    return { sshType, type: "rsa", bits: mpintBitLength(r.string()) };
  }
  if (sshType === "ssh-dss") return { sshType, type: "dsa" };
  if (sshType === "ssh-ed25519" || sshType === "sk-ssh-ed25519@openssh.com") return { sshType, type: "ed25519" };
  const ec = /^(?:sk-)?ecdsa-sha2-(nistp\d+)(?:@openssh\.com)?$/.exec(sshType);
  if (ec) return { sshType, type: "ec", curve: normalizeCurve(ec[1]) };
  return { sshType, type: sshType };
}

/** Facts about an OpenSSH public key line (`<type> <base64> [comment]`); undefined when it does not parse. */
export function sshPublicKeyFacts(line: string): (KeyFacts & { sshType: string }) | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) return undefined;
  try {
    return sshBlobFacts(Buffer.from(parts[1], "base64"));
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------
// PEM
// ------------------------------------------------------------------------------------------

/** One PEM block's label and the block itself. */
export interface PemBlock {
  label: string;
  text: string;
}

/** The PEM blocks in a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  return [...text.matchAll(re)].map((m) => ({ label: m[1], text: m[0] }));
}

function keyObjectFacts(k: KeyObject): KeyFacts {
  const type = k.asymmetricKeyType ?? "unknown";
  const d = k.asymmetricKeyDetails ?? {};
  if (type === "rsa" || type === "rsa-pss") return { type: "rsa", bits: d.modulusLength };
  if (type === "ec") return { type, curve: d.namedCurve ? normalizeCurve(d.namedCurve) : undefined };
  return { type };
}

/** What one PEM block holds, for strength checks. */
export type PemFacts =
  | { what: "certificate"; key: KeyFacts; signatureHash?: string }
  | { what: "private key" | "public key"; key: KeyFacts }
  | { what: "unreadable"; label: string };

const OPENSSH_MAGIC = "openssh-key-v1\0";

/** Facts about each certificate and private key in a PEM text; encrypted keys and other blocks are skipped. */
export function pemFacts(text: string): PemFacts[] {
  const out: PemFacts[] = [];
  for (const block of pemBlocks(text)) {
    try {
      if (block.label === "CERTIFICATE") {
        const cert = new X509Certificate(block.text);
        out.push({ what: "certificate", key: keyObjectFacts(cert.publicKey), signatureHash: signatureHashOrUndefined(cert.raw) });
      } else if (block.label === "OPENSSH PRIVATE KEY") {
        // The format keeps the public key in clear before the (maybe encrypted) private part.
        const body = Buffer.from(block.text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
        if (body.subarray(0, OPENSSH_MAGIC.length).toString("latin1") !== OPENSSH_MAGIC) throw new Error("not openssh-key-v1");
        // cipher, kdf and kdf options, then a uint32 key count, then the first public key blob
        const reader = new SshWireReader(body.subarray(OPENSSH_MAGIC.length));
        for (let field = 0; field < 3; field++) reader.string();
        reader.uint32();
        const pub = reader.string();
        const { type, bits, curve } = sshBlobFacts(pub);
        out.push({ what: "private key", key: { type, bits, curve } });
      } else if (/^(?:RSA |EC |DSA )?PRIVATE KEY$/.test(block.label)) {
        out.push({ what: "private key", key: keyObjectFacts(createPrivateKey(block.text)) });
      } else if (/^(?:RSA )?PUBLIC KEY$/.test(block.label)) {
        out.push({ what: "public key", key: keyObjectFacts(createPublicKey(block.text)) });
      }
    } catch {
      out.push({ what: "unreadable", label: block.label });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// X.509 signature algorithm (DER)
// ------------------------------------------------------------------------------------------

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(der: Buffer, pos: number): Tlv {
  const tag = der[pos];
  let len = der[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (start + len > der.length) throw new Error("truncated DER");
  return { tag, start, end: start + len };
}

function oidOf(der: Buffer, tlv: Tlv): string {
  const bytes = der.subarray(tlv.start, tlv.end);
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let v = 0;
  for (const b of bytes.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** Signature algorithm OIDs by the hash they use; EdDSA hashes internally and is as strong as its curve. */
const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.4": "MD5",
  "1.2.840.113549.1.1.5": "SHA-1",
  "1.2.840.113549.1.1.14": "SHA-224",
  "1.2.840.113549.1.1.11": "SHA-256",
  "1.2.840.113549.1.1.12": "SHA-384",
  "1.2.840.113549.1.1.13": "SHA-512",
  "1.2.840.10045.4.1": "SHA-1",
  "1.2.840.10045.4.3.1": "SHA-224",
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
  "1.2.840.10040.4.3": "SHA-1",
  "2.16.840.1.101.3.4.3.1": "SHA-224",
  "2.16.840.1.101.3.4.3.2": "SHA-256",
  "1.3.101.112": "EdDSA",
  "1.3.101.113": "EdDSA",
};

const HASH_OIDS: Readonly<Record<string, string>> = {
  "1.3.14.3.2.26": "SHA-1",
  "2.16.840.1.101.3.4.2.4": "SHA-224",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";

/**
 * The hash a certificate's signature uses (`SHA-256`, `SHA-1`, `EdDSA`, ...), or undefined when
 * the algorithm is not one this table knows.
 */
export function signatureHashOf(der: Buffer): string | undefined {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
  const cert = readTlv(der, 0);
  const tbs = readTlv(der, cert.start);
  const algId = readTlv(der, tbs.end);
  const oidTlv = readTlv(der, algId.start);
  const oid = oidOf(der, oidTlv);
  if (oid !== RSASSA_PSS) return SIGNATURE_HASH[oid];
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
  if (oidTlv.end >= algId.end) return "SHA-1";
  const params = readTlv(der, oidTlv.end);
  if (params.start >= params.end) return "SHA-1";
  const first = readTlv(der, params.start);
  if (first.tag !== 0xa0) return "SHA-1";
  const hashAlg = readTlv(der, first.start);
  return HASH_OIDS[oidOf(der, readTlv(der, hashAlg.start))];
}

function signatureHashOrUndefined(der: Buffer): string | undefined {
  try {
    return signatureHashOf(der);
  } catch {
    return undefined; // DER that Node accepted but this reader does not: judge the key only
  }
}

/** Strength of a hash for comparison; EdDSA counts as strong. Unknown names rank 0. */
export const HASH_BITS: Readonly<Record<string, number>> = {
  MD5: 0,
  "SHA-1": 160,
  "SHA-224": 224,
  "SHA-256": 256,
  "SHA-384": 384,
  "SHA-512": 512,
  EdDSA: 512,
};

/**
 * Parses an OpenSSH public key line (`<type> <base64> [comment]`) far enough to judge it:
 * the wire format (RFC 4253 §6.6, RFC 5656 §3.1) is a sequence of length-prefixed strings.
 * Hand-written because it is 50 lines and the maintained alternative (sshpk) is a large
 * dependency for a single parse.
 */
import { createHash } from "node:crypto";

export interface SshPublicKeyInfo {
  keyType: string;
  bits: number;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  fingerprintSha256: string;
  comment?: string;
}

export class SshKeyError extends Error {}

const curves: Record<string, { curve: string; bits: number }> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", bits: 256 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", bits: 384 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", bits: 521 },
};

/** Parses and applies the rules: ed25519, ECDSA, or RSA of at least `minRsaBits`; never DSA. */
export function parseSshPublicKey(line: string, minRsaBits = 2048): SshPublicKeyInfo {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) throw new SshKeyError('must be one OpenSSH public key line: "<type> <base64> [comment]"');
  const [declaredType, b64, ...rest] = parts;
  if (declaredType === "ssh-dss") throw new SshKeyError("is a DSA key; DSA is not allowed (use ed25519, ECDSA or RSA ≥ 2048 bits)");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new SshKeyError("has a key body that is not base64");
  const blob = Buffer.from(b64, "base64");
  const reader = new WireReader(blob);
  const innerType = reader.string().toString("latin1");
  if (innerType !== declaredType) throw new SshKeyError(`says "${declaredType}" but its body holds a "${innerType}" key`);

  let bits: number;
  if (innerType === "ssh-ed25519") {
    if (reader.string().length !== 32) throw new SshKeyError("has an ed25519 body of the wrong length");
    bits = 256;
  } else if (innerType in curves) {
    const curveName = reader.string().toString("latin1");
    if (curveName !== curves[innerType].curve) throw new SshKeyError(`names curve "${curveName}" inside a ${innerType} key`);
    reader.string(); // the curve point
    bits = curves[innerType].bits;
  } else if (innerType === "ssh-rsa") {
    reader.string(); // public exponent
    const modulus = reader.string();
    bits = bitLength(modulus);
    if (bits < minRsaBits) throw new SshKeyError(`is an RSA key of ${bits} bits; at least ${minRsaBits} are required`);
  } else {
    throw new SshKeyError(`has unsupported type "${innerType}" (use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)`);
  }
  if (!reader.atEnd()) throw new SshKeyError("has trailing bytes after the key");
  const fingerprintSha256 = "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  return { keyType: innerType, bits, fingerprintSha256, comment: rest.length ? rest.join(" ") : undefined };
}

class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new SshKeyError("is truncated");
    const len = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + len > this.buf.length) throw new SshKeyError("is truncated");
    this.offset = start + len;
    return this.buf.subarray(start, start + len);
  }
  atEnd(): boolean {
    return this.offset === this.buf.length;
  }
}

/** Bit length of an unsigned big-endian mpint (a leading 0x00 only marks it positive). */
function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]));
}

/**
 * Parses an OpenSSH public key line (`<type> <base64> [comment]`) far enough to judge it:
 * the wire format (RFC 4253 §6.6, RFC 5656 §3.1, read in ./ssh-wire.ts).
 * Hand-written because it is 50 lines and the maintained alternative (sshpk) is a large
 * dependency for a single parse.
 */
import { createHash } from "node:crypto";
import { mpintBitLength, SshKeyError, SshWireReader } from "./ssh-wire";

export { SshKeyError };

export interface SshPublicKeyInfo {
  keyType: string;
  bits: number;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  fingerprintSha256: string;
  comment?: string;
}

const curves: Record<string, { curve: string; bits: number }> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", bits: 256 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", bits: 384 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", bits: 521 },
};

/** Parses and applies the rules: ed25519, ECDSA, or RSA of at least `minRsaBits`; never DSA. */
export function parseSshPublicKey(line: string, minRsaBits = 2048): SshPublicKeyInfo {
  // Checked first: a pasted private key would otherwise parse as a "truncated" public key.
  if (/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----|PuTTY-User-Key-File-\d/.test(line))
    throw new SshKeyError("is a private key; give the public key line, e.g. the contents of id_ed25519.pub");
  if (/---- BEGIN SSH2 PUBLIC KEY ----/.test(line))
    throw new SshKeyError('is in the RFC 4716 ("SSH2") format; give the OpenSSH line that `ssh-keygen -i -f <file>` prints');
  const pemPublic = /-----BEGIN (RSA )?PUBLIC KEY-----/.exec(line);
  if (pemPublic)
    throw new SshKeyError(`is a PEM public key; give the OpenSSH line that \`ssh-keygen -i -m ${pemPublic[1] ? "PEM" : "PKCS8"} -f <file>\` prints`);
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) throw new SshKeyError('must be one OpenSSH public key line: "<type> <base64> [comment]"');
  const [declaredType, b64, ...rest] = parts;
  if (declaredType === "ssh-dss") throw new SshKeyError("is a DSA key; DSA is not allowed (use ed25519, ECDSA or RSA ≥ 2048 bits)");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new SshKeyError("has a key body that is not base64");
  const blob = Buffer.from(b64, "base64");
  const reader = new SshWireReader(blob);
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
    bits = mpintBitLength(modulus);
    if (bits < minRsaBits) throw new SshKeyError(`is an RSA key of ${bits} bits; at least ${minRsaBits} are required`);
  } else {
    throw new SshKeyError(`has unsupported type "${innerType}" (use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)`);
  }
  if (!reader.atEnd()) throw new SshKeyError("has trailing bytes after the key");
  const fingerprintSha256 = "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  return { keyType: innerType, bits, fingerprintSha256, comment: rest.length ? rest.join(" ") : undefined };
}

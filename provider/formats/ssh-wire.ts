/**
 * The SSH wire format (RFC 4253 §5, §6.6): a key blob is a run of length-prefixed strings.
 * Shared by the provider's SSH key validation and the policy pack's key-strength checks.
 */

/** An SSH public key that cannot be used; its message completes "the key ..." (e.g. "is truncated"). */
export class SshKeyError extends Error {}

/** Reads the length-prefixed strings of an SSH key blob, in order. */
export class SshWireReader {
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
  uint32(): number {
    if (this.offset + 4 > this.buf.length) throw new SshKeyError("is truncated");
    const value = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  atEnd(): boolean {
    return this.offset === this.buf.length;
  }
}

/** Bit length of an unsigned big-endian mpint (a leading 0x00 only marks it positive). */
export function mpintBitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]));
}

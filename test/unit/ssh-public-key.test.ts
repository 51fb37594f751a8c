import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSshPublicKey } from "../../provider/formats/ssh-public-key";
import { requireTool } from "../support/tools";

// Real keys from ssh-keygen, so the parser is checked against an independent implementation.
const dir = mkdtempSync(join(tmpdir(), "sshkeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function keygen(type: string, bits?: number): { line: string; fingerprint: string } {
  requireTool("ssh-keygen", "install the Debian package openssh-client (.ci/run does)");
  const file = join(dir, `${type}-${bits ?? "d"}-${counter++}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(bits ? ["-b", String(bits)] : []), "-N", "", "-C", "me@laptop", "-f", file]);
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1];
  return { line: readFileSync(`${file}.pub`, "utf8"), fingerprint };
}

test.each([
  ["ed25519", undefined, "ssh-ed25519", 256],
  ["ecdsa", 256, "ecdsa-sha2-nistp256", 256],
  ["ecdsa", 384, "ecdsa-sha2-nistp384", 384],
  ["rsa", 2048, "ssh-rsa", 2048],
  ["rsa", 3072, "ssh-rsa", 3072],
] as const)("accepts a %s key (%s bits) and reports what ssh-keygen reports", (type, bits, keyType, expectedBits) => {
  const { line, fingerprint } = keygen(type, bits);
  const info = parseSshPublicKey(line);
  expect(info).toEqual({ keyType, bits: expectedBits, fingerprintSha256: fingerprint, comment: "me@laptop" });
});

test("refuses RSA below the minimum, naming the size and the rule", () => {
  const { line } = keygen("rsa", 1024);
  expect(() => parseSshPublicKey(line)).toThrow("is an RSA key of 1024 bits; at least 2048 are required");
  expect(() => parseSshPublicKey(keygen("rsa", 2048).line, 3072)).toThrow("at least 3072");
});

test("refuses DSA, garbage, a lying type and a truncated body", () => {
  expect(() => parseSshPublicKey("ssh-dss AAAAB3NzaC1kc3MAAACBAP== x")).toThrow("DSA is not allowed");
  expect(() => parseSshPublicKey("not a key")).toThrow();
  expect(() => parseSshPublicKey("ssh-ed25519")).toThrow("one OpenSSH public key line");
  const ed = keygen("ed25519").line.split(" ");
  expect(() => parseSshPublicKey(`ssh-rsa ${ed[1]}`)).toThrow('says "ssh-rsa" but its body holds a "ssh-ed25519" key');
  expect(() => parseSshPublicKey(`ssh-ed25519 ${ed[1].slice(0, 40)}`)).toThrow();
});

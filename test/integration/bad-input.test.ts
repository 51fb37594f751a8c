/**
 * Bad input for every kind, through the provider's own `check`: each row is refused
 * with a reason that names `<Type>.<property>` and the rule; a failure about a secret names no
 * property (the engine prints the value of the property a failure names) and no reason holds a
 * secret; and nothing reaches the platform.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { generateCertificates } from "../../provider/certificates";
import { providerFor } from "../../provider";
import { kindByName } from "../../provider/registry";
import { PemFile } from "../../sdk/resources";
import { clientsFor, providerConfigFor, useEmulator } from "../support/emulator";
import { requireTool } from "../support/tools";

const emu = useEmulator();
const dir = mkdtempSync(join(tmpdir(), "bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Key and certificate material the rows use, made once. */
interface Material {
  sshEd25519: string;
  sshPrivateOpenSsh: string;
  pkcs8PrivateKey: string;
  spkiPublicKey: string;
  sshRsa1024: string;
  sshDsa: string;
  caRsa1024: string;
  caP224: string;
  caRsa3072: string;
  clientCertificate: string;
  combinedPem: string;
}
let m: Material;

/** A distinctive secret, so a leak into a reason cannot be a coincidence. */
const secret = (prefix: string, length = 40) => (prefix + randomBytes(length).toString("base64url")).slice(0, length);
const bearerWithNewline = secret("brr-") + "\n";
const hfWithNewline = "hf_" + randomBytes(24).toString("hex").slice(0, 34) + "\n";
const notHf = secret("sk-live-");
const oversizedEnvValue = secret("env-", 5000);
const oversizedPassword = secret("pw-", 3501);
const misspeltSecret = secret("misspelt-");
/** A good secret value, for rows about another input of a kind whose value is secret. */
const goodValue = secret("val-");
/** Escaped in the stored JSON to twice its length, so the stored value outgrows the vault. */
const quotePassword = '"'.repeat(3000);

beforeAll(async () => {
  requireTool("ssh-keygen", "install the Debian package openssh-client (.ci/run does)");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", join(dir, "id_ed25519")]);
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
  const certs = join(__dirname, "..", "policy", "certs");
  const generated = await generateCertificates({ name: "bad-input" });
  m = {
    sshEd25519: readFileSync(join(dir, "id_ed25519.pub"), "utf8"),
    sshPrivateOpenSsh: readFileSync(join(dir, "id_ed25519"), "utf8"),
    pkcs8PrivateKey: ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    spkiPublicKey: ec.publicKey.export({ type: "spki", format: "pem" }) as string,
    sshRsa1024: `ssh-rsa ${sshWire("ssh-rsa", mpint(rsa1024.e!), mpint(rsa1024.n!)).toString("base64")} weak@laptop`,
    sshDsa: JSON.parse(readFileSync(join(certs, "ssh-public-keys.json"), "utf8")).dsa,
    caRsa1024: readFileSync(join(certs, "ca-rsa1024-sha256.pem"), "utf8"),
    caP224: readFileSync(join(certs, "ca-p224-sha256.pem"), "utf8"),
    caRsa3072: readFileSync(join(certs, "ca-rsa3072-sha256.pem"), "utf8"),
    clientCertificate: generated.clientCertificatePem,
    combinedPem: generated.combinedPem,
  };
  writeFileSync(join(dir, "a-file"), "x");
  mkdirSync(join(dir, "a-folder"));
  // Point every provider at the emulator, so anything `check` sent would land where we look.
  for (const kind of KINDS) await providerFor(kind).configure!(providerConfigFor(emu()) as never);
});

const KINDS = ["BearerToken", "ServerlessApiKey", "RegistryCredential", "EnvironmentVariable", "HuggingFaceToken", "SshKey", "Certificate", "PemFile", "AuthToken"] as const;
type Kind = (typeof KINDS)[number];

interface Row {
  kind: Kind;
  why: string;
  inputs: (m: Material) => Record<string, unknown>;
  /** The start of the expected reason after `<Type>.`: the property, then the rule. */
  message: string;
  /** The failing input is secret (declared, or holding a private key): no failure may name a property. */
  secret?: boolean;
  /** Secret values that are not a secret input's value (a misspelt secret input). */
  alsoSecret?: string[];
}

const gatewayRule = "must be 5–50 characters of a–z, A–Z, 0–9, _ and -";
const reg = { username: "AWS" };
const notPem = "just some text, no PEM here";

const rows: Row[] = [
  // BearerToken
  { kind: "BearerToken", why: "a token read from a file, with its newline", inputs: () => ({ value: bearerWithNewline }), message: "value must not contain whitespace (it is sent in an Authorization header", secret: true },
  { kind: "BearerToken", why: "an empty token", inputs: () => ({ value: "" }), message: "value must be 1–4096 characters (got 0 characters; the value is secret and not shown)", secret: true },
  { kind: "BearerToken", why: "an oversized token", inputs: () => ({ value: oversizedEnvValue }), message: "value must be 1–4096 characters (got 5000 characters; the value is secret and not shown)", secret: true },
  { kind: "BearerToken", why: "a number as the token", inputs: () => ({ value: 12345 }), message: "value must be a string (got a number; the value is secret and not shown)", secret: true },
  { kind: "BearerToken", why: "fractional rotationDays", inputs: () => ({ rotationDays: 1.5 }), message: "rotationDays must be a whole number (got 1.5)" },
  { kind: "BearerToken", why: "rotationDays as a string", inputs: () => ({ rotationDays: "30" }), message: 'rotationDays must be a whole number (got the string "30")' },
  { kind: "BearerToken", why: "rotationDays 0", inputs: () => ({ rotationDays: 0 }), message: "rotationDays must be at least 1 (got 0)" },
  { kind: "BearerToken", why: "rotationDays above ten years", inputs: () => ({ rotationDays: 5000 }), message: "rotationDays must be at most 3650 (got 5000)" },
  { kind: "BearerToken", why: "a keeper that is a number", inputs: () => ({ keepers: { a: 1 } }), message: "keepers.a must be a string (got the number 1)" },
  { kind: "BearerToken", why: "keepers as a string", inputs: () => ({ keepers: "v1" }), message: 'keepers must be an object of string values (got the string "v1")' },
  { kind: "BearerToken", why: "too few random bytes", inputs: () => ({ length: 16 }), message: "length must be at least 32 bytes (256 bits) (got 16)" },
  { kind: "BearerToken", why: "a visibility that does not exist", inputs: () => ({ visibility: "EVERYONE" }), message: 'visibility must be one of "USER", "ORG" (got "EVERYONE")' },
  { kind: "BearerToken", why: "a misspelt property", inputs: () => ({ rotationdays: 30 }), message: "rotationdays is not a property of BearerToken; did you mean rotationDays?" },
  { kind: "BearerToken", why: "a misspelt secret property", inputs: () => ({ vaule: misspeltSecret }), message: "vaule is not a property of BearerToken; did you mean value?", alsoSecret: [misspeltSecret] },
  { kind: "BearerToken", why: "existingId with rotation", inputs: () => ({ existingId: 5, rotationDays: 30 }), message: "existingId cannot be combined with rotationDays or keepers (got existingId 5 and rotationDays 30)" },
  { kind: "BearerToken", why: "a negative existingId", inputs: () => ({ existingId: -1 }), message: "existingId must be at least 1 (got -1)" },
  { kind: "BearerToken", why: "an empty key", inputs: () => ({ key: "" }), message: 'key must be 1–512 characters (got "")' },
  { kind: "BearerToken", why: "adoptExisting as a string", inputs: () => ({ adoptExisting: "yes" }), message: 'adoptExisting must be true or false (got the string "yes")' },
  // ServerlessApiKey
  { kind: "ServerlessApiKey", why: "an empty name", inputs: () => ({ name: "" }), message: 'name must not be empty (got "")' },
  { kind: "ServerlessApiKey", why: "a name over 100 characters", inputs: () => ({ name: "n".repeat(101) }), message: "name must be at most 100 characters (got a string of 101 characters)" },
  { kind: "ServerlessApiKey", why: "a number as the name", inputs: () => ({ name: 42 }), message: "name must be a string (got the number 42)" },
  { kind: "ServerlessApiKey", why: "negative rotationDays", inputs: () => ({ rotationDays: -3 }), message: "rotationDays must be at least 1 (got -3)" },
  { kind: "ServerlessApiKey", why: "rotationDays as a boolean", inputs: () => ({ rotationDays: true }), message: "rotationDays must be a whole number (got the boolean true)" },
  { kind: "ServerlessApiKey", why: "a null keeper", inputs: () => ({ keepers: { v: null } }), message: "keepers.v must be a string (got null)" },
  { kind: "ServerlessApiKey", why: "a vault key on a serverless key", inputs: () => ({ key: "k" }), message: "key is not a property of ServerlessApiKey" },
  // RegistryCredential
  { kind: "RegistryCredential", why: "a password over 3500 characters", inputs: () => ({ ...reg, password: oversizedPassword }), message: "password must be at most 3500 characters (got 3501 characters; the value is secret and not shown)", secret: true },
  { kind: "RegistryCredential", why: "an empty password", inputs: () => ({ ...reg, password: "" }), message: "password must not be empty (got 0 characters; the value is secret and not shown)", secret: true },
  { kind: "RegistryCredential", why: "no password", inputs: () => ({ ...reg }), message: "password is required", secret: true },
  { kind: "RegistryCredential", why: "a number as the password", inputs: () => ({ ...reg, password: 1234 }), message: "password must be a string (got a number; the value is secret and not shown)", secret: true },
  { kind: "RegistryCredential", why: "a password that makes the stored value too long", inputs: () => ({ ...reg, password: quotePassword }), message: "password makes the stored value (JSON of username, password and server) 6", secret: true },
  { kind: "RegistryCredential", why: "an empty username", inputs: () => ({ username: "", password: secret("pw-") }), message: 'username must not be empty (got "")' },
  { kind: "RegistryCredential", why: "a server that is not a host", inputs: () => ({ ...reg, password: secret("pw-"), server: "not a host!" }), message: 'server "not a host!" is not a registry host name' },
  { kind: "RegistryCredential", why: "an image that is not a reference", inputs: () => ({ ...reg, password: secret("pw-"), imageUrl: "bad image ref" }), message: 'imageUrl "bad image ref" is not an image reference' },
  {
    kind: "RegistryCredential",
    why: "an image on another registry than server",
    inputs: () => ({ ...reg, password: secret("pw-"), server: "docker.io", imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" }),
    message: "imageUrl is on 123456789012.dkr.ecr.us-east-1.amazonaws.com, not on server docker.io",
  },
  // EnvironmentVariable
  { kind: "EnvironmentVariable", why: "an oversized value", inputs: () => ({ key: "BIG", value: oversizedEnvValue }), message: "value must be 1–4096 characters (got 5000 characters; the value is secret and not shown)", secret: true },
  { kind: "EnvironmentVariable", why: "an empty value", inputs: () => ({ key: "EMPTY", value: "" }), message: "value must be 1–4096 characters (got 0 characters; the value is secret and not shown)", secret: true },
  { kind: "EnvironmentVariable", why: "no value", inputs: () => ({ key: "NONE" }), message: "value is required", secret: true },
  { kind: "EnvironmentVariable", why: "an object as the value", inputs: () => ({ key: "OBJ", value: { nested: "x" } }), message: "value must be a string (got an object; the value is secret and not shown)", secret: true },
  { kind: "EnvironmentVariable", why: "a name that is not POSIX", inputs: () => ({ key: "1BAD-NAME", value: goodValue }), message: 'key must be a POSIX environment variable name (letters, digits, _; not starting with a digit) (got "1BAD-NAME")' },
  { kind: "EnvironmentVariable", why: "a name over 512 characters", inputs: () => ({ key: "K".repeat(513), value: goodValue }), message: "key must be 1–512 characters (got a string of 513 characters)" },
  { kind: "EnvironmentVariable", why: "a lower-case visibility", inputs: () => ({ key: "A", value: goodValue, visibility: "org" }), message: 'visibility must be one of "USER", "ORG" (got "org")' },
  // HuggingFaceToken
  { kind: "HuggingFaceToken", why: "a token read from a file, with its newline", inputs: () => ({ value: hfWithNewline }), message: "value must not contain whitespace (a token read from a file often ends in a newline; trim it) (got 38 characters, ending in a newline; the value is secret and not shown)", secret: true },
  { kind: "HuggingFaceToken", why: "another vendor's token", inputs: () => ({ value: notHf }), message: 'value must be a Hugging Face token: "hf_" followed by at least 30 letters or digits (got 40 characters; the value is secret and not shown)', secret: true },
  { kind: "HuggingFaceToken", why: "a token that is too short", inputs: () => ({ value: "hf_short9" }), message: 'value must be a Hugging Face token: "hf_"', secret: true },
  { kind: "HuggingFaceToken", why: "no token", inputs: () => ({}), message: "value is required", secret: true },
  { kind: "HuggingFaceToken", why: "fractional rotationDays", inputs: () => ({ value: "hf_" + "a".repeat(34), rotationDays: 90.5 }), message: "rotationDays must be a whole number (got 90.5)" },
  // SshKey
  { kind: "SshKey", why: "an OpenSSH private key (id_ed25519)", inputs: (m) => ({ publicKey: m.sshPrivateOpenSsh }), message: "publicKey is a private key; give the public key line, e.g. the contents of id_ed25519.pub", secret: true },
  { kind: "SshKey", why: "a PKCS#8 private key", inputs: (m) => ({ publicKey: m.pkcs8PrivateKey }), message: "publicKey is a private key; give the public key line", secret: true },
  { kind: "SshKey", why: "a DSA key", inputs: (m) => ({ publicKey: m.sshDsa }), message: "publicKey is a DSA key; DSA is not allowed" },
  { kind: "SshKey", why: "an RSA-1024 key", inputs: (m) => ({ publicKey: m.sshRsa1024 }), message: "publicKey is an RSA key of 1024 bits; at least 2048 are required" },
  { kind: "SshKey", why: "a type without a body", inputs: () => ({ publicKey: "ssh-ed25519" }), message: 'publicKey must be one OpenSSH public key line: "<type> <base64> [comment]"' },
  { kind: "SshKey", why: "a body that is not base64", inputs: () => ({ publicKey: "ssh-ed25519 !!!not-base64" }), message: "publicKey has a key body that is not base64" },
  { kind: "SshKey", why: "a truncated body", inputs: (m) => ({ publicKey: `ssh-ed25519 ${m.sshEd25519.split(" ")[1].slice(0, 20)}` }), message: "publicKey is truncated" },
  { kind: "SshKey", why: "a type that lies about the body", inputs: (m) => ({ publicKey: `ssh-rsa ${m.sshEd25519.split(" ")[1]}` }), message: 'publicKey says "ssh-rsa" but its body holds a "ssh-ed25519" key' },
  { kind: "SshKey", why: "a PEM public key", inputs: (m) => ({ publicKey: m.spkiPublicKey }), message: "publicKey is a PEM public key; give the OpenSSH line that `ssh-keygen -i -m PKCS8 -f <file>` prints" },
  { kind: "SshKey", why: "no key", inputs: () => ({}), message: "publicKey is required" },
  { kind: "SshKey", why: "a key over 4096 characters", inputs: (m) => ({ publicKey: `${m.sshEd25519.trim()} ${"c".repeat(4096)}` }), message: "publicKey must be at most 4096 characters" },
  // Certificate
  { kind: "Certificate", why: "a brought RSA-1024 CA", inputs: (m) => ({ caCertificatePem: m.caRsa1024 }), message: "caCertificatePem has an RSA 1024-bit key; a CA needs at least 2048 bits" },
  { kind: "Certificate", why: "a brought CA on curve P-224", inputs: (m) => ({ caCertificatePem: m.caP224 }), message: "caCertificatePem has an ECDSA key on curve secp224r1; a CA needs P-256, P-384 or P-521" },
  { kind: "Certificate", why: "text that is not a PEM", inputs: () => ({ caCertificatePem: notPem }), message: "caCertificatePem must be a PEM certificate (a -----BEGIN CERTIFICATE----- block), but none was found" },
  { kind: "Certificate", why: "a CA with its private key", inputs: (m) => ({ caCertificatePem: m.caRsa3072 + m.pkcs8PrivateKey }), message: "caCertificatePem must contain only the CA certificate, but it also contains a private key", secret: true },
  { kind: "Certificate", why: "two certificates", inputs: (m) => ({ caCertificatePem: m.caRsa3072 + m.caRsa3072 }), message: "caCertificatePem must contain exactly one certificate, but it contains 2" },
  { kind: "Certificate", why: "a certificate that is not a CA", inputs: (m) => ({ caCertificatePem: m.clientCertificate }), message: "caCertificatePem must be a CA certificate (BasicConstraints CA=true)" },
  { kind: "Certificate", why: "a CERTIFICATE block of garbage", inputs: () => ({ caCertificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" }), message: "caCertificatePem is not a parseable X.509 certificate" },
  { kind: "Certificate", why: "validityDays 0", inputs: () => ({ validityDays: 0 }), message: "validityDays must be a whole number of days from 1 to 3650 (got 0)" },
  { kind: "Certificate", why: "validityDays as a string", inputs: () => ({ validityDays: "365" }), message: 'validityDays must be a whole number (got the string "365")' },
  { kind: "Certificate", why: "an algorithm it does not make", inputs: () => ({ algorithm: "RSA_1024" }), message: 'algorithm must be one of "ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096" (got "RSA_1024")' },
  { kind: "Certificate", why: "renewal window as long as the validity", inputs: () => ({ validityDays: 365, earlyRenewalDays: 400 }), message: "earlyRenewalDays must be less than validityDays (got 400 and 365)" },
  { kind: "Certificate", why: "a domain that is not a DNS name", inputs: () => ({ domain: "not a domain!" }), message: 'domain must be a DNS name such as "user.centml.ai" (got "not a domain!")' },
  { kind: "Certificate", why: "a name with a space", inputs: () => ({ key: "bad name!" }), message: "key must be letters, digits, '-' or '_'" },
  // PemFile
  { kind: "PemFile", why: "an empty PEM", inputs: () => ({ path: join(dir, "e.pem"), pem: "" }), message: "pem must not be empty (got 0 characters; the value is secret and not shown)", secret: true },
  { kind: "PemFile", why: "text that is not PEM", inputs: () => ({ path: join(dir, "t.pem"), pem: notPem }), message: "pem must be PEM text: one or more -----BEGIN <label>----- … -----END <label>----- blocks", secret: true },
  { kind: "PemFile", why: "a private key cut short", inputs: (m) => ({ path: join(dir, "c.pem"), pem: m.pkcs8PrivateKey.slice(0, 80) }), message: "pem must be PEM text", secret: true },
  {
    kind: "PemFile",
    why: "a cut private key after a whole certificate",
    inputs: (m) => ({ path: join(dir, "c2.pem"), pem: m.clientCertificate + m.pkcs8PrivateKey.slice(0, 80) }),
    message: "pem has a -----BEGIN line without its matching -----END line (was the text cut short?)",
    secret: true,
  },
  { kind: "PemFile", why: "no PEM", inputs: () => ({ path: join(dir, "n.pem") }), message: "pem is required", secret: true },
  { kind: "PemFile", why: "a private key readable by everyone", inputs: (m) => ({ path: join(dir, "w.pem"), pem: m.combinedPem, filePermission: "0644" }), message: 'filePermission must not let group or others read a file holding a private key (got "0644"); use "0600"' },
  { kind: "PemFile", why: "a private key readable by the group", inputs: (m) => ({ path: join(dir, "g.pem"), pem: m.pkcs8PrivateKey, filePermission: "0440" }), message: 'filePermission must not let group or others read a file holding a private key (got "0440"); use "0400"' },
  {
    kind: "PemFile",
    why: "a readable mode for a bundle with the private key, its PEM not made yet (preview)",
    inputs: () => ({ path: join(dir, "u.pem"), pem: unknownValue, filePermission: "0644" }),
    message: 'filePermission must not let group or others read a file holding a private key (contents "combined" holds the certificate\'s private key) (got "0644"); use "0600"',
  },
  { kind: "PemFile", why: "a mode that is not octal", inputs: (m) => ({ path: join(dir, "m.pem"), pem: m.clientCertificate, filePermission: "777x" }), message: 'filePermission must be an octal mode such as "0600" (got "777x")' },
  { kind: "PemFile", why: "a mode as a number", inputs: (m) => ({ path: join(dir, "n2.pem"), pem: m.clientCertificate, filePermission: 600 }), message: "filePermission must be a string (got the number 600)" },
  { kind: "PemFile", why: "a bundle that does not exist", inputs: (m) => ({ path: join(dir, "b.pem"), pem: m.clientCertificate, contents: "key" }), message: 'contents must be one of "combined", "ca", "certificate", "privateKey" (got "key")' },
  { kind: "PemFile", why: "an empty path", inputs: (m) => ({ path: "", pem: m.clientCertificate }), message: 'path must not be empty (got "")' },
  { kind: "PemFile", why: "a path below a file", inputs: (m) => ({ path: join(dir, "a-file", "x.pem"), pem: m.clientCertificate }), message: `path cannot be created: ${join(dir, "a-file")} is a file, not a folder` },
  { kind: "PemFile", why: "a path that is a folder", inputs: (m) => ({ path: join(dir, "a-folder"), pem: m.clientCertificate }), message: `path is a folder, not a file: ${join(dir, "a-folder")}` },
  { kind: "PemFile", why: "overwrite as a string", inputs: (m) => ({ path: join(dir, "o.pem"), pem: m.clientCertificate, overwrite: "yes" }), message: 'overwrite must be true or false (got the string "yes")' },
  // aigateway.AuthToken
  { kind: "AuthToken", why: "a gateway name too short", inputs: () => ({ gateway: "gw" }), message: `gateway ${gatewayRule} (got "gw")` },
  { kind: "AuthToken", why: "a gateway name with a space", inputs: () => ({ gateway: "bad gateway!" }), message: `gateway ${gatewayRule} (got "bad gateway!")` },
  { kind: "AuthToken", why: "a gateway name over 50 characters", inputs: () => ({ gateway: "g".repeat(51) }), message: `gateway ${gatewayRule}` },
  { kind: "AuthToken", why: "no gateway", inputs: () => ({}), message: "gateway is required" },
  { kind: "AuthToken", why: "a number as the gateway", inputs: () => ({ gateway: 12345 }), message: "gateway must be a string (got the number 12345)" },
  { kind: "AuthToken", why: "a token name with a space", inputs: () => ({ gateway: "team-gateway", name: "a b" }), message: 'name must be 3–64 characters of a–z, A–Z, 0–9, _ and - (got "a b")' },
  { kind: "AuthToken", why: "a rate limit of 0", inputs: () => ({ gateway: "team-gateway", requestsPerMinute: 0 }), message: "requestsPerMinute must be at least 1 (got 0)" },
  { kind: "AuthToken", why: "a fractional rate limit", inputs: () => ({ gateway: "team-gateway", requestsPerMinute: 2.5 }), message: "requestsPerMinute must be a whole number (got 2.5)" },
  { kind: "AuthToken", why: "a rate limit as a string", inputs: () => ({ gateway: "team-gateway", requestsPerMinute: "100" }), message: 'requestsPerMinute must be a whole number (got the string "100")' },
  { kind: "AuthToken", why: "a misspelt property", inputs: () => ({ gateway: "team-gateway", requestsPerMinut: 10 }), message: "requestsPerMinut is not a property of AuthToken; did you mean requestsPerMinute?" },
];

/** Runs `check` as the engine would: with the resource name the SDK adds for auto-named kinds. */
async function check(kind: Kind, inputs: Record<string, unknown>) {
  const autoName = kindByName(kind).autoName ? { autoNamePrefix: "bad-input" } : {};
  return providerFor(kind).check!({}, { ...autoName, ...inputs });
}

/** Every string inside a value (a private key is also searched line by line). */
function secretStrings(value: unknown): string[] {
  // Very short strings ("", "x") would match ordinary words; the rows' secrets are long and random.
  if (typeof value === "string") return [value, ...value.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"))].filter((s) => s.trim().length >= 6);
  if (value && typeof value === "object") return Object.values(value).flatMap(secretStrings);
  return [];
}

const PRIVATE_KEY = /PRIVATE KEY-----/;

test("the table covers every kind with at least 60 rows", () => {
  expect(rows.length).toBeGreaterThanOrEqual(60);
  expect([...new Set(rows.map((r) => r.kind))].sort()).toEqual([...KINDS].sort());
});

describe("check refuses bad input, naming the property and the rule, and never shows a secret", () => {
  test.each(rows)("$kind: $why", async (row) => {
    const decl = kindByName(row.kind);
    const inputs = row.inputs(m);
    const failures = (await check(row.kind, inputs)).failures ?? [];
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.map((f) => f.reason)).toContainEqual(expect.stringContaining(`${row.kind}.${row.message}`));
    for (const f of failures) expect(f.reason).toMatch(new RegExp(`^${row.kind}\\.[A-Za-z]`));

    const secretInputs = Object.keys(inputs).filter((k) => decl.secretInputs.includes(k) || PRIVATE_KEY.test(JSON.stringify(inputs[k])));
    // The engine prints the value of a failure's property: never one of these.
    expect(failures.filter((f) => secretInputs.includes(f.property))).toEqual([]);
    if (row.secret) expect(failures.map((f) => f.property)).toEqual(failures.map(() => ""));
    const secrets = [...secretInputs.flatMap((k) => secretStrings(inputs[k])), ...(row.alsoSecret ?? [])];
    const shown = JSON.stringify(failures);
    // Reported by position, so a failing assertion does not print the secret either.
    expect(secrets.map((s, i) => (shown.includes(JSON.stringify(s).slice(1, -1)) ? i : -1)).filter((i) => i >= 0)).toEqual([]);
  });

  test("nothing reached the platform and no file was written", async () => {
    const clients = clientsFor(emu());
    expect(await clients.vault().list()).toEqual([]);
    expect(await clients.serverless().list()).toEqual([]);
    expect(await clients.aigateway().listTokens("team-gateway")).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(["a-file", "a-folder", "id_ed25519", "id_ed25519.pub"]);
  });
});

describe("what the table refuses is close to what is accepted (the rows can fail)", () => {
  test.each<[Kind, (m: Material) => Record<string, unknown>]>([
    ["BearerToken", () => ({ value: bearerWithNewline.trim(), rotationDays: 30, keepers: { a: "1" } })],
    ["ServerlessApiKey", () => ({ name: "batch", rotationDays: 30 })],
    ["RegistryCredential", () => ({ ...reg, password: oversizedPassword.slice(0, 3500), imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" })],
    ["EnvironmentVariable", () => ({ key: "BIG", value: oversizedEnvValue.slice(0, 4096) })],
    ["HuggingFaceToken", () => ({ value: hfWithNewline.trim(), rotationDays: 90 })],
    ["SshKey", (m) => ({ publicKey: m.sshEd25519 })],
    ["Certificate", (m) => ({ caCertificatePem: m.caRsa3072 })],
    ["Certificate", () => ({ validityDays: 365, earlyRenewalDays: 30, algorithm: "RSA_2048" })],
    ["PemFile", (m) => ({ path: join(dir, "ok.pem"), pem: m.combinedPem, filePermission: "0600" })],
    ["PemFile", (m) => ({ path: join(dir, "ca.pem"), pem: m.caRsa3072, filePermission: "0644" })],
    ["AuthToken", () => ({ gateway: "team-gateway", name: "team-a", requestsPerMinute: 100 })],
  ])("%s accepts good input", async (kind, inputs) => {
    expect((await check(kind, inputs(m))).failures).toBeUndefined();
  });

  test("values computed by other resources (unknown at preview) are judged once known", async () => {
    expect((await check("Certificate", { caCertificatePem: unknownValue })).failures).toBeUndefined();
    expect((await check("PemFile", { path: join(dir, "later.pem"), pem: unknownValue, contents: "ca", filePermission: "0644" })).failures).toBeUndefined();
    expect((await check("RegistryCredential", { ...reg, password: unknownValue, server: "docker.io" })).failures).toBeUndefined();
  });
});

describe("PemFile in a program: neither or both of certificate and pem is a clear error, not an unhandled exception", () => {
  const runError = (f: () => unknown): Error => {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected the constructor to throw");
  };

  test.each([
    [{ path: "x.pem" }, 'PemFile "p": PemFile.certificate or PemFile.pem is required: give exactly one'],
    [{ path: "x.pem", pem: "text", certificate: {} }, 'PemFile "p": PemFile.certificate and PemFile.pem cannot both be given: give exactly one'],
    [{ path: "x.pem", certificate: { combinedPem: "not a resource" } }, 'PemFile "p": PemFile.certificate must be a ccluster.Certificate resource'],
  ])("%j", (args, message) => {
    const e = runError(() => new PemFile("p", args as never));
    // The engine prints a RunError's message alone; any other error as "unhandled exception" with a stack.
    expect(pulumi.RunError.isInstance(e)).toBe(true);
    expect(e.message).toContain(message);
  });
});

function sshWire(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.map((p) => {
      const body = typeof p === "string" ? Buffer.from(p, "latin1") : p;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, body]);
    }),
  );
}

/** A JWK number (base64url, big-endian) as an SSH mpint: a leading zero byte keeps it positive. */
function mpint(b64url: string): Buffer {
  const bytes = Buffer.from(b64url, "base64url");
  return bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

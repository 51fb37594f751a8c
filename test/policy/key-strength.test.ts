/** key-strength: certificates, bring-your-own CAs, SSH keys, PEM files and @pulumi/tls keys. */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TLS_TYPES } from "../../policy/types";
import { secret, UNKNOWN } from "./harness";
import { messages, packRunner, resource } from "./fixtures";

const RULE = "key-strength";
const cert = (name: string) => readFileSync(path.join(__dirname, "certs", `${name}.pem`), "utf8");
const sshKeys: Record<string, string> = JSON.parse(readFileSync(path.join(__dirname, "certs", "ssh-public-keys.json"), "utf8"));

describe(`${RULE}: Certificate`, () => {
  it.each(["ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096"])("accepts algorithm %s by default", async (algorithm) => {
    expect(messages(await packRunner().analyze(resource("Certificate", { key: "c", algorithm })), RULE)).toEqual([]);
  });

  it("blocks RSA below a configured minimum of 3072 bits", async () => {
    const runner = packRunner({ [RULE]: { minRsaBits: 3072 } });
    const result = await runner.analyze(resource("Certificate", { key: "c", algorithm: "RSA_2048" }));
    expect(messages(result, RULE)).toEqual(['Certificate "c" uses algorithm RSA_2048: an RSA 2048-bit key (at least 3072 bits required).']);
    expect(result.blocked).toBe(true);
  });

  it("blocks P-256 when P-384 is the configured minimum, and passes the default algorithm", async () => {
    const runner = packRunner({ [RULE]: { minEcdsaCurve: "P-384" } });
    expect(messages(await runner.analyze(resource("Certificate", { key: "c", algorithm: "ECDSA_P256" })), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(resource("Certificate", { key: "c" })), RULE)).toEqual([]);
  });

  it.each([
    ["ca-p384-sha384", []],
    ["ca-p256-sha256", []],
    ["ca-ed25519", []],
    ["ca-rsa3072-sha256", []],
    ["ca-rsapss2048-sha256", []],
    ["ca-p224-sha256", ['Certificate "c" caCertificatePem holds a certificate with an ECDSA P-224 key (P-256 or stronger required).']],
    ["ca-rsa1024-sha256", ['Certificate "c" caCertificatePem holds a certificate with an RSA 1024-bit key (at least 2048 bits required).']],
    ["ca-rsa2048-sha1", ['Certificate "c" caCertificatePem holds a certificate signed with SHA-1 (SHA-256 or stronger required).']],
    ["ca-rsapss2048-sha1", ['Certificate "c" caCertificatePem holds a certificate signed with SHA-1 (SHA-256 or stronger required).']],
  ])("judges a bring-your-own CA %s", async (name, expected) => {
    const result = await packRunner().analyze(resource("Certificate", { key: "c", caCertificatePem: cert(name) }));
    expect(messages(result, RULE)).toEqual(expected);
  });

  it("checks every certificate of a CA chain and numbers them", async () => {
    const chain = cert("ca-p384-sha384") + cert("ca-rsa2048-sha1");
    const result = await packRunner().analyze(resource("Certificate", { key: "c", caCertificatePem: chain }));
    expect(messages(result, RULE)).toEqual(['Certificate "c" caCertificatePem (block 2) holds a certificate signed with SHA-1 (SHA-256 or stronger required).']);
  });

  it("applies minSignatureHash", async () => {
    const runner = packRunner({ [RULE]: { minSignatureHash: "SHA-384" } });
    const result = await runner.analyze(resource("Certificate", { key: "c", caCertificatePem: cert("ca-p256-sha256") }));
    expect(messages(result, RULE)).toEqual(['Certificate "c" caCertificatePem holds a certificate signed with SHA-256 (SHA-384 or stronger required).']);
  });
});

describe(`${RULE}: SshKey`, () => {
  it.each(["ed25519", "ecdsa256", "ecdsa384", "rsa3072"])("accepts a %s key", async (k) => {
    expect(messages(await packRunner().analyze(resource("SshKey", { key: "k", publicKey: sshKeys[k] })), RULE)).toEqual([]);
  });

  it("blocks RSA 2048 for SSH (3072 by default) and names the fix", async () => {
    const result = await packRunner().analyze(resource("SshKey", { key: "k", publicKey: sshKeys.rsa2048 }));
    expect(messages(result, RULE)).toEqual(['SshKey "k" publicKey is an RSA 2048-bit key (at least 3072 bits required); use ed25519.']);
  });

  it("never allows DSA", async () => {
    const result = await packRunner().analyze(resource("SshKey", { key: "k", publicKey: sshKeys.dsa }));
    expect(messages(result, RULE)).toEqual(['SshKey "k" publicKey is a DSA key (DSA is never allowed); use ed25519.']);
  });

  it("applies minSshRsaBits", async () => {
    const runner = packRunner({ [RULE]: { minSshRsaBits: 2048 } });
    expect(messages(await runner.analyze(resource("SshKey", { key: "k", publicKey: sshKeys.rsa2048 })), RULE)).toEqual([]);
  });

  it("leaves a line that does not parse to the provider", async () => {
    expect(messages(await packRunner().analyze(resource("SshKey", { key: "k", publicKey: "ssh-rsa not-base64!" })), RULE)).toEqual([]);
  });
});

describe(`${RULE}: PemFile`, () => {
  const pemOf = (type: "rsa" | "ec" | "dsa", options: object) =>
    (generateKeyPairSync as (t: string, o: object) => { privateKey: string })(type, {
      ...options,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;

  it("judges the private key inside a PEM (a secret input) without echoing it", async () => {
    const weak = pemOf("ec", { namedCurve: "secp224r1" });
    const result = await packRunner().analyze(resource("PemFile", { path: "/tmp/x.pem", pem: secret(weak) }));
    expect(messages(result, RULE)).toEqual(['PemFile "/tmp/x.pem" pem holds a private key with an ECDSA P-224 key (P-256 or stronger required).']);
    expect(JSON.stringify(result.diagnostics)).not.toContain(weak.split("\n")[1]);
  });

  it("accepts a strong key followed by a good certificate", async () => {
    const pem = pemOf("ec", { namedCurve: "P-384" }) + cert("ca-p384-sha384");
    expect(messages(await packRunner().analyze(resource("PemFile", { path: "/tmp/x.pem", pem: secret(pem) })), RULE)).toEqual([]);
  });

  it("never allows a DSA private key", async () => {
    const pem = pemOf("dsa", { modulusLength: 2048, divisorLength: 224 });
    const result = await packRunner().analyze(resource("PemFile", { path: "/tmp/x.pem", pem: secret(pem) }));
    expect(messages(result, RULE)).toEqual(['PemFile "/tmp/x.pem" pem holds a private key with a DSA key (DSA is never allowed).']);
  });
});

describe(`${RULE}: @pulumi/tls PrivateKey`, () => {
  const tlsKey = (props: Record<string, unknown>) => ({ type: TLS_TYPES.PrivateKey, name: "key", props });

  it("blocks ECDSA with the provider's default curve P224", async () => {
    const result = await packRunner().analyze(tlsKey({ algorithm: "ECDSA" }));
    expect(messages(result, RULE)).toEqual(['tls.PrivateKey "key" is an ECDSA P-224 key (P-256 or stronger required); @pulumi/tls uses P224 when ecdsaCurve is not set.']);
  });

  it.each([
    [{ algorithm: "ECDSA", ecdsaCurve: "P384" }, 0],
    [{ algorithm: "ED25519" }, 0],
    [{ algorithm: "RSA" }, 0],
    [{ algorithm: "RSA", rsaBits: 1024 }, 1],
    [{ algorithm: "ECDSA", ecdsaCurve: "P224" }, 1],
  ])("judges %j", async (props, count) => {
    expect(messages(await packRunner().analyze(tlsKey(props)), RULE)).toHaveLength(count);
  });

  it("skips @pulumi/tls keys when checkTlsPrivateKeys is off", async () => {
    const runner = packRunner({ [RULE]: { checkTlsPrivateKeys: false } });
    expect(messages(await runner.analyze(tlsKey({ algorithm: "ECDSA" })), RULE)).toEqual([]);
  });
});

describe(`${RULE}: config and preview`, () => {
  it("has the issue's defaults", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({
      minRsaBits: 2048,
      minEcdsaCurve: "P-256",
      minSshRsaBits: 3072,
      minSignatureHash: "SHA-256",
      checkTlsPrivateKeys: true,
    });
  });

  it.each([
    [{ minRsaBits: 1024 }, "minRsaBits: Must be greater than or equal to 2048"],
    [{ minEcdsaCurve: "P-224" }, 'minEcdsaCurve: minEcdsaCurve must be one of the following: "P-256", "P-384", "P-521"'],
    [{ minSignatureHash: "SHA-1" }, 'minSignatureHash: minSignatureHash must be one of the following: "SHA-256", "SHA-384", "SHA-512"'],
  ])("rejects config %j", (config, error) => {
    expect(() => packRunner({ [RULE]: config })).toThrow(`${RULE}: ${error}`);
  });

  it("does not break on unknown algorithm, CA, public key or PEM", async () => {
    const runner = packRunner();
    for (const r of [
      resource("Certificate", { key: "c", algorithm: UNKNOWN, caCertificatePem: UNKNOWN }),
      resource("SshKey", { key: "k", publicKey: UNKNOWN }),
      resource("PemFile", { path: "/tmp/x.pem", pem: UNKNOWN }),
      { type: TLS_TYPES.PrivateKey, name: "key", props: { algorithm: "ECDSA", ecdsaCurve: UNKNOWN } },
    ]) {
      expect((await runner.analyze(r)).diagnostics).toEqual([]);
    }
  });
});

/**
 * Certificate generation, checked with parsers that share no code with the generator:
 * Node's crypto.X509Certificate and the openssl CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import * as ts from "typescript";
import {
  CertificateError,
  CertificateErrorCodes,
  generateCertificates,
  KEY_ALGORITHMS,
  resolveCertificateOptions,
  type GeneratedCertificates,
  type KeyAlgorithm,
} from "../../provider/certificates";
import { requireTool } from "../support/tools";

const opensslPath = () => requireTool("openssl", "install it (Debian: apt-get install openssl)");
const REPO = path.resolve(__dirname, "../..");
// A fixed clock keeps every date exact; openssl verifies "as of" it with -attime.
const NOW = new Date("2026-03-01T12:00:00.750Z");
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

function openssl(args: string[]): string {
  return execFileSync(opensslPath(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ccluster-certs-"));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function writeTemp(name: string, content: string): string {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** Text of one extension block in `openssl x509 -text`: its header line and the value line after it. */
function extension(text: string, title: string): { critical: boolean; value: string } | undefined {
  const match = new RegExp(`X509v3 ${title}:( critical)?\\s*\\n\\s*(.+)`).exec(text);
  return match ? { critical: match[1] !== undefined, value: match[2].trim() } : undefined;
}

function keyIdentifier(value: string): string {
  return value.replace(/^keyid:/, "").trim();
}

const expectations: Record<KeyAlgorithm, { signature: string; keyType: string; curve?: string; bits: number }> = {
  ECDSA_P256: { signature: "ecdsa-with-SHA256", keyType: "ec", curve: "prime256v1", bits: 256 },
  ECDSA_P384: { signature: "ecdsa-with-SHA384", keyType: "ec", curve: "secp384r1", bits: 384 },
  RSA_2048: { signature: "sha256WithRSAEncryption", keyType: "rsa", bits: 2048 },
  RSA_3072: { signature: "sha256WithRSAEncryption", keyType: "rsa", bits: 3072 },
  RSA_4096: { signature: "sha256WithRSAEncryption", keyType: "rsa", bits: 4096 },
};

describe.each(KEY_ALGORITHMS.map((algorithm) => [algorithm]))("%s", (algorithm) => {
  const expected = expectations[algorithm];
  let certs: GeneratedCertificates;
  let ca: X509Certificate;
  let client: X509Certificate;
  let caText: string;
  let clientText: string;
  let files: { ca: string; client: string; key: string; combined: string };

  beforeAll(async () => {
    certs = await generateCertificates({ name: "demo", algorithm, validityDays: 30, now: NOW });
    ca = new X509Certificate(certs.caCertificatePem);
    client = new X509Certificate(certs.clientCertificatePem);
    files = {
      ca: writeTemp(`${algorithm}-ca.pem`, certs.caCertificatePem),
      client: writeTemp(`${algorithm}-client.pem`, certs.clientCertificatePem),
      key: writeTemp(`${algorithm}-key.pem`, certs.clientPrivateKeyPem),
      combined: writeTemp(`${algorithm}-combined.pem`, certs.combinedPem),
    };
    caText = openssl(["x509", "-in", files.ca, "-noout", "-text"]);
    clientText = openssl(["x509", "-in", files.client, "-noout", "-text"]);
  });

  test("common names and issuer are those of the platform's CLI", () => {
    expect(certs.caCommonName).toBe("ca.demo.user.centml.ai");
    expect(certs.clientCommonName).toBe("client.demo.user.centml.ai");
    expect(ca.subject).toBe("CN=ca.demo.user.centml.ai");
    expect(ca.issuer).toBe("CN=ca.demo.user.centml.ai");
    expect(client.subject).toBe("CN=client.demo.user.centml.ai");
    expect(client.issuer).toBe("CN=ca.demo.user.centml.ai");
    expect(clientText).toContain("Issuer: CN = ca.demo.user.centml.ai");
    expect(clientText).toContain("Subject: CN = client.demo.user.centml.ai");
  });

  test("BasicConstraints is critical, CA=true on the CA and CA=false on the client", () => {
    expect(ca.ca).toBe(true);
    expect(client.ca).toBe(false);
    expect(extension(caText, "Basic Constraints")).toEqual({ critical: true, value: "CA:TRUE" });
    expect(extension(clientText, "Basic Constraints")).toEqual({ critical: true, value: "CA:FALSE" });
  });

  test("key usages: CA signs certificates and CRLs; client signs (and enciphers keys with RSA) for clientAuth", () => {
    expect(extension(caText, "Key Usage")).toEqual({ critical: true, value: "Certificate Sign, CRL Sign" });
    const clientUsage = expected.keyType === "rsa" ? "Digital Signature, Key Encipherment" : "Digital Signature";
    expect(extension(clientText, "Key Usage")).toEqual({ critical: true, value: clientUsage });
    expect(extension(clientText, "Extended Key Usage")).toEqual({ critical: false, value: "TLS Web Client Authentication" });
    expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(extension(caText, "Extended Key Usage")).toBeUndefined();
  });

  test("subject and authority key identifiers link the client to the CA", () => {
    const caSki = extension(caText, "Subject Key Identifier");
    const clientAki = extension(clientText, "Authority Key Identifier");
    const clientSki = extension(clientText, "Subject Key Identifier");
    expect(caSki?.value).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(keyIdentifier(clientAki!.value)).toBe(caSki!.value);
    expect(clientSki?.value).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(clientSki!.value).not.toBe(caSki!.value);
  });

  test(`keys are ${expected.keyType} ${expected.curve ?? expected.bits} and signatures use ${expected.signature}`, () => {
    for (const [cert, text] of [[ca, caText], [client, clientText]] as const) {
      expect(cert.publicKey.asymmetricKeyType).toBe(expected.keyType);
      if (expected.curve) expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe(expected.curve);
      else expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(expected.bits);
      expect(text).toContain(`Public-Key: (${expected.bits} bit)`);
      expect(text).toContain(`Signature Algorithm: ${expected.signature}`);
    }
  });

  test("validity starts 5 minutes before generation and lasts validityDays", () => {
    const notBefore = new Date((NOW_SECONDS - 5 * 60) * 1000);
    const notAfter = new Date((NOW_SECONDS + 30 * 86_400) * 1000);
    expect(certs.notBefore).toBe(notBefore.toISOString());
    expect(certs.notAfter).toBe(notAfter.toISOString());
    for (const cert of [ca, client]) {
      expect(new Date(cert.validFrom).toISOString()).toBe(certs.notBefore);
      expect(new Date(cert.validTo).toISOString()).toBe(certs.notAfter);
    }
  });

  test("serials are positive, at least 64 bits, distinct, and reported like openssl does", () => {
    const serial = openssl(["x509", "-in", files.client, "-noout", "-serial"]).trim().replace(/^serial=/, "");
    const caSerial = openssl(["x509", "-in", files.ca, "-noout", "-serial"]).trim().replace(/^serial=/, "");
    expect(certs.serialNumber).toBe(serial);
    expect(client.serialNumber).toBe(serial);
    expect(clientText).not.toContain("(Negative)");
    expect(BigInt(`0x${serial}`) >= 2n ** 64n).toBe(true);
    expect(caSerial).not.toBe(serial);
  });

  test("fingerprint is the client certificate's SHA-256, as Node and openssl print it", () => {
    expect(certs.fingerprintSha256).toBe(client.fingerprint256);
    const printed = openssl(["x509", "-in", files.client, "-noout", "-fingerprint", "-sha256"]).trim();
    expect(printed).toBe(`sha256 Fingerprint=${certs.fingerprintSha256}`);
  });

  test("the client certificate verifies against the CA (Node and openssl verify -purpose sslclient)", () => {
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const attime = String(NOW_SECONDS);
    const out = openssl(["verify", "-attime", attime, "-purpose", "sslclient", "-CAfile", files.ca, files.client]);
    expect(out.trim()).toBe(`${files.client}: OK`);
  });

  test("the combined PEM is the unencrypted PKCS#8 key, then the client certificate, and the key matches", () => {
    expect(certs.combinedPem).toBe(certs.clientPrivateKeyPem + certs.clientCertificatePem);
    const blocks = [...certs.combinedPem.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
    expect(blocks).toEqual(["PRIVATE KEY", "CERTIFICATE"]);
    expect(certs.clientPrivateKeyPem.endsWith("-----END PRIVATE KEY-----\n")).toBe(true);

    // openssl reads the key from the combined file, and its public half is the certificate's.
    const publicFromKey = openssl(["pkey", "-in", files.combined, "-pubout"]);
    const publicFromCert = openssl(["x509", "-in", files.combined, "-noout", "-pubkey"]);
    expect(publicFromKey).toBe(publicFromCert);
    expect(openssl(["pkey", "-in", files.key, "-noout", "-text"])).toContain(`(${expected.bits} bit`);

    const keyFromNode = createPublicKey(createPrivateKey(certs.combinedPem));
    expect(keyFromNode.equals(client.publicKey)).toBe(true);
  });
});

test("an mTLS server that trusts only the CA accepts a client presenting the combined PEM", async () => {
  // Generated at the real time: the TLS stack checks validity against the system clock.
  const endpoint = await generateCertificates({ name: "endpoint" });
  const other = await generateCertificates({ name: "someone-else" });
  // The server needs some certificate of its own; the client does not check it here.
  const server = tls.createServer({
    key: other.clientPrivateKeyPem,
    cert: other.clientCertificatePem,
    ca: endpoint.caCertificatePem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  const seen: { authorized: boolean; subject?: string; error?: string }[] = [];
  server.on("secureConnection", (socket) => {
    seen.push({
      authorized: socket.authorized,
      subject: socket.getPeerCertificate().subject?.CN,
      error: socket.authorizationError ? String(socket.authorizationError) : undefined,
    });
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  const connect = (pem: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, key: pem, cert: pem, rejectUnauthorized: false }, () => {
        socket.on("end", () => resolve());
        socket.resume();
      });
      socket.on("error", reject);
    });
  try {
    await connect(endpoint.combinedPem);
    await connect(other.combinedPem);
  } finally {
    server.close();
  }
  expect(seen).toEqual([
    { authorized: true, subject: "client.endpoint.user.centml.ai", error: undefined },
    // A certificate from another CA is not trusted.
    { authorized: false, subject: "client.someone-else.user.centml.ai", error: expect.stringMatching(/UNABLE_TO_VERIFY|unable to verify/i) },
  ]);
});

test("two generations never share keys or serials", async () => {
  const [first, second] = [await generateCertificates({ name: "a" }), await generateCertificates({ name: "a" })];
  expect(first.serialNumber).not.toBe(second.serialNumber);
  expect(first.fingerprintSha256).not.toBe(second.fingerprintSha256);
  expect(first.clientPrivateKeyPem).not.toBe(second.clientPrivateKeyPem);
});

test("domain is configurable and goes into both common names", async () => {
  const certs = await generateCertificates({ name: "svc", domain: "certs.example.org", now: NOW });
  expect(new X509Certificate(certs.caCertificatePem).subject).toBe("CN=ca.svc.certs.example.org");
  expect(new X509Certificate(certs.clientCertificatePem).subject).toBe("CN=client.svc.certs.example.org");
});

test("defaults: ECDSA P-384 with SHA-384 and 365 days", async () => {
  const certs = await generateCertificates({ name: "defaults", now: NOW });
  expect(certs.algorithm).toBe("ECDSA_P384");
  const text = openssl(["x509", "-in", writeTemp("defaults.pem", certs.clientCertificatePem), "-noout", "-text"]);
  expect(text).toContain("NIST CURVE: P-384");
  expect(text).toContain("Signature Algorithm: ecdsa-with-SHA384");
  expect(certs.notAfter).toBe(new Date((NOW_SECONDS + 365 * 86_400) * 1000).toISOString());
});

describe("options are checked before anything is generated", () => {
  function codeOf(run: () => unknown): { code: string; property: string; message: string } {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(CertificateError);
      const { code, property, message } = error as CertificateError;
      return { code, property, message };
    }
    throw new Error("expected a CertificateError, but nothing was thrown");
  }

  test.each([
    [0, "zero"],
    [36_500, "100 years"],
    [3651, "one day too many"],
    [1.5, "a fraction"],
    [Number.NaN, "NaN"],
  ])("validityDays %p (%s) is refused", (validityDays) => {
    const error = codeOf(() => resolveCertificateOptions({ name: "x", validityDays }));
    expect(error.code).toBe(CertificateErrorCodes.BAD_VALIDITY);
    expect(error.property).toBe("validityDays");
    expect(error.message).toMatch(/validityDays must be a whole number of days from 1 to 3650/);
  });

  test("1 and 3650 days are the accepted limits", async () => {
    expect(resolveCertificateOptions({ name: "x", validityDays: 1 }).validityDays).toBe(1);
    const longest = await generateCertificates({ name: "x", validityDays: 3650, algorithm: "ECDSA_P256", now: NOW });
    expect(new Date(new X509Certificate(longest.caCertificatePem).validTo).toISOString()).toBe(
      new Date((NOW_SECONDS + 3650 * 86_400) * 1000).toISOString(),
    );
  });

  test("an unknown algorithm is refused with the list of supported ones", async () => {
    const error = codeOf(() => resolveCertificateOptions({ name: "x", algorithm: "DSA_1024" }));
    expect(error).toMatchObject({ code: CertificateErrorCodes.BAD_ALGORITHM, property: "algorithm" });
    expect(error.message).toContain("ECDSA_P256, ECDSA_P384, RSA_2048, RSA_3072, RSA_4096");
    await expect(generateCertificates({ name: "x", algorithm: "ed25519" })).rejects.toMatchObject({
      code: CertificateErrorCodes.BAD_ALGORITHM,
    });
  });

  test("names and domains that cannot form a common name are refused", () => {
    expect(codeOf(() => resolveCertificateOptions({ name: "" }))).toMatchObject({ code: CertificateErrorCodes.BAD_NAME, property: "name" });
    expect(codeOf(() => resolveCertificateOptions({ name: "has space" })).code).toBe(CertificateErrorCodes.BAD_NAME);
    expect(codeOf(() => resolveCertificateOptions({ name: "dotted.name" })).code).toBe(CertificateErrorCodes.BAD_NAME);
    const tooLong = codeOf(() => resolveCertificateOptions({ name: "n".repeat(43) }));
    expect(tooLong.code).toBe(CertificateErrorCodes.BAD_NAME);
    expect(tooLong.message).toContain("the name may have at most 42");
    expect(resolveCertificateOptions({ name: "n".repeat(42) }).clientCommonName).toHaveLength(64);
    expect(codeOf(() => resolveCertificateOptions({ name: "x", domain: "bad_domain.example" }))).toMatchObject({
      code: CertificateErrorCodes.BAD_DOMAIN,
      property: "domain",
    });
    expect(codeOf(() => resolveCertificateOptions({ name: "x", domain: "a..b" })).code).toBe(CertificateErrorCodes.BAD_DOMAIN);
  });

  test("earlyRenewalDays must leave the new certificate some time before it is due again", () => {
    expect(resolveCertificateOptions({ name: "x", validityDays: 90, earlyRenewalDays: 30 }).earlyRenewalDays).toBe(30);
    const error = codeOf(() => resolveCertificateOptions({ name: "x", validityDays: 30, earlyRenewalDays: 30 }));
    expect(error).toMatchObject({ code: CertificateErrorCodes.BAD_EARLY_RENEWAL, property: "earlyRenewalDays" });
    expect(codeOf(() => resolveCertificateOptions({ name: "x", earlyRenewalDays: -1 })).code).toBe(CertificateErrorCodes.BAD_EARLY_RENEWAL);
  });
});

test("generation works in a fresh Node process (as in Pulumi's dynamic-provider process) and leaves Reflect untouched", () => {
  // Compile the current source (not a possibly stale dist/) into a scratch folder.
  const sourceDir = path.join(REPO, "provider", "certificates");
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ccluster-certs-fresh-"));
  try {
    for (const file of fs.readdirSync(sourceDir).filter((name) => name.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(sourceDir, file), "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      fs.writeFileSync(path.join(outDir, file.replace(/\.ts$/, ".js")), outputText);
    }
    const script = `
      const certs = require(${JSON.stringify(outDir)});
      certs.generateCertificates({ name: "fresh" }).then((r) => {
        process.stdout.write(JSON.stringify({ ca: r.caCertificatePem, fp: r.fingerprintSha256, reflect: typeof Reflect.getMetadata }));
      }, (e) => { process.stderr.write(String(e && e.stack)); process.exit(1); });`;
    const run = spawnSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_PATH: path.join(REPO, "node_modules") },
    });
    if (run.status !== 0) throw new Error(`the fresh process failed (exit ${run.status}):\n${run.stderr}`);
    const result = JSON.parse(run.stdout) as { ca: string; fp: string; reflect: string };
    expect(new X509Certificate(result.ca).ca).toBe(true);
    expect(result.fp).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.reflect).toBe("undefined");
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

/**
 * "Use your own certificate": validation of a CA the user brings, with CAs made both by this
 * library and by the openssl CLI; and the renewal rule.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CertificateError,
  CertificateErrorCodes,
  generateCertificates,
  renewalDue,
  validateCaCertificate,
  type GeneratedCertificates,
} from "../../provider/certificates";
import { requireTool } from "../support/tools";

const opensslPath = () => requireTool("openssl", "install it (Debian: apt-get install openssl)");
const NOW = new Date("2026-03-01T12:00:00Z");

let workDir: string;
let certs: GeneratedCertificates;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ccluster-ca-"));
  certs = await generateCertificates({ name: "mine", validityDays: 30, now: NOW });
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function openssl(args: string[]): void {
  execFileSync(opensslPath(), args, { cwd: workDir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Catches the CertificateError `run` must throw. */
function thrownBy(run: () => unknown): CertificateError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateError);
    return error as CertificateError;
  }
  throw new Error("expected a CertificateError, but nothing was thrown");
}

/** A base64 line from the middle of a PEM: if an error quoted the input, it would contain it. */
function innerLine(pem: string): string {
  return pem.split("\n")[2];
}

describe("validateCaCertificate", () => {
  test("a good CA made by this library is accepted and described", () => {
    const info = validateCaCertificate(certs.caCertificatePem, NOW);
    const node = new X509Certificate(certs.caCertificatePem);
    expect(info).toEqual({
      certificatePem: certs.caCertificatePem,
      subject: "CN=ca.mine.user.centml.ai",
      issuer: "CN=ca.mine.user.centml.ai",
      selfIssued: true,
      notBefore: certs.notBefore,
      notAfter: certs.notAfter,
      fingerprintSha256: node.fingerprint256,
      serialNumber: node.serialNumber,
    });
  });

  test("a good CA made by openssl (what a user brings) is accepted, text around the block is ignored", () => {
    openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "own-ca.key",
      "-out", "own-ca.pem", "-subj", "/O=Acme/CN=Acme mTLS CA", "-days", "30",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const pem = fs.readFileSync(path.join(workDir, "own-ca.pem"), "utf8");
    const info = validateCaCertificate(`subject=Acme mTLS CA\n${pem}\n`, new Date());
    expect(info.subject).toBe("O=Acme, CN=Acme mTLS CA");
    expect(info.certificatePem).toBe(pem);
    expect(info.fingerprintSha256).toBe(new X509Certificate(pem).fingerprint256);
  });

  test("text that is not PEM is refused without being quoted", () => {
    const secretish = "this-is-not-a-certificate-0123456789";
    const error = thrownBy(() => validateCaCertificate(secretish, NOW));
    expect(error.code).toBe(CertificateErrorCodes.INVALID_PEM);
    expect(error.property).toBe("caCertificate");
    expect(error.message).toMatch(/must be a PEM certificate/);
    expect(error.message).not.toContain(secretish);
  });

  test("a CERTIFICATE block that does not parse is refused", () => {
    const garbage = "-----BEGIN CERTIFICATE-----\nTUlJQm9uZXNvbWV0aGluZ2Vsc2U=\n-----END CERTIFICATE-----\n";
    const error = thrownBy(() => validateCaCertificate(garbage, NOW));
    expect(error.code).toBe(CertificateErrorCodes.INVALID_PEM);
    expect(error.message).toMatch(/not a parseable X\.509 certificate/);
    expect(error.message).not.toContain("TUlJQm9uZXNvbWV0aGluZ2Vsc2U");
  });

  test("two certificates are refused: exactly one CA is expected", () => {
    const error = thrownBy(() => validateCaCertificate(certs.caCertificatePem + certs.caCertificatePem, NOW));
    expect(error.code).toBe(CertificateErrorCodes.INVALID_PEM);
    expect(error.message).toMatch(/exactly one certificate, but it contains 2/);
  });

  test("a leaf (client) certificate is not a CA", () => {
    const error = thrownBy(() => validateCaCertificate(certs.clientCertificatePem, NOW));
    expect(error.code).toBe(CertificateErrorCodes.NOT_A_CA);
    expect(error.message).toMatch(/BasicConstraints CA=true.*CA=false/);
  });

  test("a certificate without BasicConstraints (openssl leaf) is not a CA", () => {
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=leaf"]);
    openssl(["x509", "-req", "-in", "leaf.csr", "-signkey", "leaf.key", "-days", "30", "-out", "leaf.pem"]);
    const error = thrownBy(() => validateCaCertificate(fs.readFileSync(path.join(workDir, "leaf.pem"), "utf8"), new Date()));
    expect(error.code).toBe(CertificateErrorCodes.NOT_A_CA);
    expect(error.message).toMatch(/no BasicConstraints extension/);
  });

  test("a CA=true certificate whose key usage forbids signing certificates is not a CA", () => {
    openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "odd.key", "-out", "odd.pem",
      "-subj", "/CN=odd", "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature",
    ]);
    const error = thrownBy(() => validateCaCertificate(fs.readFileSync(path.join(workDir, "odd.pem"), "utf8"), new Date()));
    expect(error.code).toBe(CertificateErrorCodes.NOT_A_CA);
    expect(error.message).toMatch(/keyUsage lacks keyCertSign/);
  });

  test("an expired CA is refused, naming its notAfter", () => {
    const afterExpiry = new Date(Date.parse(certs.notAfter) + 1000);
    const error = thrownBy(() => validateCaCertificate(certs.caCertificatePem, afterExpiry));
    expect(error.code).toBe(CertificateErrorCodes.EXPIRED);
    expect(error.message).toContain(`notAfter was ${certs.notAfter}`);
    // The last valid second is still valid.
    expect(validateCaCertificate(certs.caCertificatePem, new Date(certs.notAfter)).notAfter).toBe(certs.notAfter);
  });

  test("a CA that is not valid yet is refused", () => {
    const beforeStart = new Date(Date.parse(certs.notBefore) - 1000);
    const error = thrownBy(() => validateCaCertificate(certs.caCertificatePem, beforeStart));
    expect(error.code).toBe(CertificateErrorCodes.NOT_YET_VALID);
    expect(error.message).toContain(`notBefore is ${certs.notBefore}`);
  });

  test("a PEM that also carries a private key is refused, and the key is not quoted", () => {
    const error = thrownBy(() => validateCaCertificate(certs.clientPrivateKeyPem + certs.caCertificatePem, NOW, { property: "ownCaPem" }));
    expect(error.code).toBe(CertificateErrorCodes.CONTAINS_PRIVATE_KEY);
    expect(error.property).toBe("ownCaPem");
    expect(error.message).toMatch(/^ownCaPem must contain only the CA certificate/);
    expect(error.message).not.toContain(innerLine(certs.clientPrivateKeyPem));
  });
});

describe("renewalDue", () => {
  const notAfter = "2026-06-30T00:00:00.000Z";
  const at = (iso: string) => new Date(iso);

  test("ok before the early-renewal window, renew inside it, expired after notAfter", () => {
    expect(renewalDue({ notAfter, earlyRenewalDays: 30, now: at("2026-05-30T23:59:59Z") })).toBe("ok");
    expect(renewalDue({ notAfter, earlyRenewalDays: 30, now: at("2026-05-31T00:00:00Z") })).toBe("renew");
    expect(renewalDue({ notAfter, earlyRenewalDays: 30, now: at("2026-06-30T00:00:00Z") })).toBe("renew");
    expect(renewalDue({ notAfter, earlyRenewalDays: 30, now: at("2026-06-30T00:00:01Z") })).toBe("expired");
  });

  test("without early renewal a certificate is ok until it expires; a Date works as well as a string", () => {
    expect(renewalDue({ notAfter: new Date(notAfter), now: at("2026-06-29T23:59:59Z") })).toBe("ok");
    expect(renewalDue({ notAfter: new Date(notAfter), now: at("2026-07-01T00:00:00Z") })).toBe("expired");
  });

  test("a generated certificate is ok right away", () => {
    expect(renewalDue({ notAfter: certs.notAfter, earlyRenewalDays: 7, now: NOW })).toBe("ok");
  });

  test("bad input is refused with a code", () => {
    expect(thrownBy(() => renewalDue({ notAfter, earlyRenewalDays: -1 })).code).toBe(CertificateErrorCodes.BAD_EARLY_RENEWAL);
    expect(thrownBy(() => renewalDue({ notAfter, earlyRenewalDays: 0.5 })).code).toBe(CertificateErrorCodes.BAD_EARLY_RENEWAL);
    const badDate = thrownBy(() => renewalDue({ notAfter: "next tuesday" }));
    expect(badDate).toMatchObject({ code: CertificateErrorCodes.BAD_DATE, property: "notAfter" });
  });
});

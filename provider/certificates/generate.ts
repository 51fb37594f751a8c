/**
 * Generation of a CA and a client certificate for mTLS private endpoints, the way the
 * platform's CLI makes them (ECDSA P-384 / SHA-384 by default), with @peculiar/x509 on Node's
 * WebCrypto. node-forge was not an option: it cannot make ECDSA certificates.
 */
import { KeyObject, randomBytes, webcrypto } from "node:crypto";
import { KEY_ALGORITHM_SPECS, type KeyAlgorithm, type KeyAlgorithmSpec } from "./algorithms";
import { CertificateError, CertificateErrorCodes } from "./errors";
import { normalizeSerial, sha256Fingerprint } from "./fingerprint";
import { CLOCK_SKEW_MINUTES, resolveCertificateOptions, type CertificateOptions } from "./options";
import { loadX509 } from "./x509";

const MS_PER_DAY = 86_400_000;

/** Input of {@link generateCertificates}. */
export interface GenerateCertificatesOptions extends CertificateOptions {
  /** The current time; only tests need to set it. Default `new Date()`. */
  now?: Date;
}

/**
 * A generated CA + client certificate pair. `clientPrivateKeyPem` and `combinedPem` are
 * secrets; the CA's private key is discarded (as the platform's CLI does), so no further
 * certificate can be issued by this CA.
 */
export interface GeneratedCertificates {
  algorithm: KeyAlgorithm;
  /** `ca.<name>.<domain>` */
  caCommonName: string;
  /** `client.<name>.<domain>` */
  clientCommonName: string;
  /** The CA certificate: what the vault stores and the endpoint trusts. */
  caCertificatePem: string;
  /** The client certificate, issued by the CA. */
  clientCertificatePem: string;
  /** Secret. The client key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  clientPrivateKeyPem: string;
  /** Secret. Exactly the platform's `<name>.pem`: the client key PEM, then the client certificate PEM. */
  combinedPem: string;
  /** Start of validity of both certificates (ISO 8601, 5 minutes before generation). */
  notBefore: string;
  /** End of validity of both certificates (ISO 8601). */
  notAfter: string;
  /** SHA-256 fingerprint of the client certificate, colon hex, upper case (as OpenSSL prints it). */
  fingerprintSha256: string;
  /** Serial number of the client certificate, hex, upper case. */
  serialNumber: string;
}

/** 128 random bits with the top bit cleared (positive) and the next one set (fixed length). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString("hex");
}

function withTrailingNewline(pem: string): string {
  const unix = pem.replace(/\r\n/g, "\n");
  return unix.endsWith("\n") ? unix : `${unix}\n`;
}

async function generateKeyPair(spec: KeyAlgorithmSpec, extractable: boolean): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(spec.generateParams, extractable, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
}

/**
 * Generates a self-signed CA and a client certificate issued by it, plus the client's
 * private key, with the extensions an mTLS endpoint checks (BasicConstraints critical,
 * key usages, clientAuth, subject/authority key identifiers) and random 128-bit serials.
 * Throws a {@link CertificateError} for invalid options.
 *
 * @example
 * ```ts
 * const certs = await generateCertificates({ name: "my-endpoint" });
 * fs.writeFileSync("my-endpoint.pem", certs.combinedPem, { mode: 0o600 });
 * // store certs.caCertificatePem in the vault under "my-endpoint"
 * ```
 */
export async function generateCertificates(options: GenerateCertificatesOptions): Promise<GeneratedCertificates> {
  const resolved = resolveCertificateOptions(options);
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new CertificateError(CertificateErrorCodes.BAD_DATE, "now", "now must be a valid Date");
  }
  const x509 = loadX509();
  const spec = KEY_ALGORITHM_SPECS[resolved.algorithm];

  // Certificates store whole seconds; truncating first makes the reported dates exact.
  const nowSeconds = Math.floor(now.getTime() / 1000) * 1000;
  const notBefore = new Date(nowSeconds - CLOCK_SKEW_MINUTES * 60_000);
  const notAfter = new Date(nowSeconds + resolved.validityDays * MS_PER_DAY);

  // Sequential on purpose: one triplet uses one core. The CA key never leaves WebCrypto.
  const caKeys = await generateKeyPair(spec, false);
  const clientKeys = await generateKeyPair(spec, true);
  const caPublic = caKeys.publicKey;
  const clientPublic = clientKeys.publicKey;

  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [resolved.caCommonName] }],
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: spec.signingParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caPublic),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
    ],
  });

  const clientUsages = spec.keyEncipherment
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  const clientCertificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [resolved.clientCommonName] }],
    // The CA's encoded name, byte for byte, so chain builders match issuer to subject.
    issuer: caCertificate.subjectName,
    notBefore,
    notAfter,
    publicKey: clientPublic,
    signingKey: caKeys.privateKey,
    signingAlgorithm: spec.signingParams,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(clientUsages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      await x509.SubjectKeyIdentifierExtension.create(clientPublic),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
    ],
  });

  const clientPrivateKeyPem = withTrailingNewline(
    KeyObject.from(clientKeys.privateKey).export({ type: "pkcs8", format: "pem" }).toString(),
  );
  const clientCertificatePem = withTrailingNewline(clientCertificate.toString("pem"));

  return {
    algorithm: resolved.algorithm,
    caCommonName: resolved.caCommonName,
    clientCommonName: resolved.clientCommonName,
    caCertificatePem: withTrailingNewline(caCertificate.toString("pem")),
    clientCertificatePem,
    clientPrivateKeyPem,
    combinedPem: clientPrivateKeyPem + clientCertificatePem,
    notBefore: clientCertificate.notBefore.toISOString(),
    notAfter: clientCertificate.notAfter.toISOString(),
    fingerprintSha256: sha256Fingerprint(clientCertificate.rawData),
    serialNumber: normalizeSerial(clientCertificate.serialNumber),
  };
}

/**
 * TLS for the private endpoint: its server certificate, and the check of a caller's client
 * certificate against the CA stored in the vault.
 *
 * Certificates are made with @peculiar/x509 on WebCrypto, ECDSA P-384 / SHA-384 like the
 * platform's own; node-forge cannot make ECDSA certificates. The library is loaded through the
 * provider's `loadX509`, which supplies the Reflect metadata it needs to load.
 * @internal
 */
import { webcrypto, X509Certificate } from "node:crypto";
import { loadX509 } from "../provider/certificates/x509";

const P384 = { name: "ECDSA", namedCurve: "P-384" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-384" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The private endpoint's server key and certificate, and the CA a client must trust. */
export interface ServerCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(P384, true, ["sign", "verify"]);
}

/**
 * Makes a throw-away CA and a server certificate it signs, for 127.0.0.1 and localhost.
 * Valid from a day ago (clock skew) to 30 days ahead.
 */
export async function createServerCredentials(): Promise<ServerCredentials> {
  const x509 = loadX509();
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + 30 * DAY_MS);
  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=ccluster-emulator private endpoint CA",
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false),
      ],
    },
  );
  const serverKeys = await generateKeys();
  const server = await x509.X509CertificateGenerator.create(
    {
      subject: "CN=localhost",
      issuer: ca.subject,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: "ip", value: "127.0.0.1" },
          { type: "dns", value: "localhost" },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false),
      ],
    },
  );
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return {
    caPem: ca.toString("pem"),
    certPem: server.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

/** Every certificate in a PEM text that parses; anything else in it is ignored. */
export function certificatesInPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      // Not a certificate after all: it cannot vouch for anyone.
    }
  }
  return certificates;
}

function isCurrent(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}

/** Why a client certificate is refused, or `undefined` when it is accepted. */
export type ClientCertificateVerdict = undefined | "untrusted" | "expired";

/**
 * Checks a client certificate against candidate CAs: accepted when one CA (a CA certificate
 * within its validity) issued and signed it and the client certificate is within its validity.
 */
export function checkClientCertificate(client: X509Certificate, trustedCas: readonly X509Certificate[], now = new Date()): ClientCertificateVerdict {
  const issuer = trustedCas.find((ca) => ca.ca && client.checkIssued(ca) && client.verify(ca.publicKey));
  if (!issuer) return "untrusted";
  return isCurrent(client, now) && isCurrent(issuer, now) ? undefined : "expired";
}

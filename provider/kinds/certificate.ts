import { z } from "zod";
import {
  CertificateError,
  DEFAULT_KEY_ALGORITHM,
  generateCertificates,
  KEY_ALGORITHMS,
  renewalDue,
  resolveCertificateOptions,
  validateCaCertificate,
} from "../certificates";
import type { UserVaultItem } from "../client";
import { ProviderError, ProviderErrorCodes } from "../errors";
import { vaultItemInputs, vaultItemOutputs } from "../framework/common-inputs";
import { defineKind, type OperationContext, type State } from "../framework/declaration";
import { providerClock } from "../framework/lifecycle";
import { isKnown } from "../framework/validation";
import { findById, holderOfKey, listVaultItemsByNamePrefix, vaultItemFeatures, type Keyed } from "../framework/vault-item";

const DEFAULT_EARLY_RENEWAL_DAYS = 30;

const inputs = z.strictObject({
  ...vaultItemInputs,
  key: z.string().optional().describe("The certificate's name `N` (its vault key); common names become `ca.N.<domain>` and `client.N.<domain>`. Auto-named when omitted."),
  algorithm: z.enum(KEY_ALGORITHMS).default(DEFAULT_KEY_ALGORITHM).describe("Key algorithm of the CA and client keys. The platform's CLI uses ECDSA_P384."),
  validityDays: z.int().default(365).describe("Validity of both certificates in days, 1–3650 (the platform's CLI uses 5 years)."),
  earlyRenewalDays: z.int().min(0).default(DEFAULT_EARLY_RENEWAL_DAYS).describe("Replace the certificate on a plain `pulumi up` once it is within this many days of `notAfter`."),
  domain: z.string().default("user.centml.ai").describe("DNS domain of the common names."),
  caCertificatePem: z
    .string()
    .optional()
    .describe('"Use your own certificate": a CA certificate PEM to store instead of generating one. It must parse, be a CA, have a key of RSA 2048+ bits or ECDSA P-256+ (never DSA) and be valid now.'),
});
type Inputs = z.output<typeof inputs>;

const certificateOutputs = {
  ...vaultItemOutputs,
  caCertificatePem: { type: "string", description: "The CA certificate PEM kept in the vault: what the endpoint trusts (`endpoint_certificate_authority`)." },
  clientCertificatePem: { type: "string", sdkType: "string | undefined", description: "The client certificate PEM (generated certificates only)." },
  clientPrivateKeyPem: { type: "string", sdkType: "string | undefined", secret: true, description: "The client private key, unencrypted PKCS#8 PEM." },
  combinedPem: { type: "string", sdkType: "string | undefined", secret: true, description: "Exactly the platform's `<name>.pem`: client private key, then client certificate. Write it with `PemFile`." },
  notBefore: { type: "string", description: "Start of validity (ISO 8601)." },
  notAfter: { type: "string", description: "End of validity (ISO 8601)." },
  fingerprintSha256: { type: "string", description: "SHA-256 fingerprint of the client certificate (of the CA when you brought your own)." },
  serialNumber: { type: "string", description: "Serial number of the client certificate (of the CA when you brought your own), hex." },
} as const;

async function storeCa(ctx: OperationContext, i: Keyed<Inputs>, pem: string, id?: number): Promise<UserVaultItem> {
  return ctx.clients.vault().upsert({ id, type: "certificates", key: i.key, value: pem, visibility: i.visibility });
}

/** The outputs of a CA someone else made (brought, or adopted from the vault). */
function outputsOfCa(pem: string, now: Date): State {
  const ca = validateCaCertificate(pem, now, { property: "caCertificatePem" });
  return { caCertificatePem: ca.certificatePem, notBefore: ca.notBefore, notAfter: ca.notAfter, fingerprintSha256: ca.fingerprintSha256, serialNumber: ca.serialNumber };
}

/** Takes over a CA in the vault. Only the CA lives there; the client key of an adopted certificate stays with whoever made it. */
function adoptCa(existing: UserVaultItem, ctx: OperationContext) {
  if (existing.value === undefined) throw new ProviderError(ProviderErrorCodes.ADOPT, `cannot adopt: the platform did not return the CA of certificate item ${existing.id}`);
  return { id: String(existing.id), outs: { ...outputsOfCa(existing.value, ctx.now()), itemId: existing.id, key: existing.key, visibility: existing.visibility } };
}

/** An mTLS certificate for private endpoints: a CA kept in the vault, and the client certificate and key. */
export const certificate = defineKind({
  module: "ccluster",
  typeName: "Certificate",
  description:
    "A certificate for mTLS private endpoints, made like the platform's CLI makes it: a CA (kept in the vault, type `certificates`, and trusted by the endpoint) and a client certificate and key issued by it, output as the platform's `<name>.pem`. Or bring your own CA.",
  example: [
    'const cert = new ccluster.Certificate("my-endpoint", { validityDays: 365, earlyRenewalDays: 30 });',
    'new ccluster.PemFile("my-endpoint-pem", { certificate: cert, path: "certs/my-endpoint.pem" });',
  ].join("\n"),
  platformObject: "vault item, type `certificates` (value: the CA certificate PEM)",
  inputs,
  replaceOnChange: ["key", "visibility", "algorithm", "validityDays", "domain", "caCertificatePem"],
  secretInputs: [],
  outputs: certificateOutputs,
  autoName: { property: "key", style: "kebab" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  validate(i) {
    try {
      // Values computed by other resources are judged once they are known.
      const options = { name: i.key ?? "auto-name", domain: i.domain, algorithm: i.algorithm, validityDays: i.validityDays, earlyRenewalDays: i.earlyRenewalDays };
      if (isKnown(options)) resolveCertificateOptions(options);
      if (i.caCertificatePem !== undefined && isKnown(i.caCertificatePem)) validateCaCertificate(i.caCertificatePem, providerClock()(), { property: "caCertificatePem" });
    } catch (e) {
      if (!(e instanceof CertificateError)) throw e;
      const property = e.property === "name" ? "key" : e.property;
      const defaulted = property === "earlyRenewalDays" && i.earlyRenewalDays === DEFAULT_EARLY_RENEWAL_DAYS ? ` (${DEFAULT_EARLY_RENEWAL_DAYS} is its default; set it lower for a certificate this short-lived)` : "";
      return [{ property, reason: `Certificate.${e.message.replace(/^name /, "key ")}${defaulted}` }];
    }
    return [];
  },
  operations: {
    async create(i, ctx) {
      const holder = await holderOfKey(ctx, "certificates", i);
      if (holder !== undefined)
        throw new ProviderError(
          ProviderErrorCodes.KEY_TAKEN,
          `a certificate named "${i.key}" (${i.visibility}) already exists in the vault (id ${holder}); set adoptExisting: true to take it over, or choose another key`,
        );
      if (i.caCertificatePem !== undefined) {
        const outs = outputsOfCa(i.caCertificatePem, ctx.now());
        const item = await storeCa(ctx, i, outs.caCertificatePem as string);
        return { id: String(item.id), outs: { ...outs, itemId: item.id } };
      }
      const certs = await generateCertificates({ name: i.key, domain: i.domain, algorithm: i.algorithm, validityDays: i.validityDays, earlyRenewalDays: i.earlyRenewalDays, now: ctx.now() });
      // Generated first, stored second: a failure in between leaves nothing on the platform.
      const item = await storeCa(ctx, i, certs.caCertificatePem);
      return {
        id: String(item.id),
        outs: {
          itemId: item.id,
          caCertificatePem: certs.caCertificatePem,
          clientCertificatePem: certs.clientCertificatePem,
          clientPrivateKeyPem: certs.clientPrivateKeyPem,
          combinedPem: certs.combinedPem,
          notBefore: certs.notBefore,
          notAfter: certs.notAfter,
          fingerprintSha256: certs.fingerprintSha256,
          serialNumber: certs.serialNumber,
        },
      };
    },
    async adopt(i, ctx) {
      const existing = await ctx.clients.vault().findByKey("certificates", i.key, i.visibility);
      return existing && adoptCa(existing, ctx);
    },
    async adoptById(id, i, ctx) {
      return adoptCa(await findById(ctx, "certificates", id, i.key), ctx);
    },
    listByNamePrefix: listVaultItemsByNamePrefix("certificates"),
    async read(id, state, ctx) {
      const item = await ctx.clients.vault().find(Number(id));
      if (!item || item.type !== "certificates") return undefined;
      const live = { itemId: item.id, key: item.key, visibility: item.visibility, caCertificatePem: item.value ?? state.caCertificatePem };
      // A CA made elsewhere (imported) is described like a brought one; one that no longer validates keeps what state says.
      if (state.clientCertificatePem === undefined && typeof live.caCertificatePem === "string") {
        try {
          return { ...outputsOfCa(live.caCertificatePem, ctx.now()), ...live };
        } catch (e) {
          if (!(e instanceof CertificateError)) throw e;
        }
      }
      return live;
    },
    // Only earlyRenewalDays and rotation settings change in place; nothing to do on the platform.
    async update(_id, olds) {
      return Object.fromEntries(Object.keys(certificateOutputs).map((k) => [k, olds[k]]));
    },
    async delete(id, _state, ctx) {
      await ctx.clients.vault().delete(Number(id));
    },
    replaceReason(state, news, now) {
      // Only a certificate made here can be renewed here: a brought or adopted CA's key is elsewhere
      // (the policy pack's state check reports those when they near expiry).
      if (typeof state.notAfter !== "string" || typeof state.clientCertificatePem !== "string") return undefined;
      const due = renewalDue({ notAfter: state.notAfter, earlyRenewalDays: news.earlyRenewalDays ?? 0, now });
      return due === "ok" ? undefined : { property: "earlyRenewalDays" };
    },
  },
});

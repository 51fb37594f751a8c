/**
 * Read-only lookups of existing vault items (the equivalent of Terraform data sources), used by
 * the SDK's `getItem` and `getCertificate`. They run in the program's process.
 */
import { X509Certificate } from "node:crypto";
import { createClients, resolveSettings, type ConfigSource, type UserVaultItem, type VaultType, type Visibility } from "./client";
import { ProviderError, ProviderErrorCodes } from "./errors";

export interface ItemQuery {
  /** The item's id; or `type` and `key` (and `visibility`, default USER). */
  id?: number;
  type?: VaultType;
  key?: string;
  visibility?: Visibility;
}

export async function lookupItem(query: ItemQuery, config?: ConfigSource): Promise<UserVaultItem> {
  const vault = createClients(resolveSettings(config)).vault();
  if (query.id !== undefined) {
    const item = await vault.find(query.id);
    if (!item) throw new ProviderError(ProviderErrorCodes.LOOKUP, `getItem: no vault item with id ${query.id} is visible to these credentials`);
    return item;
  }
  if (!query.type || !query.key) throw new ProviderError(ProviderErrorCodes.LOOKUP, "getItem: give either id, or type and key");
  const item = await vault.findByKey(query.type, query.key, query.visibility ?? "USER");
  if (!item) throw new ProviderError(ProviderErrorCodes.LOOKUP, `getItem: no ${query.type} item with key "${query.key}" (${query.visibility ?? "USER"}) is visible to these credentials`);
  return item;
}

export interface CertificateLookup {
  itemId: number;
  key: string;
  caCertificatePem: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export async function lookupCertificate(key: string, visibility: Visibility = "USER", config?: ConfigSource): Promise<CertificateLookup> {
  const item = await lookupItem({ type: "certificates", key, visibility }, config);
  // A lookup reports what is there, expired or not; the policy pack judges validity.
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(item.value ?? "");
  } catch {
    throw new ProviderError(ProviderErrorCodes.LOOKUP, `getCertificate: the vault item "${key}" does not hold a PEM certificate`);
  }
  return {
    itemId: item.id,
    key: item.key,
    caCertificatePem: item.value!,
    notBefore: new Date(ca.validFrom).toISOString(),
    notAfter: new Date(ca.validTo).toISOString(),
    fingerprintSha256: ca.fingerprint256,
  };
}

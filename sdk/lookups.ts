/** Lookups of what already exists in the vault, as outputs (like the data sources of other providers). */
import * as pulumi from "@pulumi/pulumi";
import { lookupCertificate, lookupItem, type CertificateLookup, type ItemQuery } from "../provider/lookups";
import type { UserVaultItem } from "../provider/client";

/** The stack's `ccluster:` and `aigateway:` config as the client reads it (secrets included). */
function stackConfig(): pulumi.Output<Record<string, string | undefined>> {
  const keys = ["apiUrl", "token", "serviceAccountId", "serviceAccountSecret", "tokenUrl"];
  const cfg = new pulumi.Config("ccluster");
  return pulumi.all(Object.fromEntries(keys.map((k) => [`ccluster:${k}`, cfg.getSecret(k)])));
}

/**
 * Reads one vault item, with its value (secret).
 *
 * @example
 * const hf = ccluster.getItem({ type: "access_tokens", key: "team-hf" });
 * export const hfToken = hf.value; // secret
 */
export function getItem(query: ItemQuery): pulumi.Output<UserVaultItem> {
  return pulumi.secret(stackConfig().apply((c) => lookupItem(query, { get: (k) => c[k] })));
}

/**
 * Reads the CA certificate stored under a certificate's name (what its private endpoint trusts).
 *
 * @example
 * const ca = ccluster.getCertificate("my-endpoint");
 * export const endpointCertificateAuthority = ca.caCertificatePem;
 */
export function getCertificate(key: string, visibility: "USER" | "ORG" = "USER"): pulumi.Output<CertificateLookup> {
  return pulumi.unsecret(stackConfig().apply((c) => lookupCertificate(key, visibility, { get: (k) => c[k] })));
}

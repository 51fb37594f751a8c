/**
 * Lookups of what already exists in the vault, as outputs (like the data sources of other
 * providers). They run in the program's process, at every `preview` and `up`, with the same
 * credentials as the resources: the stack's `ccluster:` config, or the environment.
 *
 * The public types here are plain TypeScript, so that a program's compilation reads no zod
 * declarations (see scripts/sdk-args.ts); returning the provider's values checks they match.
 */
import * as pulumi from "@pulumi/pulumi";
import { settingDeclarations } from "../provider/client/settings";
import type * as lookups from "../provider/lookups";

/** The provider's lookups, loaded on first use: they bring the HTTP client, which a program that reads nothing never needs. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use
const provider = (): typeof lookups => require("../provider/lookups");

/** What a vault item holds (the platform's `UserVaultType`). */
export type VaultItemType = "env_vars" | "ssh_keys" | "bearer_tokens" | "access_tokens" | "certificates" | "registry_credentials";

/** Which item {@link getItem} reads: `id`; or `type` and `key`, with `visibility` (default `USER`). */
export interface ItemQuery {
  /** The vault item's id (what `existingId` takes). */
  id?: number;
  type?: VaultItemType;
  key?: string;
  /** @defaultValue "USER" */
  visibility?: "USER" | "ORG";
}

/** A vault item as {@link getItem} read it. Only `value` is secret. */
export interface VaultItemLookup {
  /** The item's id on the platform. */
  id: pulumi.Output<number>;
  type: pulumi.Output<VaultItemType>;
  /** The item's key (name). */
  key: pulumi.Output<string>;
  /** `USER` or `ORG` (`USER` when the platform does not say). */
  visibility: pulumi.Output<"USER" | "ORG">;
  /** The item's value: a token, a registry credential's JSON, a CA certificate's PEM. Secret. */
  value: pulumi.Output<string | undefined>;
}

/** The CA certificate a vault certificate item holds, as {@link getCertificate} read it. Nothing here is secret. */
export interface CertificateLookup {
  itemId: number;
  /** The certificate's name (its vault key): the private endpoint's name. */
  key: string;
  /** For the deployment field `endpoint_certificate_authority`. */
  caCertificatePem: string;
  /** ISO 8601. */
  notBefore: string;
  /** ISO 8601. */
  notAfter: string;
  fingerprintSha256: string;
}

/** The stack's `ccluster:` config as the client reads it (secrets included). */
function stackConfig(): pulumi.Output<Record<string, string | undefined>> {
  const keys = Object.values(settingDeclarations)
    .map((s) => s.configKey)
    .filter((k) => k.startsWith("ccluster:"));
  const cfg = new pulumi.Config("ccluster");
  return pulumi.all(Object.fromEntries(keys.map((k) => [k, cfg.getSecret(k.slice("ccluster:".length))])));
}

/**
 * Reads one vault item that this stack does not manage (another stack's, or one made in the
 * platform's UI or CLI): by `id`, or by `type` and `key`. The program fails, naming the query,
 * when no such item is visible to the credentials. The value is secret; the id, type, key and
 * visibility are not, so they can be shown and passed on freely.
 *
 * @example
 * const hf = ccluster.getItem({ type: "access_tokens", key: "team-hf", visibility: "ORG" });
 * export const hfTokenItemId = hf.id;
 * export const hfToken = hf.value; // secret
 */
export function getItem(query: ItemQuery): VaultItemLookup {
  // Reading with secret credentials makes the whole answer secret; only its value is.
  const item = pulumi.unsecret(stackConfig().apply((c) => provider().lookupItem(query, { get: (k) => c[k] })));
  return {
    id: item.id,
    type: item.type,
    key: item.key,
    visibility: item.visibility,
    value: pulumi.secret(item.value),
  };
}

/**
 * Reads the CA certificate stored under a certificate's name: what its private endpoint trusts,
 * for the deployment field `endpoint_certificate_authority` of an endpoint whose certificate
 * another stack manages. The program fails when there is no such item or it holds no PEM
 * certificate. An expired CA is reported as it is (`notAfter`); the policy pack judges validity.
 *
 * @example
 * const ca = ccluster.getCertificate("my-endpoint");
 * export const endpointCertificateAuthority = ca.caCertificatePem;
 */
export function getCertificate(key: string, visibility: "USER" | "ORG" = "USER"): pulumi.Output<CertificateLookup> {
  return pulumi.unsecret(stackConfig().apply((c): Promise<CertificateLookup> => provider().lookupCertificate(key, visibility, { get: (k) => c[k] })));
}

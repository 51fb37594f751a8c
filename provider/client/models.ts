/**
 * The platforms' data models as zod schemas: every answer is checked against these before
 * anything else sees it. Names follow the platform's OpenAPI document ("Platform External API").
 */
import { z } from "zod";

/** `UserVaultType`: which kind of credential a vault item holds. */
export const vaultTypes = ["env_vars", "ssh_keys", "bearer_tokens", "access_tokens", "certificates", "registry_credentials"] as const;
export const VaultType = z.enum(vaultTypes);
export type VaultType = z.infer<typeof VaultType>;

/** `VaultScope`: who can see an item. */
export const Visibility = z.enum(["USER", "ORG"]);
export type Visibility = z.infer<typeof Visibility>;

/** The platform's own limits on an upsert, enforced locally too. */
export const vaultLimits = { keyMin: 1, keyMax: 512, valueMin: 1, valueMax: 4096 } as const;

export const UserVaultItem = z.object({
  id: z.int().min(1),
  type: VaultType,
  key: z.string(),
  value: z.string().optional(),
  // The platform answers `null` (or nothing) for some items' scope; it means USER. Read once here.
  visibility: Visibility.nullish().transform((v): Visibility => v ?? "USER"),
});
export type UserVaultItem = z.infer<typeof UserVaultItem>;

export const UserVaultList = z.object({ results: z.array(UserVaultItem) });

export interface UpsertUserVaultItemRequest {
  id?: number;
  type: VaultType;
  key: string;
  value: string;
  visibility?: Visibility;
}

export interface DeleteUserVaultItemRequest {
  type: VaultType;
  key: string;
  visibility?: Visibility;
  id?: number;
}

/** Any JSON object: the platform answers deletes with `{}`-like objects. */
export const AnyObject = z.looseObject({});

/** `APIKeyResponse`, plus the secret `key`, which the platform may only send on create (assumed). */
export const ApiKey = z.object({
  name: z.string(),
  id: z.union([z.string(), z.number()]).transform(String),
  created_at: z.string(),
  key: z.string().optional(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeyList = z.object({ results: z.array(ApiKey) });

/** An AI-gateway authentication token (assumed shape: the management API is not published). */
export const GatewayToken = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
  gateway: z.string(),
  status: z.string(),
  created_at: z.string(),
  token: z.string().optional(),
  rate_limit: z.object({ requests_per_minute: z.number() }).partial().nullable().optional(),
});
export type GatewayToken = z.infer<typeof GatewayToken>;
export const GatewayTokenList = z.object({ results: z.array(GatewayToken) });

/** The vault API (`/user_vault`): list, get, upsert, delete by id, and the legacy delete. */
import { ErrorCodes, isPlatformError } from "./errors";
import { HttpClient } from "./http";
import {
  AnyObject,
  DeleteUserVaultItemRequest,
  UpsertUserVaultItemRequest,
  UserVaultItem,
  UserVaultList,
  VaultType,
} from "./models";

export class VaultApi {
  constructor(private readonly http: HttpClient) {}

  /** Metadata of the items visible to the caller: the platform never returns values here. */
  async list(filter: { type?: VaultType; searchQuery?: string } = {}): Promise<UserVaultItem[]> {
    const res = await this.http.call({
      method: "GET",
      path: "/user_vault",
      query: { type: filter.type, search_query: filter.searchQuery },
      schema: UserVaultList,
      idempotent: true,
    });
    return res.results;
  }

  /** One item with its value. */
  async get(id: number): Promise<UserVaultItem> {
    return this.http.call({ method: "GET", path: `/user_vault/${id}`, schema: UserVaultItem, idempotent: true });
  }

  /** Like `get`, but `undefined` when the item does not exist (or is not visible). */
  async find(id: number): Promise<UserVaultItem | undefined> {
    try {
      return await this.get(id);
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return undefined;
      throw e;
    }
  }

  /** The item with this type, key and visibility, if any (looked up by listing, then read with its value). */
  async findByKey(type: VaultType, key: string, visibility: "USER" | "ORG" = "USER"): Promise<UserVaultItem | undefined> {
    const items = await this.list({ type, searchQuery: key });
    const match = items.find((i) => i.key === key && (i.visibility ?? "USER") === visibility);
    return match ? this.find(match.id) : undefined;
  }

  /**
   * Creates or updates an item. Idempotent: with an id it rewrites that row; without one the
   * platform upserts on (type, key, visibility), so repeating the same call writes the same row.
   */
  async upsert(req: UpsertUserVaultItemRequest): Promise<UserVaultItem> {
    return this.http.call({
      method: "PUT",
      path: "/user_vault",
      json: req,
      schema: UserVaultItem,
      idempotent: true,
      secrets: [req.value],
    });
  }

  /** Deletes by id. Returns false when the item was already gone. */
  async delete(id: number): Promise<boolean> {
    try {
      await this.http.call({ method: "DELETE", path: `/user_vault/${id}`, schema: AnyObject, idempotent: true });
      return true;
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return false;
      throw e;
    }
  }

  /** The legacy delete by type + key + visibility. Returns false when there was nothing to delete. */
  async deleteByKey(req: DeleteUserVaultItemRequest): Promise<boolean> {
    try {
      await this.http.call({ method: "DELETE", path: "/user_vault", json: req, schema: AnyObject, idempotent: true });
      return true;
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return false;
      throw e;
    }
  }
}

/** The vault API (`/user_vault`): list, get, upsert, delete by id, and the legacy delete. */
import { ErrorCodes, isPlatformError, isUncertainFailure, mayLandLater, type PlatformError } from "./errors";
import { HttpClient, sleep } from "./http";
import {
  AnyObject,
  DeleteUserVaultItemRequest,
  UpsertUserVaultItemRequest,
  UserVaultItem,
  UserVaultList,
  VaultType,
} from "./models";

/** How often a timed-out write is looked for while it may still land. */
const LATE_LANDING_POLL_MS = 500;

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
    const match = items.find((i) => i.key === key && i.visibility === visibility);
    return match ? this.find(match.id) : undefined;
  }

  /**
   * Creates or updates an item. With an id it rewrites that row, which is safe to repeat.
   * Without one, whether the platform upserts on (type, key, visibility) or inserts a row is not
   * published, so the call is never repeated blindly: after an answer that may have been lost,
   * the item is looked up by its key, and only written again when it is not there (with the
   * client's backoff, until its time budget is spent). A write that timed out when the budget
   * is spent may still land: it is waited for (up to twice the request timeout) and taken, rather
   * than failing and leaving an item that no state records.
   */
  async upsert(req: UpsertUserVaultItemRequest): Promise<UserVaultItem> {
    if (req.id !== undefined) return this.put(req, true);
    const schedule = this.http.retrySchedule();
    for (;;) {
      try {
        return await this.put(req, false);
      } catch (e) {
        if (!isUncertainFailure(e)) throw e;
        const landed = await this.findByKey(req.type, req.key, req.visibility ?? "USER");
        if (landed) return this.settle(req, landed);
        // Not there: writing again cannot make a second item.
        const delay = schedule.nextDelay(e as PlatformError, true);
        if (delay === undefined) {
          const late = mayLandLater(e) ? await this.awaitLateLanding(req) : undefined;
          if (late) return late;
          throw e;
        }
        await sleep(delay);
      }
    }
  }

  private put(body: UpsertUserVaultItemRequest, idempotent: boolean): Promise<UserVaultItem> {
    return this.http.call({ method: "PUT", path: "/user_vault", json: body, schema: UserVaultItem, idempotent, secrets: [body.value] });
  }

  /** The item an uncertain write left, made to hold the value asked for. */
  private async settle(req: UpsertUserVaultItemRequest, landed: UserVaultItem): Promise<UserVaultItem> {
    return landed.value === req.value ? landed : this.put({ ...req, id: landed.id }, true);
  }

  /** Waits for a timed-out write to land, up to twice the request timeout; undefined if it does not. */
  private async awaitLateLanding(req: UpsertUserVaultItemRequest): Promise<UserVaultItem | undefined> {
    const deadline = Date.now() + 2 * this.http.timeoutMs;
    while (Date.now() < deadline) {
      await sleep(LATE_LANDING_POLL_MS);
      const landed = await this.findByKey(req.type, req.key, req.visibility ?? "USER");
      if (landed) return this.settle(req, landed);
    }
    return undefined;
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

/** Serverless API keys (`/credentials/api-key`), the platform's earlier external API. */
import { createOnce } from "./create-once";
import { ErrorCodes, isPlatformError } from "./errors";
import { HttpClient } from "./http";
import { AnyObject, ApiKey, ApiKeyList } from "./models";

export class ServerlessKeysApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Creates a key. Not idempotent, so never retried after the request may have reached the
   * platform: see `createRecovering` for the safe way to create.
   */
  async create(name: string): Promise<ApiKey> {
    return this.http.call({ method: "POST", path: "/credentials/api-key", json: { name }, schema: ApiKey, idempotent: false });
  }

  async list(): Promise<ApiKey[]> {
    return (await this.http.call({ method: "GET", path: "/credentials/api-key", schema: ApiKeyList, idempotent: true })).results;
  }

  async find(id: string): Promise<ApiKey | undefined> {
    return (await this.list()).find((k) => k.id === id);
  }

  /** Returns false when the key was already gone. */
  async delete(id: string): Promise<boolean> {
    try {
      await this.http.call({ method: "DELETE", path: `/credentials/api-key/${encodeURIComponent(id)}`, schema: AnyObject, idempotent: true });
      return true;
    } catch (e) {
      if (isPlatformError(e, ErrorCodes.NOT_FOUND)) return false;
      throw e;
    }
  }

  /**
   * Creates a key, recovering from a lost or late answer (see `createOnce`): the key's secret is
   * shown only once, so a key whose answer was lost is useless and is deleted. Keys with this
   * name that existed before the call are never touched.
   */
  async createRecovering(uniqueName: string): Promise<ApiKey> {
    const before = new Set((await this.list()).map((k) => k.id));
    return createOnce({
      create: () => this.create(uniqueName),
      findStrays: async () => (await this.list()).filter((k) => k.name === uniqueName && !before.has(k.id)).map((k) => k.id),
      remove: (id) => this.delete(id),
      lateLandingMs: 2 * this.http.timeoutMs,
      retry: this.http.retrySchedule(),
    });
  }
}

/** Serverless API keys (`/credentials/api-key`), the platform's earlier external API. */
import { ErrorCodes, isPlatformError, isUncertainFailure } from "./errors";
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
   * Creates a key whose name is unique to this call, recovering from a lost answer: the key's
   * secret is shown only once, so a key whose answer was lost is useless. It is deleted (no
   * orphan stays behind) and the create is tried once more. Keys that existed before are never
   * touched.
   */
  async createRecovering(uniqueName: string): Promise<ApiKey> {
    const before = new Set((await this.list()).map((k) => k.id));
    return createOnce({
      create: () => this.create(uniqueName),
      findOrphans: async () => (await this.list()).filter((k) => k.name === uniqueName && !before.has(k.id)).map((k) => k.id),
      remove: (id) => this.delete(id),
    });
  }
}

/**
 * The create-once pattern shared by everything whose secret is only in the create answer:
 * on an answer that may have been lost, remove whatever the lost call made, then try again.
 */
export async function createOnce<T>(steps: {
  create: () => Promise<T>;
  findOrphans: () => Promise<string[]>;
  remove: (id: string) => Promise<unknown>;
  attempts?: number;
}): Promise<T> {
  const attempts = steps.attempts ?? 3;
  for (let i = 1; ; i++) {
    try {
      return await steps.create();
    } catch (e) {
      // Only transient failures are worth another try; a 4xx would fail the same way again.
      if (!isUncertainFailure(e) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 200 * i));
      for (const id of await steps.findOrphans()) await steps.remove(id);
    }
  }
}

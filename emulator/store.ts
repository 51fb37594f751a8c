/**
 * The emulator's persistent state: one JSON document in `DIR/state.json`.
 *
 * Every change is made on a copy, written to a temporary file, fsync'ed and renamed over
 * `state.json` (and the folder fsync'ed) before the new state becomes visible; so whatever
 * the emulator has acknowledged survives a crash or restart, and nothing half-written does.
 * @internal
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Vault item types (`UserVaultType` in the platform's OpenAPI document). */
export const VAULT_TYPES = ["env_vars", "ssh_keys", "bearer_tokens", "access_tokens", "certificates", "registry_credentials"] as const;
export type VaultType = (typeof VAULT_TYPES)[number];

/** Who can see a vault item (`VaultScope`). */
export const VISIBILITIES = ["USER", "ORG"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** One seeded user of the platform. */
export interface UserRecord {
  token: string;
  org: string;
}

/** A vault item. `user` is who created it; `org` is that user's organisation. */
export interface VaultRecord {
  id: number;
  type: VaultType;
  key: string;
  value: string;
  visibility: Visibility;
  user: string;
  org: string;
}

/** A serverless API key. Only a hash of the secret is kept, as the platform shows it once. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  created_at: string;
  owner: string;
  keyHash: string;
}

/** An AI-gateway authentication token; its secret is kept as a hash only. */
export interface GatewayTokenRecord {
  id: string;
  gateway: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  created_at: string;
  rate_limit: { requests_per_minute: number } | null;
  account: string;
  tokenHash: string;
}

/** Everything the emulator remembers between restarts. */
export interface State {
  version: 1;
  /** HMAC key of the access tokens, so tokens issued before a restart stay valid after it. */
  signingKey: string;
  /** Bumped by `/_admin/expire-tokens`; access tokens of an older generation are expired. */
  tokenGeneration: number;
  adminToken: string;
  users: Record<string, UserRecord>;
  serviceAccount: { clientId: string; clientSecret: string; user: string };
  aigatewayServiceAccount: { clientId: string; clientSecret: string };
  nextVaultId: number;
  vault: VaultRecord[];
  apiKeys: ApiKeyRecord[];
  gatewayTokens: GatewayTokenRecord[];
}

const STATE_FILE = "state.json";

/** A random URL-safe secret. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 of a secret, hex: what the emulator stores instead of a secret it shows only once. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function seedState(): State {
  return {
    version: 1,
    signingKey: randomSecret(32),
    tokenGeneration: 0,
    adminToken: `adm_${randomSecret()}`,
    users: {
      alice: { token: `ccl_${randomSecret()}`, org: "acme" },
      bob: { token: `ccl_${randomSecret()}`, org: "acme" },
      carol: { token: `ccl_${randomSecret()}`, org: "globex" },
    },
    serviceAccount: { clientId: `sa-${randomSecret(8)}`, clientSecret: randomSecret(), user: "alice" },
    aigatewayServiceAccount: { clientId: `aig-${randomSecret(8)}`, clientSecret: randomSecret() },
    nextVaultId: 1,
    vault: [],
    apiKeys: [],
    gatewayTokens: [],
  };
}

/** Writes `text` to `file` so that a reader sees either the old or the new content, durably. */
async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomSecret(6)}`;
  const handle = await fs.open(temp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  // The rename itself is only durable once the folder's entry is on disk.
  const folder = await fs.open(path.dirname(file), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * The state of one data folder. Read with `state`; change only through `mutate`, which
 * resolves once the change is on disk.
 * @internal
 */
export class Store {
  private current: State;
  /** Writes run one after another, each starting from the state the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    initial: State,
  ) {
    this.current = initial;
  }

  /**
   * Opens (or seeds, on first use) the state in `dataDir`. The state holds every tenant's secrets
   * in plain text, so the folder is the owner's only (0700) and state.json is 0600.
   */
  static async open(dataDir: string): Promise<Store> {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, STATE_FILE);
    // A process killed mid-write leaves its temporary file; state.json is intact, so drop it.
    const entries = await fs.readdir(dataDir);
    for (const entry of entries) {
      if (entry.startsWith(`${STATE_FILE}.tmp-`)) await fs.rm(path.join(dataDir, entry), { force: true });
    }
    // A folder that holds nothing but the emulator's state is its own and made private; a folder
    // with other files in it (say, `--data-dir .`) is the user's, and its mode is theirs to choose.
    if (entries.every((entry) => entry.startsWith(STATE_FILE))) await fs.chmod(dataDir, 0o700);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, "utf8");
      await fs.chmod(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) {
      const store = new Store(dataDir, seedState());
      await writeFileAtomic(file, JSON.stringify(store.current));
      return store;
    }
    let parsed: State;
    try {
      parsed = JSON.parse(text) as State;
    } catch {
      throw new Error(`emulator state ${file} is not valid JSON; move it away to start afresh`);
    }
    if (parsed.version !== 1) throw new Error(`emulator state ${file} has unknown version ${String(parsed.version)}`);
    return new Store(dataDir, parsed);
  }

  /** The acknowledged state. Treat it as read-only. */
  get state(): Readonly<State> {
    return this.current;
  }

  /**
   * Applies `change` to a copy of the state, persists the copy, then makes it current.
   * If `change` throws, nothing is written and the error is passed on.
   */
  mutate<T>(change: (draft: State) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.current);
      const result = change(draft);
      await writeFileAtomic(path.join(this.dataDir, STATE_FILE), JSON.stringify(draft));
      this.current = draft;
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every pending write has finished. */
  async flush(): Promise<void> {
    await this.queue;
  }
}

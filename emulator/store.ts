/**
 * The emulator's persistent state: a snapshot in `DIR/state.json` and a journal of the changes
 * since, in `DIR/state.json.journal`.
 *
 * A change is acknowledged once its journal line is on disk (appended, then fdatasync'ed), so
 * whatever the emulator has acknowledged survives a crash or restart, and a half-written last
 * line (never acknowledged) is dropped when the journal is read back. A write's cost hardly
 * depends on the state's size: only the changed records are written, and changes that arrive
 * together share one fdatasync. When the journal has grown as large as the snapshot, the
 * snapshot is rewritten atomically (temporary file, fsync, rename, fsync of the folder) and the
 * journal removed; the same happens at start and at stop, which leave `state.json` alone.
 * @internal
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
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
const JOURNAL_FILE = `${STATE_FILE}.journal`;
/** The journal is folded into the snapshot once it is this large, or as large as the snapshot. */
const MIN_COMPACTION_BYTES = 1 << 20;

/** The state's lists of records; every record has an `id`. */
const COLLECTIONS = ["vault", "apiKeys", "gatewayTokens"] as const;
type Collection = (typeof COLLECTIONS)[number];
type AnyRecord = State[Collection][number];

/**
 * One journal line: its number, the top-level values that changed, and the records added (at
 * the end), replaced (by id, in place) or removed.
 */
interface Change {
  seq: number;
  set?: Partial<State>;
  add?: Partial<Record<Collection, AnyRecord[]>>;
  put?: Partial<Record<Collection, AnyRecord[]>>;
  del?: Partial<Record<Collection, (string | number)[]>>;
}

/** state.json: the state, and the number of the last journal line it holds. */
type Snapshot = State & { journalSeq?: number };

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
  await syncFolder(path.dirname(file));
}

/** A rename, a new file or a removal is only durable once the folder's entry is on disk. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Freezes a record and what it holds, so a change must replace it rather than edit it in place. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Freezes every record and value of a state read from disk or seeded. The lists themselves are
 * left as they are: a change replaces them with copies, which copying a frozen array would slow.
 */
function freezeState(state: State): State {
  for (const [key, value] of Object.entries(state)) {
    if ((COLLECTIONS as readonly string[]).includes(key)) for (const record of value as AnyRecord[]) deepFreeze(record);
    else deepFreeze(value);
  }
  return state;
}

/** What a change did to one collection, found by comparing its records by identity. */
function diffRecords(before: readonly AnyRecord[], after: readonly AnyRecord[]): { add: AnyRecord[]; put: AnyRecord[]; del: (string | number)[] } | undefined {
  // A change touches a record or two: skip the common head and tail, compare only what is between.
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  if (start === endBefore && start === endAfter) return undefined;
  const old = new Set(before.slice(start, endBefore));
  const oldIds = new Set(before.slice(start, endBefore).map((r) => r.id));
  const kept = new Set(after.slice(start, endAfter));
  const written = after.slice(start, endAfter).filter((r) => !old.has(r));
  const put = written.filter((r) => oldIds.has(r.id));
  const add = written.filter((r) => !oldIds.has(r.id));
  const putIds = new Set(put.map((r) => r.id));
  const del = before.slice(start, endBefore).filter((r) => !kept.has(r) && !putIds.has(r.id)).map((r) => r.id);
  return written.length || del.length ? { add, put, del } : undefined;
}

/** The journal line that turns `before` into `after`; undefined when nothing changed. */
function changeBetween(before: State, after: State, seq: number): Change | undefined {
  const change: Change = { seq };
  for (const key of Object.keys(after) as (keyof State)[]) {
    if ((COLLECTIONS as readonly string[]).includes(key) || after[key] === before[key]) continue;
    (change.set ??= {} as Partial<State>)[key] = after[key] as never;
  }
  for (const name of COLLECTIONS) {
    const diff = diffRecords(before[name], after[name]);
    if (diff?.add.length) (change.add ??= {})[name] = diff.add;
    if (diff?.put.length) (change.put ??= {})[name] = diff.put;
    if (diff?.del.length) (change.del ??= {})[name] = diff.del;
  }
  return change.set || change.add || change.put || change.del ? change : undefined;
}

/**
 * Applies a journal line. Live changes and the replay at start both go through here, so the state
 * read back is the state that was acknowledged.
 */
function applyChange(state: State, change: Change): State {
  const next = { ...state, ...deepFreeze(change.set ?? {}) } as State;
  for (const name of COLLECTIONS) {
    const adds = change.add?.[name];
    const puts = change.put?.[name];
    const dels = change.del?.[name];
    if (!adds && !puts && !dels) continue;
    let records: AnyRecord[] = state[name];
    if (dels) {
      const gone = new Set(dels);
      records = records.filter((r) => !gone.has(r.id));
    } else records = records.slice();
    for (const record of puts ?? []) {
      const at = records.findIndex((r) => r.id === record.id);
      if (at < 0) throw new Error(`journal line ${change.seq} replaces ${name} record ${record.id}, which does not exist`);
      records[at] = deepFreeze(record);
    }
    for (const record of adds ?? []) records.push(deepFreeze(record));
    (next as unknown as Record<Collection, AnyRecord[]>)[name] = records;
  }
  return next;
}

/** Reads the journal's complete lines; a torn last line (a write cut short, never acknowledged) is dropped. */
async function readJournal(file: string): Promise<Change[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n");
  lines.pop(); // after the last newline: empty, or the torn line
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Change;
    } catch {
      throw new Error(`emulator journal ${file} is corrupt at line ${i + 1}; move the data dir away to start afresh`);
    }
  });
}

interface Pending {
  line: string;
  seq: number;
  /** The state once this change is on disk. */
  state: State;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The state of one data folder. Read with `state`; change only through `mutate`, which
 * resolves once the change is on disk.
 * @internal
 */
export class Store {
  /** What has been acknowledged: the only state readers see. */
  private current: State;
  /** The number of the last journal line `current` holds. */
  private currentSeq: number;
  /** The number of the last journal line made (written or pending). */
  private lastSeq: number;
  /** `current` plus the changes not yet on disk: what the next change starts from. */
  private latest: State;
  private pending: Pending[] = [];
  /** Runs while changes are being written; resolves when none are left. */
  private writer: Promise<void> = Promise.resolve();
  private writing = false;
  private journal: FileHandle | undefined;
  private journalBytes = 0;
  private snapshotBytes: number;
  /** A failed write leaves the journal's end unknown: later changes are refused until a restart. */
  private failure: unknown;

  private constructor(
    readonly dataDir: string,
    initial: State,
    seq: number,
    snapshotBytes: number,
  ) {
    this.current = this.latest = initial;
    this.currentSeq = this.lastSeq = seq;
    this.snapshotBytes = snapshotBytes;
  }

  /**
   * Opens (or seeds, on first use) the state in `dataDir`. The state holds every tenant's secrets
   * in plain text, so the folder is the owner's only (0700) and its files 0600.
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
    const journalFile = path.join(dataDir, JOURNAL_FILE);
    if (text === undefined) {
      if (entries.includes(JOURNAL_FILE)) throw new Error(`emulator journal ${journalFile} has no state.json beside it; move the data dir away to start afresh`);
      const seeded = freezeState(seedState());
      const snapshot = JSON.stringify(seeded);
      await writeFileAtomic(file, snapshot);
      return new Store(dataDir, seeded, 0, snapshot.length);
    }
    let parsed: Snapshot;
    try {
      parsed = JSON.parse(text) as Snapshot;
    } catch {
      throw new Error(`emulator state ${file} is not valid JSON; move it away to start afresh`);
    }
    if (parsed.version !== 1) throw new Error(`emulator state ${file} has unknown version ${String(parsed.version)}`);
    const { journalSeq = 0, ...snapshotState } = parsed;
    // Lines the snapshot already holds (a stop between writing it and removing the journal) are skipped.
    const changes = (await readJournal(journalFile)).filter((c) => c.seq > journalSeq);
    const state = changes.reduce(applyChange, freezeState(snapshotState as State));
    const store = new Store(dataDir, state, changes.at(-1)?.seq ?? journalSeq, text.length);
    // Start from a snapshot that holds everything, and no journal.
    if (entries.includes(JOURNAL_FILE)) await store.compact();
    return store;
  }

  /** The acknowledged state. Its records are frozen: read them, never change them. */
  get state(): Readonly<State> {
    return this.current;
  }

  /**
   * Applies `change` to a draft of the state and resolves once the change is on disk; readers see
   * it from then on. The draft's lists are copies, but its records are the frozen originals: to
   * change a record, put a new one in its place (`draft.vault[i] = { ...item, value }`); add
   * records with `push`. If `change` throws, nothing is written and the error is passed on.
   */
  mutate<T>(change: (draft: State) => T): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const base = this.latest;
    const draft = { ...base, vault: base.vault.slice(), apiKeys: base.apiKeys.slice(), gatewayTokens: base.gatewayTokens.slice() };
    let result: T;
    try {
      result = change(draft);
    } catch (error) {
      return Promise.reject(error);
    }
    const line = changeBetween(base, draft, this.lastSeq + 1);
    // Nothing to write; the answer may still rest on changes not yet on disk, so wait for them.
    if (!line) return this.flush().then(() => result);
    this.latest = applyChange(base, line);
    this.lastSeq = line.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(line)}\n`, seq: line.seq, state: this.latest, resolve: () => resolve(result), reject });
      if (!this.writing) this.writer = this.writePending();
    });
  }

  /** Resolves when every pending change is on disk. */
  async flush(): Promise<void> {
    await this.writer;
  }

  /** Writes what is pending, folds the journal into the snapshot and closes it (the emulator stops). */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure === undefined && this.journal) await this.compact();
  }

  /** Appends the pending changes in batches, one fdatasync each, until none are left. */
  private async writePending(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        try {
          const text = batch.map((p) => p.line).join("");
          const journal = await this.openJournal();
          await journal.appendFile(text);
          await journal.datasync();
          this.journalBytes += Buffer.byteLength(text);
        } catch (error) {
          return this.fail(error, batch);
        }
        this.current = batch[batch.length - 1].state;
        this.currentSeq = batch[batch.length - 1].seq;
        for (const p of batch) p.resolve();
        if (this.journalBytes >= Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes)) {
          try {
            await this.compact();
          } catch (error) {
            return this.fail(error, []);
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Refuses the changes not on disk, and every later one: what the files hold is no longer known. */
  private fail(error: unknown, batch: Pending[]): void {
    this.failure = error;
    for (const p of [...batch, ...this.pending.splice(0)]) p.reject(error);
    this.latest = this.current;
  }

  private async openJournal(): Promise<FileHandle> {
    if (this.journal) return this.journal;
    const handle = await fs.open(path.join(this.dataDir, JOURNAL_FILE), "a", 0o600);
    await syncFolder(this.dataDir);
    this.journal = handle;
    return handle;
  }

  /**
   * Writes the acknowledged state as the new snapshot, then removes the journal. A crash in
   * between leaves a journal whose lines the snapshot already holds: its `journalSeq` says so.
   */
  private async compact(): Promise<void> {
    const snapshot = JSON.stringify({ ...this.current, journalSeq: this.currentSeq } satisfies Snapshot);
    await writeFileAtomic(path.join(this.dataDir, STATE_FILE), snapshot);
    this.snapshotBytes = snapshot.length;
    await this.journal?.close();
    this.journal = undefined;
    await fs.rm(path.join(this.dataDir, JOURNAL_FILE), { force: true });
    await syncFolder(this.dataDir);
    this.journalBytes = 0;
  }
}

/**
 * The store's journal: what a crash leaves on disk reads back as exactly the acknowledged state;
 * a torn last line is dropped, a corrupt one refused; the journal is folded into the snapshot.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Store, type State, type VaultRecord } from "../../emulator/store";

let dataDir: string;
const opened: Store[] = [];
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "emulator-store-"));
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function open(dir = dataDir): Promise<Store> {
  const store = await Store.open(dir);
  opened.push(store);
  return store;
}

/** A copy of the data folder as it is now: what a SIGKILL at this moment would leave. */
async function crashImage(): Promise<string> {
  const copy = await fs.mkdtemp(path.join(os.tmpdir(), "emulator-store-image-"));
  for (const f of await fs.readdir(dataDir)) await fs.copyFile(path.join(dataDir, f), path.join(copy, f));
  return copy;
}

const item = (state: State, key: string, value = "v"): VaultRecord => ({ id: state.nextVaultId++, type: "env_vars", key, value, visibility: "USER", user: "alice", org: "acme" });

test("every kind of change (add, replace, remove, counters) reads back identical, in order, from the journal", async () => {
  const store = await open();
  await Promise.all(Array.from({ length: 30 }, (_, i) => store.mutate((s) => void s.vault.push(item(s, `K${i}`)))));
  await store.mutate((s) => {
    s.vault[3] = { ...s.vault[3], value: "replaced" };
    s.vault.splice(10, 2);
    s.tokenGeneration++;
    s.apiKeys.push({ id: "k1", name: "n", created_at: "2026-01-01T00:00:00Z", owner: "alice", keyHash: "h" });
  });
  await store.mutate((s) => void s.vault.splice(0, 1));
  expect(await fs.readdir(dataDir)).toEqual(["state.json", "state.json.journal"]);

  const copy = await crashImage();
  try {
    const reread = await open(copy);
    expect(reread.state).toEqual(store.state);
    expect(reread.state.vault.map((r) => r.key)).toEqual(store.state.vault.map((r) => r.key));
    expect(reread.state.vault.find((r) => r.key === "K3")?.value).toBe("replaced");
    // Opening folds the journal into the snapshot.
    expect(await fs.readdir(copy)).toEqual(["state.json"]);
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
});

test("a torn last line (a write cut short, never acknowledged) is dropped; a corrupt line before it is refused", async () => {
  const store = await open();
  await store.mutate((s) => void s.vault.push(item(s, "ACKNOWLEDGED")));
  const copy = await crashImage();
  try {
    const journal = path.join(copy, "state.json.journal");
    await fs.appendFile(journal, '{"put":{"vault":[{"id":99,"ty');
    expect((await open(copy)).state.vault.map((r) => r.key)).toEqual(["ACKNOWLEDGED"]);

    await fs.writeFile(journal, 'not json\n{"set":{"tokenGeneration":5}}\n');
    await expect(Store.open(copy)).rejects.toThrow(/journal .* is corrupt at line 1/);
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
});

test("records are frozen: a change that edits one in place fails and writes nothing", async () => {
  const store = await open();
  await store.mutate((s) => void s.vault.push(item(s, "FROZEN")));
  await expect(
    store.mutate((s) => {
      s.vault[0].value = "edited in place";
    }),
  ).rejects.toThrow(TypeError);
  expect(store.state.vault[0].value).toBe("v");
  const before = await fs.readFile(path.join(dataDir, "state.json.journal"), "utf8");
  await store.mutate(() => undefined); // no change: nothing written
  expect(await fs.readFile(path.join(dataDir, "state.json.journal"), "utf8")).toBe(before);
});

test("a journal as large as the snapshot is folded into it", async () => {
  const store = await open();
  const big = "x".repeat(300_000);
  for (const key of ["A", "B", "C", "D"]) await store.mutate((s) => void s.vault.push(item(s, key, big)));
  await store.flush(); // the fold runs after the acknowledgement
  expect(await fs.readdir(dataDir)).toEqual(["state.json"]);
  const snapshot = JSON.parse(await fs.readFile(path.join(dataDir, "state.json"), "utf8")) as State;
  expect(snapshot.vault.map((r) => r.key)).toEqual(["A", "B", "C", "D"]);
  expect(snapshot.nextVaultId).toBe(store.state.nextVaultId);
});

test("killed between writing the new snapshot and removing the journal: the lines the snapshot holds are not replayed", async () => {
  const store = await open();
  await store.mutate((s) => void s.vault.push(item(s, "A")));
  await store.mutate((s) => {
    s.vault[0] = { ...s.vault[0], value: "second" };
    s.vault.push(item(s, "B"));
    s.tokenGeneration++;
  });
  await store.mutate((s) => void s.vault.splice(1, 1));
  const copy = await crashImage();
  try {
    const journal = await fs.readFile(path.join(copy, "state.json.journal"), "utf8");
    await (await Store.open(copy)).close(); // writes the new snapshot and removes the journal
    await fs.writeFile(path.join(copy, "state.json.journal"), journal);
    expect((await open(copy)).state).toEqual(store.state);
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
});

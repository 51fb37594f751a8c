/**
 * Experiment (5): what one vault write and one list cost the emulator when it already holds
 * 1,000, 5,000 and 10,000 items. One emulator per size, each on a fresh data folder seeded
 * through the store in one change; the writes and lists go over HTTP one after another, taking
 * the sizes in turn (so a change in the machine's load falls on all of them).
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Agent, request } from "undici";
import { startEmulator, type Emulator } from "../emulator";
import { Store } from "../emulator/store";
import { goals, type Measurement } from "./report";

const SIZES = [1_000, 5_000, 10_000];
const WRITES = 60;
const LISTS = 30;
/** The first few calls of each kind warm up (connections, JIT) and are not counted. */
const WARM_UP = 5;

async function seed(dataDir: string, items: number): Promise<void> {
  const store = await Store.open(dataDir);
  await store.mutate((state) => {
    for (let i = 0; i < items; i++) {
      state.vault.push({ id: state.nextVaultId++, type: "env_vars", key: `SEEDED_${i}_X`, value: `value-${i}`, visibility: "USER", user: "alice", org: "acme" });
    }
  });
  await store.close();
}

export async function emulatorExperiments(log: (line: string) => void): Promise<Measurement[]> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  const running: { items: number; dataDir: string; emu: Emulator; writeMs: number[]; listMs: number[] }[] = [];
  try {
    for (const items of SIZES) {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "ccluster-bench-emulator-"));
      await seed(dataDir, items);
      running.push({ items, dataDir, emu: await startEmulator({ dataDir }), writeMs: [], listMs: [] });
      log(`  seeded ${items} items`);
    }
    const timed = async (emu: Emulator, method: "GET" | "PUT", pathAndQuery: string, body?: unknown) => {
      const started = process.hrtime.bigint();
      const res = await request(`${emu.info.apiUrl}${pathAndQuery}`, {
        method,
        headers: { authorization: `Bearer ${emu.info.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: agent,
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${method} ${pathAndQuery} answered ${res.statusCode}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < WRITES; i++) {
      for (const r of running) {
        const ms = await timed(r.emu, "PUT", "/user_vault", { type: "env_vars", key: `BENCH_WRITE_${i}`, value: "x", visibility: "USER" });
        if (i >= WARM_UP) r.writeMs.push(ms);
      }
    }
    // What the provider asks: one item's name among all of them.
    for (let i = 0; i < LISTS; i++) {
      for (const r of running) {
        const ms = await timed(r.emu, "GET", `/user_vault?type=env_vars&search_query=SEEDED_${i}_X`);
        if (i >= WARM_UP) r.listMs.push(ms);
      }
    }
  } finally {
    await agent.close();
    for (const r of running) {
      await r.emu.stop();
      await fs.rm(r.dataDir, { recursive: true, force: true });
    }
  }
  const [base, ...larger] = running;
  const label = (n: number) => `${n / 1000}k`;
  return larger.flatMap((r): Measurement[] => [
    {
      name: `emulator write at ${label(r.items)} items (baseline: at ${label(base.items)})`,
      unit: "ms",
      samples: r.writeMs,
      baselineSamples: base.writeMs,
      goal: r.items === 10_000 ? goals.ratioAtMost(2) : undefined,
    },
    { name: `emulator list at ${label(r.items)} items (baseline: at ${label(base.items)})`, unit: "ms", samples: r.listMs, baselineSamples: base.listMs },
  ]);
}

/**
 * Experiment (3): one item's create, read and delete through the provider in this process
 * (`check` included), next to bare undici making the calls a provider needs for it: a list that
 * finds the auto-name's earlier generations (or the key's holder), the write, the read and the
 * delete. The emulator counts the provider's calls.
 */
import { createHash } from "node:crypto";
import { Agent, request } from "undici";
import type { Emulator } from "../emulator";
import { providerFor } from "../provider";
import { goals, type Measurement } from "./report";

const ITEMS_PER_SAMPLE = 40;

async function requestCount(emu: Emulator): Promise<number> {
  const res = await request(`${emu.info.adminUrl}/stats`, { headers: { authorization: `Bearer ${emu.info.adminToken}` } });
  return ((await res.body.json()) as { requests: number }).requests;
}

function urnOf(name: string): string {
  return `urn:pulumi:bench::inprocess::pulumi-nodejs:dynamic/ccluster:EnvironmentVariable::${name}`;
}

/** One item through the provider: check, create, read, delete; a keyed one declares `key`. */
async function throughProvider(i: number, round: number, keyed: boolean): Promise<void> {
  const p = providerFor("EnvironmentVariable");
  const name = `inproc-${keyed ? "k" : "a"}${round}-${i}`;
  const news = { value: `value-${i}`, autoNamePrefix: name, resourceUrn: urnOf(name), ...(keyed ? { key: `BENCH_${round}_${i}` } : {}) };
  const checked = await p.check!({}, news);
  if (checked.failures?.length) throw new Error(`check refused: ${JSON.stringify(checked.failures)}`);
  const { id, outs } = await p.create(checked.inputs);
  const read = await p.read!(id, outs);
  if (read.id !== id) throw new Error(`read lost item ${id}`);
  await p.delete!(id, outs);
}

/** One item with bare undici: the same four calls, with no validation, retries or bookkeeping. */
function bareUndici(emu: Emulator, agent: Agent) {
  const headers = { authorization: `Bearer ${emu.info.token}`, "content-type": "application/json" };
  const call = async (method: "GET" | "PUT" | "DELETE", path: string, body?: unknown) => {
    const res = await request(`${emu.info.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher: agent });
    const answer = (await res.body.json()) as Record<string, unknown>;
    if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}`);
    return answer;
  };
  return async (i: number, round: number): Promise<void> => {
    const key = `BARE_${round}_${i}_${createHash("sha256").update(String(i)).digest("hex").slice(0, 8).toUpperCase()}`;
    await call("GET", `/user_vault?type=env_vars&search_query=${key}`);
    const item = await call("PUT", "/user_vault", { type: "env_vars", key, value: `value-${i}`, visibility: "USER" });
    await call("GET", `/user_vault/${item.id}`);
    await call("DELETE", `/user_vault/${item.id}`);
  };
}

export async function inProcessExperiments(emu: Emulator, runs: number): Promise<Measurement[]> {
  const provider = providerFor("EnvironmentVariable");
  await provider.configure!({ config: { get: (k: string) => ({ "ccluster:apiUrl": emu.info.apiUrl, "ccluster:token": emu.info.token })[k], require: () => "" } } as never);
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const bare = bareUndici(emu, agent);

  // The calls each way makes, counted by the emulator (outside the timed runs).
  const callsPerItem = async (work: (i: number) => Promise<void>) => {
    const before = await requestCount(emu);
    for (let i = 0; i < 10; i++) await work(i);
    return ((await requestCount(emu)) - before) / 10;
  };
  const calls = { auto: await callsPerItem((i) => throughProvider(i, 999, false)), keyed: await callsPerItem((i) => throughProvider(i, 999, true)) };

  // Each sample: ITEMS_PER_SAMPLE items, each made the three ways one after the other, so a
  // change in the machine's load falls on all three.
  const ms = { auto: [] as number[], keyed: [] as number[], bare: [] as number[] };
  for (let r = 0; r < runs; r++) {
    const total = { auto: 0, keyed: 0, bare: 0 };
    const timed = async (way: keyof typeof total, work: () => Promise<void>) => {
      const started = process.hrtime.bigint();
      await work();
      total[way] += Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < ITEMS_PER_SAMPLE; i++) {
      await timed("auto", () => throughProvider(i, r, false));
      await timed("keyed", () => throughProvider(i, r, true));
      await timed("bare", () => bare(i, r));
    }
    for (const way of Object.keys(total) as (keyof typeof total)[]) ms[way].push(total[way] / ITEMS_PER_SAMPLE);
  }
  await agent.close();
  return [
    { name: "create+read+delete in process, auto-named", unit: "ms/item", samples: ms.auto, baselineSamples: ms.bare, goal: goals.ratioAtMost(1.1) },
    { name: "create+read+delete in process, explicit key", unit: "ms/item", samples: ms.keyed, baselineSamples: ms.bare, goal: goals.ratioAtMost(1.1) },
    // Baseline: the three calls the platform cannot do without (write, read, delete).
    { name: "HTTP calls per create+read+delete, auto-named", unit: "calls", samples: [calls.auto], baselineSamples: [3] },
    { name: "HTTP calls per create+read+delete, explicit key", unit: "calls", samples: [calls.keyed], baselineSamples: [3] },
  ];
}

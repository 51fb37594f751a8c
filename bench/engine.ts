/**
 * Experiments (1) and (2): `up`, a no-change `preview`, `refresh` and `destroy` of N
 * EnvironmentVariables against the emulator, next to N no-op dynamic resources (the floor the
 * engine and @pulumi/pulumi's dynamic-provider runtime set), on the same engine, interleaved; and
 * the emulator's request count per item for each command. Also the state each resource keeps.
 * The same N EnvironmentVariables run through the provider plugin pulumi-resource-ccluster too,
 * declared in Pulumi YAML (`... through the plugin`) and from a Node.js program (`... through the
 * plugin, Node.js program`), next to the same floor.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../emulator";
import { kindByName } from "../provider/registry";
import { runPulumi } from "../scripts/engine";
import { createTestProject, repoRoot, type TestProject } from "../scripts/project";
import { goals, type Goal, type Measurement } from "./report";

const COMMANDS = {
  up: ["up", "--yes", "--skip-preview"],
  // Fails the bench if a preview of an unchanged stack shows any change.
  preview: ["preview", "--expect-no-changes"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
} as const;
export type Command = keyof typeof COMMANDS;
const COMMAND_NAMES = Object.keys(COMMANDS) as Command[];

/** API calls per item each command may make (refresh: one read; create: see bench/README.md). */
const CALL_GOALS: Record<Command, Goal> = {
  up: goals.atMost(2, "calls/item"),
  preview: goals.atMost(0, "calls/item"),
  refresh: goals.atMost(1, "calls/item"),
  destroy: goals.atMost(1, "calls/item"),
};

/** Keys of a vault resource's state that are not its own fields: the provider's bookkeeping. */
const EXPECTED_BOOKKEEPING = ["__provider", "resourceUrn", "autoNamePrefix", "autoNamed"];

export interface Side {
  name: "ccluster" | "no-op" | "no-op, same state size" | "plugin, YAML" | "plugin, Node.js";
  project: TestProject;
  /** Seconds per command, one sample per run. */
  seconds: Record<Command, number[]>;
}

async function stats(emu: Emulator): Promise<number> {
  const res = await fetch(`${emu.info.adminUrl}/stats`, { headers: { authorization: `Bearer ${emu.info.adminToken}` } });
  if (!res.ok) throw new Error(`GET /_admin/stats answered ${res.status}`);
  return ((await res.json()) as { requests: number }).requests;
}

async function run(side: Side, command: Command): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await runPulumi([...COMMANDS[command], "--non-interactive", "--stack", "test"], { cwd: side.project.dir, env: side.project.env });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.code !== 0) {
    const tail = (s: string) => s.trim().split("\n").slice(-25).join("\n");
    throw new Error(`pulumi ${command} of the ${side.name} stack exited with ${result.code}:\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return seconds;
}

/** Bytes of state per resource: all of it, and the part that is not the kind's own fields. */
async function stateSizes(project: TestProject, type: string): Promise<{ total: number; bookkeeping: number; keys: string[] }> {
  const exported = await runPulumi(["stack", "export", "--stack", "test"], { cwd: project.dir, env: project.env });
  if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr}`);
  const resources = (JSON.parse(exported.stdout).deployment.resources as { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[]).filter(
    (r) => r.type === type,
  );
  if (resources.length === 0) throw new Error(`no ${type} in the exported state`);
  const kind = type.includes("EnvironmentVariable") ? kindByName("EnvironmentVariable") : undefined;
  const own = new Set(kind ? [...Object.keys(kind.inputs.shape), ...Object.keys(kind.outputs)].filter((k) => k !== "autoNamePrefix") : []);
  let total = 0;
  let bookkeeping = 0;
  const keys = new Set<string>();
  for (const r of resources) {
    total += JSON.stringify(r).length;
    for (const bag of [r.inputs ?? {}, r.outputs ?? {}]) {
      for (const [k, v] of Object.entries(bag)) {
        if (!kind || own.has(k)) continue;
        keys.add(k);
        bookkeeping += JSON.stringify({ [k]: v }).length - 2;
      }
    }
  }
  return { total: total / resources.length, bookkeeping: bookkeeping / resources.length, keys: [...keys].sort() };
}

type Stack = "ccluster" | "noop" | "plugin-yaml" | "plugin-nodejs";

async function project(emu: Emulator, stack: Stack, count: number): Promise<TestProject> {
  const config: Record<string, { value: string; secret?: boolean }> = { count: { value: String(count) } };
  if (stack !== "noop") {
    // The same keys for the dynamic resources and the plugin.
    config["ccluster:apiUrl"] = { value: emu.info.apiUrl };
    config["ccluster:token"] = { value: emu.info.token, secret: true };
  }
  const created = await createTestProject({ source: join(repoRoot, "bench", "stacks", stack), config, stackName: "test" });
  if (stack === "plugin-yaml") {
    // YAML has no loops: the program is written out, as the Node.js programs' loop would make it.
    const resources = Array.from({ length: count }, (_, i) => `  v${i}:\n    type: ccluster:index:EnvironmentVariable\n    properties:\n      value: value-${i}\n`);
    appendFileSync(join(created.dir, "Pulumi.yaml"), resources.join(""));
  }
  return created;
}

/** The sides whose resources are ours (the emulator's request count is taken over their commands), and the suffix of their rows. */
const OURS: Partial<Record<Side["name"], string>> = { ccluster: "", "plugin, YAML": ", through the plugin", "plugin, Node.js": ", through the plugin, Node.js program" };
/** The type token each of our sides' resources have in the state. */
const STATE_TYPE: Partial<Record<Side["name"], string>> = {
  ccluster: "pulumi-nodejs:dynamic/ccluster:EnvironmentVariable",
  "plugin, YAML": "ccluster:index:EnvironmentVariable",
  "plugin, Node.js": "ccluster:index:EnvironmentVariable",
};

/**
 * The rows of one of our sides next to the floor (and, for the dynamic side, next to the floor of
 * our state size): the same goals on every side, its rows named with the side's suffix.
 */
export function sideRows(
  n: number,
  side: Pick<Side, "name" | "seconds">,
  floor: Pick<Side, "seconds">,
  heavyFloor: Pick<Side, "seconds"> | undefined,
  calls: Record<Command, number[]>,
  state: { total: number; bookkeeping: number; keys: string[] } | undefined,
  floorState: { total: number } | undefined,
  log: (line: string) => void = () => {},
): Measurement[] {
  const out: Measurement[] = [];
  const suffix = OURS[side.name] ?? `, ${side.name}`;
  const cycle = (s: Pick<Side, "seconds">) => s.seconds.up.map((_, i) => COMMAND_NAMES.reduce((sum, c) => sum + s.seconds[c][i], 0));
  const cycleGoal = n >= 500 ? goals.ratioAtMost(1.5) : n >= 200 ? goals.ratioAtMost(1.3) : undefined;
  out.push({ name: `cycle (up+preview+refresh+destroy), ${n} items${suffix}`, unit: "s", samples: cycle(side), baselineSamples: cycle(floor), goal: cycleGoal });
  if (heavyFloor) out.push({ name: `cycle, ${n} items${suffix}, vs no-op of the same state size`, unit: "s", samples: cycle(side), baselineSamples: cycle(heavyFloor) });
  for (const command of COMMAND_NAMES) {
    const goal = command === "preview" && n >= 200 ? goals.ratioAtMost(1.2) : undefined;
    out.push({ name: `${command}, ${n} items${suffix}`, unit: "s", samples: side.seconds[command], baselineSamples: floor.seconds[command], goal });
    if (heavyFloor) out.push({ name: `${command}, ${n} items${suffix}, vs no-op of the same state size`, unit: "s", samples: side.seconds[command], baselineSamples: heavyFloor.seconds[command] });
  }
  for (const command of COMMAND_NAMES) out.push({ name: `API calls per item: ${command}, ${n} items${suffix}`, unit: "calls", samples: calls[command], goal: CALL_GOALS[command] });
  if (state && floorState) {
    const unexpected = state.keys.filter((k) => !EXPECTED_BOOKKEEPING.includes(k));
    if (unexpected.length) log(`  note: state keys of the ${side.name} side that are neither fields nor known bookkeeping: ${unexpected.join(", ")}`);
    out.push({ name: `state per resource, ${n} items${suffix}`, unit: "bytes", samples: [state.total], baselineSamples: [floorState.total] });
    out.push({ name: `state per resource beyond its own fields, ${n} items${suffix}`, unit: "bytes", samples: [state.bookkeeping], goal: goals.atMost(2048, "bytes") });
  }
  return out;
}

/** Sizes from which the floor is also measured at our state size (a diagnostic: what state size alone costs the engine). */
const STATE_FLOOR_FROM = 200;

/**
 * Runs every command `runs` times on each side for each size, the sides alternating (the order
 * flips every run, so drift in the machine's load falls on all of them).
 */
export async function engineExperiments(emu: Emulator, sizes: number[], runs: number, log: (line: string) => void): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const n of sizes) {
    const empty = () => ({ up: [], preview: [], refresh: [], destroy: [] });
    const ours: Side = { name: "ccluster", project: await project(emu, "ccluster", n), seconds: empty() };
    const floor: Side = { name: "no-op", project: await project(emu, "noop", n), seconds: empty() };
    const pluginYaml: Side = { name: "plugin, YAML", project: await project(emu, "plugin-yaml", n), seconds: empty() };
    const pluginNode: Side = { name: "plugin, Node.js", project: await project(emu, "plugin-nodejs", n), seconds: empty() };
    const oursAll = [ours, pluginYaml, pluginNode];
    // No-op resources that keep as many bytes of state as ours: sized once ours is measured.
    const heavyFloor: Side | undefined = n >= STATE_FLOOR_FROM ? { name: "no-op, same state size", project: await project(emu, "noop", n), seconds: empty() } : undefined;
    const sides = [ours, floor, pluginYaml, pluginNode, ...(heavyFloor ? [heavyFloor] : [])];
    const calls = new Map(oursAll.map((side) => [side, empty() as Record<Command, number[]>]));
    const states = new Map<Side, Awaited<ReturnType<typeof stateSizes>>>();
    let floorState: Awaited<ReturnType<typeof stateSizes>> | undefined;
    try {
      for (let r = 0; r < runs; r++) {
        for (const command of COMMAND_NAMES) {
          for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
            if (side === heavyFloor && !states.has(ours)) continue; // sized after ours is measured, below
            const counted = calls.get(side);
            const before = counted ? await stats(emu) : 0;
            const seconds = await run(side, command);
            side.seconds[command].push(seconds);
            const perItem = counted ? ((await stats(emu)) - before) / n : undefined;
            if (perItem !== undefined) counted![command].push(perItem);
            log(`  N=${n} run ${r + 1}/${runs} ${command} ${side.name}: ${seconds.toFixed(1)} s${perItem === undefined ? "" : `, ${perItem.toFixed(2)} calls/item`}`);
          }
          if (command === "up" && r === 0) {
            for (const side of oursAll) states.set(side, await stateSizes(side.project, STATE_TYPE[side.name]!));
            floorState = await stateSizes(floor.project, "pulumi-nodejs:dynamic/bench:Noop");
            for (const side of oursAll) {
              const s = states.get(side)!;
              log(`  N=${n} state per resource, ${side.name}: ${s.total.toFixed(0)} bytes (${s.bookkeeping.toFixed(0)} not its own fields: ${s.keys.join(", ") || "none"})`);
            }
            log(`  N=${n} state per resource, no-op: ${floorState.total.toFixed(0)} bytes`);
            const state = states.get(ours)!;
            if (heavyFloor) {
              // The filler sits in inputs and outputs, as the provider text does.
              await heavyFloor.project.stack.setConfig("ballast", { value: String(Math.max(0, Math.round((state.total - floorState.total) / 2))) });
              heavyFloor.seconds.up.push(await run(heavyFloor, "up"));
              log(`  N=${n} run 1/${runs} up ${heavyFloor.name}: ${heavyFloor.seconds.up[0].toFixed(1)} s`);
            }
          }
        }
      }
    } finally {
      await Promise.all(sides.map((side) => side.project.cleanup()));
    }
    out.push(...sideRows(n, ours, floor, heavyFloor, calls.get(ours)!, states.get(ours), floorState, log));
    for (const side of [pluginYaml, pluginNode]) out.push(...sideRows(n, side, floor, undefined, calls.get(side)!, states.get(side), floorState, log));
  }
  return out;
}

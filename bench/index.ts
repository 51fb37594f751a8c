/**
 * `npm run bench`: starts the emulator, runs the named experiments (each next to its baseline,
 * in the same run), prints one table and writes bench/results/latest.json. See bench/README.md.
 *
 * Environment:
 * - CCLUSTER_BENCH_EXPERIMENTS: comma-separated names from `experiments` below (default: all);
 * - CCLUSTER_BENCH_SIZES: stack sizes of the engine experiments (default 50,200);
 * - CCLUSTER_BENCH_RUNS: runs of each engine command per side (default 3);
 * - CCLUSTER_BENCH_SECONDS: time box per certificate experiment (default 1 here).
 */
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../emulator";
import { repoRoot } from "../scripts/project";
import { BASELINE as CERTIFICATE_BASELINE, certificateExperiments } from "./certificates";
import { emulatorExperiments } from "./emulator-scale";
import { engineExperiments } from "./engine";
import { inProcessExperiments } from "./inprocess";
import { formatTable, toRow, writeResults, type Measurement } from "./report";
import { startupExperiments } from "./startup";

const log = (line: string) => process.stderr.write(`${line}\n`);

function numbers(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const parsed = raw.split(",").map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must be positive whole numbers, comma-separated (got ${raw})`);
  return parsed;
}

const sizes = numbers("CCLUSTER_BENCH_SIZES", [50, 200]);
const [runs] = numbers("CCLUSTER_BENCH_RUNS", [3]);
const [certificateSeconds] = numbers("CCLUSTER_BENCH_SECONDS", [1]);

/** The experiments, by name, in the order they run. */
const experiments: Record<string, (emu: Emulator) => Promise<Measurement[]>> = {
  engine: (emu) => engineExperiments(emu, sizes, runs, log),
  inprocess: (emu) => inProcessExperiments(emu, Math.max(runs, 5)),
  startup: () => startupExperiments(Math.max(runs, 7), log),
  emulator: () => emulatorExperiments(log),
  certificates: async () => {
    const results = await certificateExperiments(certificateSeconds * 1000, undefined, (line) => log(`  ${line}`));
    const baseline = results.find((r) => r.name === CERTIFICATE_BASELINE)!;
    return results
      .filter((r) => r !== baseline)
      .map((r) => ({ name: `certificate triplet: ${r.name} (baseline: ${CERTIFICATE_BASELINE})`, unit: "ms", samples: r.samplesMs, baselineSamples: baseline.samplesMs }));
  },
};

async function main(): Promise<void> {
  const chosen = process.env.CCLUSTER_BENCH_EXPERIMENTS?.split(",").map((s) => s.trim()).filter(Boolean) ?? Object.keys(experiments);
  const unknown = chosen.filter((name) => !(name in experiments));
  if (unknown.length) throw new Error(`unknown experiment ${unknown.join(", ")} (known: ${Object.keys(experiments).join(", ")})`);

  const machine = `Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"} (${os.cpus().length} cores), ${os.platform()} ${os.release()}`;
  log(`${machine}\nexperiments: ${chosen.join(", ")}; engine sizes ${sizes.join(", ")}, ${runs} runs each`);
  const emu = await startEmulator();
  const measurements: Measurement[] = [];
  const started = Date.now();
  try {
    for (const name of chosen) {
      log(`${name} ...`);
      const t0 = Date.now();
      const results = await experiments[name](emu);
      measurements.push(...results);
      log(`${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n${formatTable(results.map(toRow))}`);
    }
  } finally {
    await emu.stop();
  }
  const rows = measurements.map(toRow);
  const file = path.join(repoRoot, "bench", "results", "latest.json");
  writeResults(file, rows);
  console.log(`${machine}; ${new Date().toISOString().slice(0, 10)}; ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
  console.log(formatTable(rows));
  const missed = rows.filter((r) => r.met === false).length;
  console.log(`\n${rows.filter((r) => r.met !== null).length - missed} goals met, ${missed} missed; written to ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

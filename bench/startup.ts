/**
 * Experiment (4): what loading costs a fresh process, measured in child processes (each starts
 * cold): the SDK, as a Pulumi program loads it, and the provider of one kind, as the
 * dynamic-provider process loads it for a stored resource; each next to `@pulumi/pulumi` alone,
 * which the same child loads first and times on its own.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { goals, type Measurement } from "./report";

type Mode = "sdk" | "provider";

interface Sample {
  /** Time and resident memory once @pulumi/pulumi is loaded, and once ours is too. */
  pulumi: { ms: number; rssMiB: number };
  total: { ms: number; rssMiB: number };
  /** Files loaded beyond @pulumi/pulumi's own, by package (or our folder). */
  loaded: Record<string, number>;
}

/** Runs in the child: `node startup.js <mode>` prints one Sample as JSON. */
function child(mode: Mode): void {
  const started = process.hrtime.bigint();
  const at = () => ({ ms: Number(process.hrtime.bigint() - started) / 1e6, rssMiB: process.memoryUsage().rss / 2 ** 20 });
  /* eslint-disable @typescript-eslint/no-require-imports -- what each require() costs is what this measures */
  require("@pulumi/pulumi");
  const pulumi = at();
  const afterPulumi = new Set(Object.keys(require.cache));
  if (mode === "sdk") require("pulumi-ccluster");
  // What `require("pulumi-ccluster/provider").providerFor(typeName)` in the stored provider does.
  if (mode === "provider") require("pulumi-ccluster/provider").providerFor("EnvironmentVariable");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const total = at();
  const loaded: Record<string, number> = {};
  for (const file of Object.keys(require.cache).filter((f) => !afterPulumi.has(f))) {
    const m = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/) ?? file.match(/\/dist\/([^/]+\/[^/]+)/);
    const group = m ? m[1] : file;
    loaded[group] = (loaded[group] ?? 0) + 1;
  }
  process.stdout.write(JSON.stringify({ pulumi, total, loaded } satisfies Sample));
}

function measureOnce(mode: Mode): Sample {
  return JSON.parse(execFileSync(process.execPath, [__filename, mode], { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..") })) as Sample;
}

export async function startupExperiments(runs: number, log: (line: string) => void): Promise<Measurement[]> {
  const samples: Record<Mode, Sample[]> = { sdk: [], provider: [] };
  measureOnce("provider"); // warms the file cache
  for (let r = 0; r < runs; r++) for (const mode of r % 2 ? (["provider", "sdk"] as const) : (["sdk", "provider"] as const)) samples[mode].push(measureOnce(mode));
  for (const mode of ["sdk", "provider"] as const) {
    const loaded = samples[mode][0].loaded;
    log(`  ${mode} loads, beyond @pulumi/pulumi: ${Object.entries(loaded).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} (${v})`).join(", ")}`);
  }
  const of = (mode: Mode, part: "pulumi" | "total", what: "ms" | "rssMiB") => samples[mode].map((s) => s[part][what]);
  return [
    { name: "start-up: require SDK (pulumi-ccluster)", unit: "ms", samples: of("sdk", "total", "ms"), baselineSamples: of("sdk", "pulumi", "ms"), goal: goals.overBaselineAtMost(50, "ms") },
    { name: "start-up: SDK memory (RSS)", unit: "MiB", samples: of("sdk", "total", "rssMiB"), baselineSamples: of("sdk", "pulumi", "rssMiB"), goal: goals.overBaselineAtMost(10, "MiB") },
    { name: "start-up: provider for one kind", unit: "ms", samples: of("provider", "total", "ms"), baselineSamples: of("provider", "pulumi", "ms"), goal: goals.overBaselineAtMost(80, "ms") },
    { name: "start-up: provider memory (RSS)", unit: "MiB", samples: of("provider", "total", "rssMiB"), baselineSamples: of("provider", "pulumi", "rssMiB") },
  ];
}

if (require.main === module) child(process.argv[2] as Mode);

/**
 * The bench's results: one row per comparison (a measurement next to its baseline, taken in the
 * same run), printed as one table and written as `bench/results/latest.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A goal on a row: what the README and the JSON say, and the test of it. */
export interface Goal {
  text: string;
  met(row: { value: number; baseline: number | null; ratio: number | null }): boolean;
}

/** Goals are ratios to a baseline of the same run (the machine is noisy), or plain limits. */
export const goals = {
  ratioAtMost: (limit: number): Goal => ({ text: `ratio ≤ ${limit}`, met: (r) => r.ratio !== null && r.ratio <= limit }),
  atMost: (limit: number, unit: string): Goal => ({ text: `≤ ${limit} ${unit}`, met: (r) => r.value <= limit }),
  /** At most `limit` above the baseline (start-up time and memory over @pulumi/pulumi alone). */
  overBaselineAtMost: (limit: number, unit: string): Goal => ({
    text: `≤ +${limit} ${unit} over baseline`,
    met: (r) => r.baseline !== null && r.value - r.baseline <= limit,
  }),
};

/** What an experiment reports: its samples, and the baseline's samples when it has one. */
export interface Measurement {
  name: string;
  unit: string;
  samples: number[];
  baselineSamples?: number[];
  goal?: Goal;
}

/** One line of latest.json. */
export interface Row {
  name: string;
  /** Median of the samples. */
  value: number;
  unit: string;
  /** Median of the baseline's samples, in the same unit; null when the row has no baseline. */
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
  goal: string | null;
  met: boolean | null;
  min: number;
  max: number;
  runs: number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error("median of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function toRow(m: Measurement): Row {
  const value = median(m.samples);
  const baseline = m.baselineSamples?.length ? median(m.baselineSamples) : null;
  const ratio = baseline ? value / baseline : null;
  return {
    name: m.name,
    value,
    unit: m.unit,
    baseline,
    ratio,
    goal: m.goal?.text ?? null,
    met: m.goal ? m.goal.met({ value, baseline, ratio }) : null,
    min: Math.min(...m.samples),
    max: Math.max(...m.samples),
    runs: m.samples.length,
  };
}

/** Three significant digits, no exponent: 0.00123, 1.23, 123, 12345. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return "";
  if (n === 0) return "0";
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  return n.toFixed(Math.min(digits, 6));
}

/** The rows as a Markdown table (it pastes into bench/README.md as it is). */
export function formatTable(rows: readonly Row[]): string {
  const header = ["Experiment", "Median", "Min", "Max", "Unit", "Baseline", "Ratio", "Goal", "Met"];
  const cells = rows.map((r) => [
    r.name,
    formatNumber(r.value),
    formatNumber(r.min),
    formatNumber(r.max),
    r.unit,
    formatNumber(r.baseline),
    r.ratio === null ? "" : `${r.ratio.toFixed(2)}x`,
    r.goal ?? "",
    r.met === null ? "" : r.met ? "yes" : "**no**",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const leftAligned = new Set([0, 4, 7, 8]);
  const line = (c: string[]) => `| ${c.map((s, i) => (leftAligned.has(i) ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (leftAligned.has(i) ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}

/** Writes the rows as JSON (the folder is made if needed). */
export function writeResults(file: string, rows: readonly Row[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}

/** The bench's table and JSON writer (bench/report.ts) and the engine experiment's rows per side (bench/engine.ts); the bench itself runs with `npm run bench`, never in tests. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sideRows } from "../../bench/engine";
import { formatNumber, formatTable, goals, median, toRow, writeResults } from "../../bench/report";

test("a row is the median of its samples next to its baseline's, with min, max and whether its goal is met", () => {
  const row = toRow({ name: "up, 200 items", unit: "s", samples: [9, 3, 4], baselineSamples: [2, 1, 3, 4], goal: goals.ratioAtMost(1.3) });
  expect(row).toEqual({ name: "up, 200 items", value: 4, unit: "s", baseline: 2.5, ratio: 1.6, goal: "ratio ≤ 1.3", met: false, min: 3, max: 9, runs: 3 });
  expect(toRow({ name: "calls", unit: "calls", samples: [2, 2], goal: goals.atMost(2, "calls/item") })).toMatchObject({ baseline: null, ratio: null, met: true });
  expect(toRow({ name: "plain", unit: "ms", samples: [1] })).toMatchObject({ goal: null, met: null });
  expect(toRow({ name: "start-up", unit: "ms", samples: [160], baselineSamples: [100], goal: goals.overBaselineAtMost(50, "ms") }).met).toBe(false);
  expect(toRow({ name: "start-up", unit: "ms", samples: [140], baselineSamples: [100], goal: goals.overBaselineAtMost(50, "ms") }).met).toBe(true);
  expect(() => median([])).toThrow(/no samples/);
});

test("the table is Markdown with one line per row, and latest.json the list of rows", () => {
  const rows = [
    toRow({ name: "cycle, 200 items", unit: "s", samples: [39, 38], baselineSamples: [30], goal: goals.ratioAtMost(1.3) }),
    toRow({ name: "API calls per item: up", unit: "calls", samples: [2], goal: goals.atMost(2, "calls/item") }),
  ];
  const lines = formatTable(rows).split("\n");
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^\| Experiment +\| Median \| +Min \| +Max \| Unit +\| Baseline \| Ratio \| Goal +\| Met +\|$/);
  expect(lines[1]).toMatch(/^\|:-+\|-+:\|/);
  expect(lines[2]).toMatch(/^\| cycle, 200 items +\| +38\.5 \| +38\.0 \| +39\.0 \| s +\| +30\.0 \| 1\.28x \| ratio ≤ 1\.3 +\| yes +\|$/);
  expect(lines[3]).toMatch(/\|\s+\|\s+\| ≤ 2 calls\/item \| yes/);
  expect(formatNumber(0.001234)).toBe("0.00123");
  expect(formatNumber(12345)).toBe("12345");

  const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
  try {
    const file = join(dir, "results", "latest.json");
    writeResults(file, rows);
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written).toEqual(rows);
    for (const r of written) expect(Object.keys(r)).toEqual(expect.arrayContaining(["name", "value", "unit", "baseline", "ratio", "goal", "met"]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each side of the engine experiment gets the same rows and goals, named with its suffix: the plugin's next to the same no-op floor", () => {
  const seconds = (s: number) => ({ up: [s, s], preview: [s, s], refresh: [s, s], destroy: [s, s] });
  const calls = { up: [2, 2], preview: [0, 0], refresh: [1, 1], destroy: [1, 1] };
  const rows = sideRows(200, { name: "plugin, YAML", seconds: seconds(1.1) }, { seconds: seconds(1) }, undefined, calls, { total: 1600, bookkeeping: 150, keys: ["autoNamePrefix"] }, { total: 2000 }).map(toRow);
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  expect(rows.every((r) => r.name.includes("200 items, through the plugin"))).toBe(true);
  expect(byName["cycle (up+preview+refresh+destroy), 200 items, through the plugin"]).toMatchObject({ value: 4.4, baseline: 4, goal: "ratio ≤ 1.3", met: true });
  expect(byName["preview, 200 items, through the plugin"]).toMatchObject({ goal: "ratio ≤ 1.2", met: true });
  expect(byName["up, 200 items, through the plugin"].goal).toBeNull();
  expect(byName["API calls per item: up, 200 items, through the plugin"]).toMatchObject({ value: 2, goal: "≤ 2 calls/item", met: true });
  expect(byName["state per resource, 200 items, through the plugin"]).toMatchObject({ value: 1600, baseline: 2000, ratio: 0.8 });
  expect(byName["state per resource beyond its own fields, 200 items, through the plugin"]).toMatchObject({ goal: "≤ 2048 bytes", met: true });
  expect(rows.some((r) => r.name.includes("same state size"))).toBe(false);

  // The dynamic side keeps its names, and its rows next to the floor of its state size.
  const dynamic = sideRows(200, { name: "ccluster", seconds: seconds(1.5) }, { seconds: seconds(1) }, { seconds: seconds(1.4) }, calls, { total: 7000, bookkeeping: 5360, keys: ["__provider"] }, { total: 2000 }).map(toRow);
  const dyn = Object.fromEntries(dynamic.map((r) => [r.name, r]));
  expect(dyn["cycle (up+preview+refresh+destroy), 200 items"]).toMatchObject({ ratio: 1.5, met: false });
  expect(dyn["preview, 200 items, vs no-op of the same state size"].ratio).toBeCloseTo(1.5 / 1.4);
  expect(dyn["state per resource beyond its own fields, 200 items"].met).toBe(false);
  // Goals by size: none on the cycle at 50, ratio ≤ 1.5 at 500.
  const at = (n: number) => sideRows(n, { name: "plugin, Node.js", seconds: seconds(1) }, { seconds: seconds(1) }, undefined, calls, undefined, undefined).map(toRow)[0];
  expect(at(50)).toMatchObject({ name: "cycle (up+preview+refresh+destroy), 50 items, through the plugin, Node.js program", goal: null });
  expect(at(500).goal).toBe("ratio ≤ 1.5");
});

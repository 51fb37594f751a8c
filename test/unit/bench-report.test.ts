/** The bench's table and JSON writer (bench/report.ts); the bench itself runs with `npm run bench`, never in tests. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

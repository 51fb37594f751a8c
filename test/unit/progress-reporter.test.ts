/** `npm test` says what it is doing while the long end-to-end files run, which take minutes each. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ProgressReporter = require("../support/progress-reporter.js");

test("jest runs the progress reporter next to its default one", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS config, as jest loads it
  expect(require(join(root, "jest.config.js")).reporters).toEqual(["default", "<rootDir>/test/support/progress-reporter.js"]);
});

test("it prints a line at the start, and when each test file starts and is done, with the time since the start", () => {
  const lines: string[] = [];
  const write = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
  try {
    const reporter = new ProgressReporter({ maxWorkers: 2 });
    const file = (path: string) => ({ path: join(root, path), context: { config: { rootDir: root } } });
    reporter.onRunStart({ numTotalTestSuites: 2 });
    reporter.onTestFileStart(file("test/e2e/resources.test.ts"));
    reporter.onTestFileStart(file("test/unit/readme.test.ts"));
    reporter.onTestFileResult(file("test/unit/readme.test.ts"));
  } finally {
    write.mockRestore();
  }
  expect(lines.map((l) => l.replace(/^\[jest \d+m\d\ds\] /, ""))).toEqual([
    "2 test files on 2 workers; the end-to-end files (test/e2e) run the real Pulumi engine and take a minute or more each\n",
    "started test/e2e/resources.test.ts (1 of 2)\n",
    "started test/unit/readme.test.ts (2 of 2)\n",
    "1 of 2 test files done (test/unit/readme.test.ts)\n",
  ]);
  expect(lines.every((l) => /^\[jest \d+m\d\ds\] /.test(l))).toBe(true);

  // The README shows a line of this reporter; it must be one the reporter prints.
  const shown = /\(`(\[jest \d+m\d\ds\] started[\s\S]*?)`\)/.exec(readFileSync(join(root, "README.md"), "utf8"));
  expect(shown?.[1].replace(/\s+/g, " ")).toMatch(/^\[jest \d+m\d\ds\] started test\/\S+\.test\.ts \(\d+ of \d+\)$/);
});

test("the engine build's progress reaches the terminal before jest starts: pretest discards only the script's stdout (the bin folder)", () => {
  const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(scripts.pretest).toMatch(/bash scripts\/install-pulumi\.sh >\/dev\/null$/);
  const install = readFileSync(join(root, "scripts", "install-pulumi.sh"), "utf8");
  expect(install).toContain('source "$repo_root/scripts/progress.sh"'); // its progress lines, tested below
});

describe("the engine build's long steps say they are still at work (scripts/progress.sh)", () => {
  const withProgress = (script: string) =>
    spawnSync("bash", ["-c", `PROGRESS_TAG=build; source scripts/progress.sh; ${script}`], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PROGRESS_EVERY_SECONDS: "1" },
    });
  const log = join(mkdtempSync(join(tmpdir(), "progress-")), "step.log");

  test("every interval a line on stderr with the time, the step and how far its log has got; stdout stays clean", () => {
    const run = withProgress(`run_quietly "compiling the CLI" ${log} bash -c 'echo one; echo two; sleep 2.5'`);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    const still = run.stderr.split("\n").filter((l) => l.includes("still"));
    expect(still.length).toBeGreaterThanOrEqual(2);
    for (const line of still) expect(line).toMatch(new RegExp(`^\\[build \\+\\d+\\.\\ds\\] still compiling the CLI \\(2 lines in ${log}\\)$`));
  });

  test("a failed step stops with its name, its status and the tail of its log", () => {
    expect(withProgress(`run_quietly "a step" ${log} bash -c 'exit 3'; echo "status $?"`).stdout).toBe("status 3\n");
    const failed = withProgress(`run_logged "resolving modules" ${log} bash -c 'echo "no such module" >&2; exit 1'; echo "not reached"`);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain(`[build] FAILED: resolving modules failed (full log: ${log}):\nno such module`);
  });
});

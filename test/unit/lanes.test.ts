/**
 * The test lanes (jest.config.js): `npm run test:unit` and `npm run test:integration` never build
 * the Pulumi engine, so a test that needs it must live in the e2e lane, where it fails loudly
 * rather than skipping; `npm test` runs every lane, the fast ones first. CI lints (eslint, and tsc
 * over the tests) before it tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ensurePulumiEngine } from "../harness/engine";

const root = join(__dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS config, as jest loads it
const config = require(join(root, "jest.config.js")) as { projects: { displayName: string; roots: string[] }[]; testSequencer: string };
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
const lanes = Object.fromEntries(config.projects.map((p) => [p.displayName, p.roots.map((r) => r.replace("<rootDir>/", ""))]));

/** Every file under dir, relative to the repository. */
function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

test("three lanes: unit (no engine, no network), integration (the emulator over loopback), e2e (the real engine)", () => {
  expect(lanes).toEqual({
    unit: ["test/unit", "test/policy"],
    integration: ["test/emulator", "test/integration"],
    e2e: ["test/e2e", "test/engine"],
  });
  // Every test file is in exactly one lane, so `npm test` (all lanes) runs each once.
  const all = files("test").filter((f) => f.endsWith(".test.ts"));
  const laneOf = (f: string) => Object.keys(lanes).filter((lane) => lanes[lane].some((r) => f.startsWith(`${r}/`)));
  expect(all.filter((f) => laneOf(f).length !== 1)).toEqual([]);
});

test("each lane's script builds dist/ first; only the e2e lane (and `npm test`) builds the engine", () => {
  // The closing `--`: what follows on the command line (`npm run test:unit -- readme`) is a path pattern, not one more project.
  for (const lane of Object.keys(lanes)) expect(scripts[`test:${lane}`]).toMatch(new RegExp(`^npm run build && .*jest --selectProjects ${lane} --$`));
  expect(scripts["test:unit"]).not.toContain("install-pulumi");
  expect(scripts["test:integration"]).not.toContain("install-pulumi");
  expect(scripts["test:e2e"]).toContain("bash scripts/install-pulumi.sh");
  expect(scripts.test).toBe("jest");
  expect(scripts.pretest).toContain("bash scripts/install-pulumi.sh");
});

test("no test of the unit or integration lane drives the engine or Go (those belong in test/e2e or test/engine)", () => {
  const engineUse = /harness\/engine|scripts\/engine|support\/stack-at-scale|ensurePulumiEngine|runPulumi|LocalWorkspace|\b(?:execFile|execFileSync|spawn|spawnSync)\(\s*"(?:go|pulumi)"/;
  const offenders = [...lanes.unit, ...lanes.integration]
    .flatMap(files)
    .filter((f) => f.endsWith(".ts") && f !== relative(root, __filename))
    .filter((f) => engineUse.test(readFileSync(join(root, f), "utf8")));
  expect(offenders).toEqual([]);
});

test("a test outside the e2e lane that asks for the engine fails, saying where it belongs, instead of building it", () => {
  expect(() => ensurePulumiEngine()).toThrow("This test needs the Pulumi engine, which the unit lane does not provide: move it to test/e2e or test/engine");
});

test("`npm test` runs the lanes in order: unit, integration, e2e", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads the sequencer the same way
  const Sequencer = require(config.testSequencer.replace("<rootDir>", root));
  const file = (lane: string, path: string) => ({ path: join(root, path), context: { config: { displayName: { name: lane }, cache: false }, hasteFS: { getSize: () => 1 } } });
  const tests = [file("e2e", "test/e2e/a.test.ts"), file("integration", "test/integration/b.test.ts"), file("unit", "test/unit/c.test.ts"), file("e2e", "test/engine/d.test.ts")];
  const sorted: string[] = new Sequencer().sort(tests).map((t: { path: string }) => relative(root, t.path));
  expect(sorted.slice(0, 2)).toEqual(["test/unit/c.test.ts", "test/integration/b.test.ts"]);
  expect(sorted.slice(2).sort()).toEqual(["test/e2e/a.test.ts", "test/engine/d.test.ts"]);
});

test("CI lints after npm ci and before the tests, and a lint failure fails it", () => {
  const ci = readFileSync(join(root, ".ci", "run"), "utf8");
  const at = (line: string) => ci.indexOf(`\n${line}`);
  expect(at("npm ci ")).toBeGreaterThan(0);
  expect(at("npm run lint")).toBeGreaterThan(at("npm ci "));
  expect(at("npm test")).toBeGreaterThan(at("npm run lint"));
  expect(ci).toContain("npm run lint || lint_status=$?");
  expect(ci).toMatch(/\[ "\$status" -ne 0 \] \|\| status=\$lint_status/);
  expect(scripts.lint).toBe("eslint . && npm run typecheck");
});

test("lint type-checks the tests too: ts-jest compiles them without checking types", () => {
  expect(scripts.typecheck).toBe("tsc -p tsconfig.test.json");
  const main = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as { include: string[] };
  const tests = JSON.parse(readFileSync(join(root, "tsconfig.test.json"), "utf8")) as { extends: string; include: string[]; compilerOptions: { noEmit?: boolean } };
  expect(tests.extends).toBe("./tsconfig.json");
  expect(tests.compilerOptions.noEmit).toBe(true);
  expect(tests.include).toEqual(expect.arrayContaining([...main.include, "test"]));
});

test("the README's set-up section names each lane's command and the lint command", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const setUp = readme.slice(readme.indexOf("\n## Set-up"), readme.indexOf("\n## ", readme.indexOf("\n## Set-up") + 1));
  for (const lane of Object.keys(lanes)) expect(setUp).toContain(`| \`npm run test:${lane}\` | \`${lanes[lane].join("`, `")}\``);
  expect(setUp).toContain("`npm run lint`");
});

/**
 * The Python, Go and Node.js SDKs in sdk/ are what Pulumi's code generators make of schema.json
 * (engine/sdkgen, `npm run sdks`); this fails when they drift, and when the generator's Pulumi
 * version is not the engine's.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { PULUMI_SDK_VERSION } from "../harness/engine";
import { repoRoot } from "../support/pulumi-project";

jest.setTimeout(600_000);
const generator = join(repoRoot, "engine", "sdkgen");
const out = mkdtempSync(join(tmpdir(), "sdks-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** What building or installing an SDK in place adds (the Node.js SDK's .gitignore): not generated, not compared. */
const buildOutput = new Set(["node_modules", "bin"]);

/** Every file under dir, by path relative to it, with its content. */
function tree(dir: string): Record<string, string> {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (!e.isDirectory() ? [join(d, e.name)] : buildOutput.has(e.name) ? [] : files(join(d, e.name))));
  return Object.fromEntries(files(dir).map((f) => [relative(dir, f), readFileSync(f, "utf8")]));
}

test("the generator uses Pulumi's codegen at the engine's version", () => {
  const gomod = readFileSync(join(generator, "go.mod"), "utf8");
  expect(gomod).toContain(`github.com/pulumi/pulumi/pkg/v3 v${PULUMI_SDK_VERSION}`);
});

test.each(["python", "go", "nodejs"])("sdk/%s is what the generator makes of schema.json (run `npm run sdks` after changing a kind)", async (language) => {
  await promisify(execFile)("go", ["run", "-trimpath", ".", "-schema", join(repoRoot, "schema.json"), "-out", out, "-languages", language], { cwd: generator });
  const generated = tree(join(out, language));
  expect(Object.keys(generated).length).toBeGreaterThan(10);
  expect(tree(join(repoRoot, "sdk", language))).toEqual(generated);
});

test("examples/go compiles against sdk/go (the Go SDK, through its replace directive)", async () => {
  const res = await promisify(execFile)("go", ["build", "-trimpath", "-o", join(out, "ccluster-go-example"), "."], { cwd: join(repoRoot, "examples", "go") }).catch((e: { code: number; stderr: string }) => e);
  expect({ code: "code" in res ? res.code : 0, stderr: res.stderr.trim() }).toEqual({ code: 0, stderr: "" });
});

test("sdk/nodejs compiles with its own tsconfig, and the root build leaves it out (it is a package of its own)", async () => {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const res = await promisify(execFile)(process.execPath, [tsc, "-p", join(repoRoot, "sdk", "nodejs"), "--outDir", join(out, "nodejs-bin")], { cwd: repoRoot }).catch((e: { code: number; stdout: string }) => e);
  expect({ code: "code" in res ? res.code : 0, stdout: res.stdout.trim() }).toEqual({ code: 0, stdout: "" });
  expect(JSON.parse(readFileSync(join(repoRoot, "tsconfig.json"), "utf8")).exclude).toContain("sdk/nodejs");
});

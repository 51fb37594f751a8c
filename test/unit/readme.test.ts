/**
 * The README's programs are real: every TypeScript, YAML, Python and Go block is code from an
 * example that the tests run (its index.ts, Pulumi.yaml, __main__.py or main.go).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as sdk from "../../sdk";
import { environmentExports, pulumiConfigCommands } from "../../emulator/stack-config";

const root = join(__dirname, "..", "..");
const significant = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "");

/** The file that holds an example's program, by the language of the README's code block. */
const programFiles = { ts: "index.ts", yaml: "Pulumi.yaml", python: "__main__.py", go: "main.go" } as const;

test.each(Object.entries(programFiles))("every ```%s block in README.md appears, line for line, in an example's %s", (language, file) => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => significant(m[1]));
  if (language === "ts") expect(blocks.length).toBeGreaterThan(0);
  const sources = readdirSync(join(root, "examples"))
    .map((name) => join(root, "examples", name, file))
    .filter((path) => existsSync(path))
    .map((path) => significant(readFileSync(path, "utf8")).join("\n"));
  for (const block of blocks) {
    const found = sources.some((source) => source.includes(block.join("\n")));
    expect({ block: block.slice(0, 2), found }).toEqual({ block: block.slice(0, 2), found: true });
  }
});

// Facts the README states that a new user relies on, each checked against its source.
const readme = () => readFileSync(join(root, "README.md"), "utf8");
/** The lines of the README's section with this heading, up to the next heading of any level. */
function section(heading: string): string {
  const text = readme();
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const rest = text.slice(start + heading.length + 2);
  return rest.slice(0, rest.search(/\n#{1,6} /) + 1 || undefined);
}

test("set-up: two commands, one for the demo and one for the tests, which .ci/run runs; the second may skip npm ci", () => {
  const setUp = section("## Set-up (a fresh machine, two commands)");
  const commands = significant(/```sh\n([\s\S]*?)```/.exec(setUp)![1]).map((l) => l.replace(/\s+#.*$/, ""));
  expect(commands).toEqual(["npm ci && npm run demo", "npm ci && npm test"]);
  // CI runs the README's test command, its parts in order.
  const ci = readFileSync(join(root, ".ci", "run"), "utf8");
  expect(ci.indexOf("\nnpm ci ")).toBeGreaterThan(0);
  expect(ci.indexOf("\nnpm test")).toBeGreaterThan(ci.indexOf("\nnpm ci "));
  expect(setUp).toContain("After the first, `npm test` alone is enough");
  expect(setUp).toMatch(/\*\*How long\.\*\*/);
});

test("every value the SDK exports (resource classes, lookups, helpers, namespaces) is named in the README", () => {
  // In a code span of its own or as a prefix (`aigateway.AuthToken`), or called (`ccluster.envVars(`).
  const missing = Object.keys(sdk).filter((name) => !new RegExp(`\`${name}[\`.(]|ccluster\\.${name}\\b`).test(readme()));
  expect(missing).toEqual([]);
  expect(section("### Reading what exists: `getItem` and `getCertificate`")).toMatch(/only `value` is secret/);
});

test("the resource table shows PemFile's `certificate` and `pem` as alternatives, and the quick start gives `certificate`", () => {
  const row = readme().split("\n").find((l) => l.startsWith("| `PemFile` |"))!;
  expect(row).toContain("**`certificate`** or **`pem`** 🔒");
  expect(readFileSync(join(root, "examples", "quickstart", "index.ts"), "utf8")).toMatch(/new ccluster\.PemFile\([^)]*\{ certificate: cert,/);
});

test("the emulator's lines that point a stack at it are in the README as it prints them", () => {
  const placeholders = { apiUrl: "http://127.0.0.1:8080", token: "ALICE_TOKEN", aigatewayUrl: "http://127.0.0.1:8080/aigateway", aigatewayServiceAccount: { clientId: "GATEWAY_CLIENT_ID", clientSecret: "GATEWAY_CLIENT_SECRET" } };
  const emulator = section("## The emulator");
  expect(emulator).toContain("npx ccluster-emulator --port 8080 --data-dir .emulator");
  expect(emulator).toContain(["```", ...pulumiConfigCommands(placeholders), environmentExports(placeholders), "```"].join("\n"));
  expect(emulator).toContain(["```", ...pulumiConfigCommands(placeholders, "plugin"), "```"].join("\n"));
});

test("an endpoint's certificate needs an explicit key: the README and the policy pack's README say so, and the examples' endpoint certificates have one", () => {
  expect(section("### Refresh and drift")).toContain("**give an endpoint's `Certificate` an explicit `key`**");
  expect(readFileSync(join(root, "policy", "README.md"), "utf8")).toContain("Give a Certificate that a private endpoint uses an explicit `key`");
  for (const example of ["quickstart", "private-endpoint"]) {
    expect(readFileSync(join(root, "examples", example, "index.ts"), "utf8")).toMatch(/new ccluster\.Certificate\([^,]+, \{ key: /);
  }
});

test("what a user project needs is what test/e2e/packaged.test.ts compiles with: the stock tsconfigs and the TypeScript Pulumi bundles", () => {
  const own = section("## Use it in your own project");
  const fixture = join(root, "test", "e2e", "fixtures", "typescript-project");
  for (const [file, module] of [["tsconfig.json", "nodenext"], ["tsconfig.commonjs.json", "commonjs"]]) {
    const options = JSON.parse(readFileSync(join(fixture, file), "utf8")).compilerOptions;
    expect({ file, module: options.module, strict: options.strict, skipLibCheck: options.skipLibCheck, esModuleInterop: options.esModuleInterop }).toEqual({ file, module, strict: true });
    expect(own).toContain(module === "nodenext" ? "`module: nodenext`" : "`commonjs`");
  }
  expect(own).toMatch(/without\s+`skipLibCheck` or `esModuleInterop`/);
  const devDependencies = JSON.parse(readFileSync(join(fixture, "package.json"), "utf8")).devDependencies;
  expect(devDependencies.typescript).toBe("^5.0.0");
  expect(own).toMatch(/`typescript` 5 in its\s+devDependencies/);
  const bundled = readdirSync(join(root, "node_modules", "@pulumi", "pulumi", "vendor")).find((d) => d.startsWith("typescript@"))!;
  expect(own).toContain(`TypeScript ${bundled.slice("typescript@".length).split(".").slice(0, 2).join(".")} that \`@pulumi/pulumi\` bundles`);
  expect(own).toContain("npm install /path/to/pulumi-ccluster-");
});

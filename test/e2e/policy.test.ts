/**
 * The token-hygiene policy pack end to end: run by the real Pulumi CLI, the way a
 * user runs it (`pulumi preview --policy-pack …`, `--policy-pack-config …`, `pulumi policy analyze`).
 * Two fixtures: a healthy stack with one resource of each kind, and an unhealthy one whose every
 * resource breaks one rule and is named after it. Every violation is read from the CLI's own
 * "Policies:" listing, so the assertions are what a user would see.
 */
import { execFile } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PLUGIN_TYPES, RESOURCE_TYPES } from "../../policy/types";
import { PULUMI_SDK_VERSION, runPulumi, type PulumiRun } from "../harness/engine";
import { useEmulator, stackConfigFor } from "../support/emulator";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";
import { requireTool } from "../support/tools";

jest.setTimeout(600_000);
const run = promisify(execFile);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "policy-e2e-"));
const packInRepo = join(repoRoot, "policy");
const PACK = "ccluster-token-hygiene@v0.1.0";
const hfToken = "hf_" + "q".repeat(34);
const registryPassword = "ecr-pass-policy-e2e";

/** One entry of the CLI's "Policies:" listing. */
interface Violation {
  level: string;
  severity: string;
  policy: string;
  /** The resource's type token (`pulumi:pulumi:Stack` for a stack-level report). */
  type: string;
  /** The Pulumi resource name (the stack's name for a stack-level report). */
  resource: string;
  /** The policy's description, then the violation's own message. */
  description: string;
  message: string;
}

/**
 * Parses the violations the CLI lists under "Policies:", e.g.
 * `- [mandatory] [severity: high]  credential-rotation  (pulumi-nodejs:dynamic/ccluster:BearerToken: never-rotated)`
 * followed by the description and the message, each on its own more indented line.
 */
function violationsIn(output: string): Violation[] {
  const lines = output.split("\n");
  const header = /^(\s+)- \[(\w+)\] \[severity: (\w+)\]\s+(\S+)\s+\((.+): ([^:]+)\)\s*$/;
  const found: Violation[] = [];
  lines.forEach((line, i) => {
    const m = header.exec(line);
    if (!m) return;
    const indent = (l: string) => l.length - l.trimStart().length;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j].trim() !== "" && indent(lines[j]) > m[1].length + 1; j++) body.push(lines[j].trim());
    found.push({ level: m[2], severity: m[3], policy: m[4], type: m[5], resource: m[6], description: body[0] ?? "", message: body.slice(1).join("\n") });
  });
  return found;
}

/** `policy resource` pairs at one level, sorted, for comparing whole sets in one assertion. */
function pairs(violations: Violation[], level: string): string[] {
  return violations
    .filter((v) => v.level === level)
    .map((v) => `${v.policy} ${v.resource}`)
    .sort();
}

type Fixture = "policy-healthy" | "policy-unhealthy" | "policy-unhealthy-yaml";

/**
 * A temporary project from a fixture, in its own git work tree (the PEM rule looks at git), with
 * stack config pointing at the emulator. With `packageDir`, node_modules is left for the caller to install.
 */
async function fixtureProject(fixture: Fixture, opts: { packageDir?: string } = {}): Promise<TestProject> {
  const project = await createTestProject({
    source: join(__dirname, "fixtures", fixture),
    packageDir: opts.packageDir,
    config: {
      ...stackConfigFor(emu()),
      [`${fixture}:hfToken`]: { value: hfToken, secret: true },
      [`${fixture}:registryPassword`]: { value: registryPassword, secret: true },
      // Outside any git work tree: the temporary scratch folder.
      [`${fixture}:pemPath`]: { value: join(mkdtempSync(join(scratch, "pem-")), "edge-client.pem") },
    },
  });
  await run("git", ["init", "-q"], { cwd: project.dir });
  return project;
}

/** Writes a policy config file and returns its path. */
function policyConfig(name: string, config: unknown): string {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** What a CLI run printed, with the violations it listed. */
interface Outcome extends PulumiRun {
  output: string;
  violations: Violation[];
}

/**
 * Runs the CLI in the project as a user's shell would: in the project folder, with PWD set
 * (the pack resolves relative PEM paths against it).
 */
async function pulumi(project: TestProject, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const res = await runPulumi([...args, "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env: { ...project.env, PWD: project.dir, ...env } });
  const output = res.stdout + res.stderr;
  return { ...res, output, violations: violationsIn(res.stdout) };
}

/** `pulumi preview --policy-pack <pack> [--policy-pack-config <file>]`. */
function preview(project: TestProject, opts: { pack?: string; config?: string; extraArgs?: string[] } = {}): Promise<Outcome> {
  const args = ["preview", "--policy-pack", opts.pack ?? packInRepo, ...(opts.extraArgs ?? [])];
  if (opts.config) args.push("--policy-pack-config", opts.config);
  return pulumi(project, args);
}

beforeAll(() => {
  requireTool("git", "install the Debian package git (the PEM rule and these fixtures use it)");
  if (!existsSync(join(repoRoot, "dist", "policy", "index.js"))) {
    throw new Error("the policy pack is not built (policy/package.json's main is ../dist/policy/index.js): run `npm run build` first");
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("a healthy stack: one resource of each kind, declared as the pack wants", () => {
  let project: TestProject;
  beforeAll(async () => {
    project = await fixtureProject("policy-healthy");
  });
  afterAll(async () => project?.cleanup());

  test("preview with the pack passes with no violations", async () => {
    const res = await preview(project);
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: "" });
    expect(res.stdout).toContain(`✅ ${PACK} (local: ${packInRepo})`);
    expect(res.violations).toEqual([]);
    for (const type of Object.values(RESOURCE_TYPES)) expect(res.stdout).toContain(type); // every kind was in the preview
    expect(res.stdout).toMatch(/\+ 11 to create/);
    expect(res.output).not.toContain(hfToken);
    expect(res.output).not.toContain(registryPassword);
  });

  test("--policy-pack-config lowers the rotation maximum to 60 days: the 90-day token fails, the 30-day ones still pass", async () => {
    const res = await preview(project, { config: policyConfig("rotation-60", { "credential-rotation": { maxRotationDays: 60 } }) });
    expect(res.code).not.toBe(0);
    expect(res.violations).toEqual([
      expect.objectContaining({
        level: "mandatory",
        policy: "credential-rotation",
        resource: "gated-models",
        message: 'HuggingFaceToken "gated-models" has rotationDays 90; the most allowed is 60.',
      }),
    ]);
  });

  test.each([
    ["a value above the schema's maximum", { "credential-rotation": { maxRotationDays: 1000 } }, "validating policy config: ccluster-token-hygiene 0.1.0  credential-rotation: maxRotationDays: Must be less than or equal to 730"],
    ["a value of the wrong type", { "key-strength": { minRsaBits: "3072" } }, "key-strength: minRsaBits: Invalid type. Expected: integer, given: string"],
    ["a value outside an enum", { "key-strength": { minEcdsaCurve: "P-192" } }, "key-strength: minEcdsaCurve: minEcdsaCurve must be one of the following"],
    ["an unknown enforcement level", { "credential-rotation": "sometimes" }, 'parsing enforcement level for "credential-rotation": "sometimes" is not a valid enforcement level'],
    [
      "a misspelt property name",
      { "credential-rotation": { maxRotationDayz: 30 } },
      'PolicyConfigError: policy config of "credential-rotation": unknown property "maxRotationDayz"; it accepts maxRotationDays, acceptKeepers (and enforcementLevel).',
    ],
  ])("bad policy config is refused with a clear message: %s", async (_what, config, message) => {
    const res = await preview(project, { config: policyConfig("bad", config) });
    expect(res.code).not.toBe(0);
    expect(res.output).toContain(message);
    expect(res.violations).toEqual([]);
  });
});

/** Every mandatory violation the unhealthy fixture must produce, as `policy resource`. */
const UNHEALTHY_MANDATORY = [
  "certificate-validity long-lived-cert",
  "credential-rotation never-rotated",
  "credential-rotation rotates-yearly",
  "gateway-token-limit policy-unhealthy-test", // a stack-level report; its message names the tokens
  "key-strength weak-ssh-key",
  "no-secret-environment-variables hf-token-in-env", // the name looks secret
  "no-secret-environment-variables hf-token-in-env", // and so does the value
  "org-visibility org-wide-token",
  "pem-file-protection leaky-pem", // mode 0644
  "pem-file-protection leaky-pem", // inside the git work tree, not ignored
  "secret-outputs hand-rolled-token",
];
const UNHEALTHY_ADVISORY = ["create-before-delete delete-first-token", "vault-key-naming badly-named-token"];

describe("an unhealthy stack: each resource breaks one rule", () => {
  let project: TestProject;
  let res: Outcome;
  beforeAll(async () => {
    project = await fixtureProject("policy-unhealthy");
    res = await preview(project);
  });
  afterAll(async () => project?.cleanup());

  test("preview fails, and exactly the resources that break a mandatory rule are reported, by rule", () => {
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain(`❌ ${PACK}`);
    expect(pairs(res.violations, "mandatory")).toEqual(UNHEALTHY_MANDATORY);
  });

  const T = RESOURCE_TYPES;
  test.each([
    { policy: "credential-rotation", severity: "high", type: T.BearerToken, resource: "never-rotated", why: "no rotation", message: 'BearerToken "never-rotated" neither expires nor rotates: set rotationDays (at most 90) or keepers.' },
    { policy: "credential-rotation", severity: "high", type: T.ServerlessApiKey, resource: "rotates-yearly", why: "365-day rotation", message: 'ServerlessApiKey "rotates-yearly" has rotationDays 365; the most allowed is 90.' },
    { policy: "certificate-validity", severity: "medium", type: T.Certificate, resource: "long-lived-cert", why: "800-day validity", message: 'Certificate "long-lived-cert" is valid for 800 days (validityDays); the most allowed is 397 days.' },
    { policy: "key-strength", severity: "high", type: T.SshKey, resource: "weak-ssh-key", why: "RSA-2048 SSH key", message: 'SshKey "weak-ssh-key" publicKey is an RSA 2048-bit key (at least 3072 bits required)' },
    { policy: "no-secret-environment-variables", severity: "critical", type: T.EnvironmentVariable, resource: "hf-token-in-env", why: "secret-looking name", message: 'EnvironmentVariable "HF_TOKEN": the name contains "TOKEN", so it looks like a credential' },
    { policy: "no-secret-environment-variables", severity: "critical", type: T.EnvironmentVariable, resource: "hf-token-in-env", why: "Hugging Face token value", message: 'EnvironmentVariable "HF_TOKEN": the value looks like a Hugging Face token (hf_…); store it as ccluster.HuggingFaceToken' },
    { policy: "secret-outputs", severity: "critical", type: T.BearerToken, resource: "hand-rolled-token", why: "value not in additionalSecretOutputs", message: 'BearerToken "hand-rolled-token" does not list "value" in additionalSecretOutputs' },
    { policy: "org-visibility", severity: "high", type: T.BearerToken, resource: "org-wide-token", why: "ORG without allow-list", message: 'BearerToken "shared-team-token" is ORG-visible but "shared-team-token" is not on the org allow-list' },
    { policy: "pem-file-protection", severity: "high", type: T.PemFile, resource: "leaky-pem", why: "mode 0644", message: 'PemFile "keys/leaky.pem" has filePermission 0644, which grants more than 0600; use 0600.' },
    { policy: "pem-file-protection", severity: "high", type: T.PemFile, resource: "leaky-pem", why: "unignored path in git", message: "and git does not ignore that path, so the key could be committed." },
    { policy: "gateway-token-limit", severity: "medium", type: "pulumi:pulumi:Stack", resource: "policy-unhealthy-test", why: "11 tokens on one gateway", message: 'AI gateway "crowded-gateway" has 11 active tokens' },
  ])("mandatory $policy names $resource ($why)", ({ why: _why, message, ...where }) => {
    expect(res.violations).toContainEqual(expect.objectContaining({ level: "mandatory", ...where, message: expect.stringContaining(message) }));
  });

  test("the gateway limit's message names every token of the crowded gateway", () => {
    const limit = res.violations.find((v) => v.policy === "gateway-token-limit");
    for (let i = 1; i <= 11; i++) expect(limit?.message).toContain(`"crowd-${i}"`);
  });

  test("the PEM path is reported where the file would land: inside the project's own work tree", () => {
    const git = res.violations.find((v) => v.policy === "pem-file-protection" && v.message.includes("git work tree"));
    expect(git?.message).toContain(`writes ${join(project.dir, "keys", "leaky.pem")} inside the git work tree`);
  });

  test("advisory rules are listed as advisory", () => {
    expect(pairs(res.violations, "advisory")).toEqual(UNHEALTHY_ADVISORY);
    expect(res.violations.filter((v) => v.level !== "mandatory" && v.level !== "advisory")).toEqual([]);
  });

  test("no secret input appears in the output", () => {
    // The HF token is the value of the reported HF_TOKEN variable; messages name, never quote.
    expect(res.output).not.toContain(hfToken);
  });

  test("--policy-pack-config: an ORG allow-list, a higher token limit and an advisory level change exactly those results", async () => {
    const config = policyConfig("relaxed", {
      "org-visibility": { orgAllowList: ["BearerToken:shared-team-token"] },
      "gateway-token-limit": { maxActiveTokensPerGateway: 11 },
      "key-strength": "advisory",
    });
    const relaxed = await preview(project, { config });
    expect(relaxed.code).not.toBe(0); // the other mandatory rules still fail it
    expect(pairs(relaxed.violations, "mandatory")).toEqual(
      UNHEALTHY_MANDATORY.filter((p) => !p.startsWith("org-visibility ") && !p.startsWith("gateway-token-limit ") && !p.startsWith("key-strength ")),
    );
    expect(pairs(relaxed.violations, "advisory")).toEqual([...UNHEALTHY_ADVISORY, "key-strength weak-ssh-key"].sort());
  });

  test("with every mandatory rule disabled the preview passes, the advisory findings still listed", async () => {
    const mandatory = [...new Set(UNHEALTHY_MANDATORY.map((p) => p.split(" ")[0]))];
    const config = policyConfig("all-disabled", Object.fromEntries(mandatory.map((name) => [name, "disabled"])));
    const disabled = await preview(project, { config });
    expect(disabled.code).toBe(0);
    expect(pairs(disabled.violations, "mandatory")).toEqual([]);
    expect(pairs(disabled.violations, "advisory")).toEqual(UNHEALTHY_ADVISORY);
  });

  test("at the remediate level the PEM file's mode is tightened in the planned inputs, and only its path is still reported", async () => {
    const config = policyConfig("remediate", { "pem-file-protection": "remediate" });
    const res = await preview(project, { config, extraArgs: ["--show-policy-remediations", "--diff"] });
    expect(res.code).not.toBe(0);
    const pemHeader = "pem-file-protection  (pulumi-nodejs:dynamic/ccluster:PemFile: leaky-pem)";
    expect(res.stdout).toContain(`${PACK} [remediate]  ${pemHeader}\n      ~ filePermission: "0644" => "0600"`);
    expect(res.stdout).toMatch(/\+ pulumi-nodejs:dynamic\/ccluster:PemFile: \(create\)\n.*leaky-pem\]\n(.*\n)*?\s+filePermission: "0600"\n/);
    expect(res.stdout).toContain(`${PACK} [mandatory] [severity: high]  ${pemHeader}`);
    expect(res.stdout).toContain("and git does not ignore that path, so the key could be committed.");
    expect(res.stdout).not.toContain("has filePermission 0644");
  });
});

describe("the unhealthy stack in YAML, on the provider plugin: the same rules fire on its type tokens", () => {
  let project: TestProject;
  let res: Outcome;
  beforeAll(async () => {
    project = await fixtureProject("policy-unhealthy-yaml");
    res = await preview(project);
  });
  afterAll(async () => project?.cleanup());

  test("preview fails with the TypeScript fixture's violations (but the hand-rolled dynamic resource, which YAML has no counterpart for)", () => {
    expect(res.code).not.toBe(0);
    const expected = UNHEALTHY_MANDATORY.filter((p) => p !== "secret-outputs hand-rolled-token").map((p) => p.replace("policy-unhealthy-test", "policy-unhealthy-yaml-test"));
    expect(pairs(res.violations, "mandatory")).toEqual(expected.sort());
    expect(pairs(res.violations, "advisory")).toEqual(UNHEALTHY_ADVISORY);
    expect(res.output).not.toContain(hfToken);
  });

  test.each([
    ["credential-rotation", PLUGIN_TYPES.BearerToken, "never-rotated", 'BearerToken "never-rotated" neither expires nor rotates'],
    ["key-strength", PLUGIN_TYPES.SshKey, "weak-ssh-key", 'SshKey "weak-ssh-key" publicKey is an RSA 2048-bit key'],
    ["pem-file-protection", PLUGIN_TYPES.PemFile, "leaky-pem", 'PemFile "keys/leaky.pem" has filePermission 0644'],
    ["org-visibility", PLUGIN_TYPES.BearerToken, "org-wide-token", 'BearerToken "shared-team-token" is ORG-visible'],
  ])("%s names %s %s", (policy, type, resource, message) => {
    expect(res.violations).toContainEqual(expect.objectContaining({ level: "mandatory", policy, type, resource, message: expect.stringContaining(message) }));
  });
});

describe("the pack laid out as an installed package (npm pack, npm install in a fresh project)", () => {
  let project: TestProject;
  beforeAll(async () => {
    // --ignore-scripts: dist/ is built (pretest); a prepack rebuild would rewrite it under the other tests.
    const { stdout } = await run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", scratch], { cwd: repoRoot });
    const tarball = join(scratch, stdout.trim().split("\n").pop()!);
    // With packageDir set, createTestProject links nothing into node_modules: npm fills it from the tarball.
    project = await fixtureProject("policy-unhealthy", { packageDir: tarball });
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", `@pulumi/pulumi@${PULUMI_SDK_VERSION}`, tarball], {
      cwd: project.dir,
      maxBuffer: 16 * 1024 * 1024,
    });
  });
  afterAll(async () => project?.cleanup());

  test("the package brings the pack and its runtime, not links into this repository", () => {
    const installed = join(project.dir, "node_modules", "pulumi-ccluster");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, "policy", "PulumiPolicy.yaml"))).toBe(true);
    expect(JSON.parse(readFileSync(join(installed, "policy", "package.json"), "utf8")).main).toBe("../dist/policy/index.js");
    expect(statSync(join(project.dir, "node_modules", "@pulumi", "policy")).isDirectory()).toBe(true); // a dependency of pulumi-ccluster
  });

  test("`pulumi preview --policy-pack node_modules/pulumi-ccluster/policy` reports what the in-repo pack reports", async () => {
    const res = await preview(project, { pack: "node_modules/pulumi-ccluster/policy" });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain(`❌ ${PACK} (local: node_modules/pulumi-ccluster/policy)`);
    expect(pairs(res.violations, "mandatory")).toEqual(UNHEALTHY_MANDATORY);
    expect(pairs(res.violations, "advisory")).toEqual(UNHEALTHY_ADVISORY);
  });
});

describe("the state checks (certificate-renewal-due, credential-age) on stored state: `pulumi policy analyze` on a stack that was `up`-ed 65 days ago", () => {
  let project: TestProject;
  /** Rotation (30 days) and renewal (a 90-day certificate renewing 30 days early) are due; the 90-day HF token is not. */
  const DUE = ["certificate-renewal-due edge-endpoint", "credential-age batch-key", "credential-age inference-token", "credential-age team-a"];
  beforeAll(async () => {
    project = await fixtureProject("policy-healthy");
  });
  afterAll(async () => {
    await project?.cleanup();
  });

  test("`pulumi up --policy-pack` under the moved clock succeeds: the state checks are advisory and do not block it", async () => {
    const past = new Date(Date.now() - 65 * 86_400_000).toISOString();
    const res = await pulumi(project, ["up", "--yes", "--policy-pack", packInRepo], { CCLUSTER_NOW: past });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\+ 11 created/);
  });

  test("analyze reports the certificate inside its renewal window and the tokens past their rotation, as advisory", async () => {
    const res = await pulumi(project, ["policy", "analyze", "--policy-pack", packInRepo]);
    expect(res.code).toBe(0);
    expect(pairs(res.violations, "advisory")).toEqual(DUE);
    expect(pairs(res.violations, "mandatory")).toEqual([]);
    expect(res.violations.find((v) => v.resource === "edge-endpoint")?.message).toMatch(/^Certificate "edge-endpoint" expires at \S+, in \d+ days, inside its 30-day renewal window\.$/);
    expect(res.violations.find((v) => v.resource === "inference-token")?.message).toMatch(/^BearerToken "inference-token" was due for rotation at \S+\.$/);
  });

  test("a scheduled job can make them mandatory in its policy config, and then analyze fails", async () => {
    const config = policyConfig("state-mandatory", { "certificate-renewal-due": "mandatory", "credential-age": "mandatory" });
    const res = await pulumi(project, ["policy", "analyze", "--policy-pack", packInRepo, "--policy-pack-config", config]);
    expect(res.code).not.toBe(0);
    expect(pairs(res.violations, "mandatory")).toEqual(DUE);
  });

  test("a plain `pulumi up` rotates and renews, after which analyze is clean", async () => {
    const up = await pulumi(project, ["up", "--yes", "--policy-pack", packInRepo]);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/\+-4 replaced/);
    const res = await pulumi(project, ["policy", "analyze", "--policy-pack", packInRepo]);
    expect(res.code).toBe(0);
    expect(res.violations).toEqual([]);
    expect(res.stdout).toContain(`✅ ${PACK}`);
  });
});

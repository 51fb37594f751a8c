/**
 * Smoke test of the real Pulumi engine on this machine: the CLI v3.246.0 built by
 * scripts/install-pulumi.sh with our own Node.js language host, driving a tiny TypeScript
 * program with one dynamic resource. The steps run in order and share one stack.
 *
 * It also shows the recipe for e2e tests: Automation API `LocalWorkspace` over a project
 * directory, a local file backend given as PULUMI_BACKEND_URL, and the harness' CLI runner.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import {
  createTempBackend,
  ensurePulumiEngine,
  pulumiCommand,
  PulumiEngine,
  runPulumi,
  TempBackend,
} from "../harness/engine";
import { Steps } from "../support/steps";

const repoRoot = path.resolve(__dirname, "..", "..");
const secretToken = "smoke-secret-7f3a9c1e5b";
const thingType = "pulumi-nodejs:dynamic/smoke:Thing";

/** The program: one dynamic resource whose provider stores its `value` input in a file. */
const programSource = `
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

// Runs in the dynamic-provider process; serialised into the state, so it stays small.
const fileStore: pulumi.dynamic.ResourceProvider = {
  async create(inputs: any) {
    const id = "thing-" + Math.random().toString(36).slice(2, 10);
    // The token's length (never the token) proves the provider received the decrypted secret.
    fs.writeFileSync(path.join(inputs.storeDir, id + ".json"),
      JSON.stringify({ value: inputs.value, tokenLength: inputs.token.length }));
    return { id, outs: inputs };
  },
  async read(id: string, props: any) {
    const stored = JSON.parse(fs.readFileSync(path.join(props.storeDir, id + ".json"), "utf8"));
    return { id, props: { ...props, value: stored.value } };
  },
  async diff(_id: string, olds: any, news: any) {
    return { changes: olds.value !== news.value, replaces: olds.storeDir !== news.storeDir ? ["storeDir"] : [] };
  },
  async update(id: string, olds: any, news: any) {
    fs.writeFileSync(path.join(news.storeDir, id + ".json"),
      JSON.stringify({ value: news.value, tokenLength: news.token.length }));
    return { outs: news };
  },
  async delete(id: string, props: any) {
    fs.rmSync(path.join(props.storeDir, id + ".json"), { force: true });
  },
};

class Thing extends pulumi.dynamic.Resource {
  public readonly value!: pulumi.Output<string>;
  constructor(name: string, args: { storeDir: string; value: string; token: pulumi.Input<string> }) {
    super(fileStore, name, { ...args, value: args.value }, {}, "smoke", "Thing");
  }
}

const config = new pulumi.Config();
const thing = new Thing("thing", {
  storeDir: config.require("storeDir"),
  value: config.get("value") ?? "hello",
  token: config.requireSecret("apiToken"),
});
export const thingId = thing.id;
export const thingValue = thing.value;
`;

/** A policy pack with one mandatory policy that flags Things whose value is `forbiddenValue`. */
function writePolicyPack(dir: string, forbiddenValue: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: smoke policies\n");
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "smoke-policy", version: "0.0.1", main: "index.js" }),
  );
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("smoke-policy", {
  policies: [{
    name: "no-forbidden-things",
    description: "A smoke Thing must not hold the forbidden value.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (args.type === ${JSON.stringify(thingType)} && args.props.value === ${JSON.stringify(forbiddenValue)}) {
        reportViolation("Thing '" + args.name + "' holds the forbidden value.");
      }
    },
  }],
});
`,
  );
}

/** The Thing's state as `pulumi stack export` shows it. */
function thingInExport(exported: string): { id: string; outputs: Record<string, unknown> } | undefined {
  const deployment = JSON.parse(exported).deployment;
  return (deployment.resources ?? []).find((r: { type: string }) => r.type === thingType);
}

describe("the real Pulumi engine (CLI v3.246.0 + our Node.js language host)", () => {
  let engine: PulumiEngine;
  let backend: TempBackend;
  let workDir: string;
  let projectDir: string;
  let storeDir: string;
  let env: Record<string, string>;
  let stack: Stack;

  // Each step after the first works on the resource the first one made.
  const steps = new Steps<{ created: true }>({ created: "creates the dynamic resource with `up`" });
  const storedThings = () => fs.readdirSync(storeDir);
  const exportStack = async () => {
    const run = await runPulumi(["stack", "export", "--stack", "dev", "--non-interactive"], { cwd: projectDir, env });
    expect(run).toMatchObject({ code: 0 });
    return run.stdout;
  };

  beforeAll(async () => {
    // Throws with the install script's message when the engine cannot be built.
    engine = ensurePulumiEngine();
    backend = await createTempBackend();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-smoke-"));
    projectDir = path.join(workDir, "project");
    storeDir = path.join(workDir, "store");
    fs.mkdirSync(projectDir);
    fs.mkdirSync(storeDir);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(projectDir, "node_modules"), "dir");
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: smoke\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(projectDir, "package.json"),
      JSON.stringify({ name: "smoke", version: "0.0.0", main: "index.ts" }),
    );
    fs.writeFileSync(
      path.join(projectDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, target: "ES2020", module: "commonjs", moduleResolution: "node", types: ["node"] },
      }),
    );
    fs.writeFileSync(path.join(projectDir, "index.ts"), programSource);

    // The local file backend reaches every CLI call through the workspace's env.
    env = { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl };
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "dev", workDir: projectDir },
      { pulumiCommand: await pulumiCommand(engine), envVars: env },
    );
    await stack.setConfig("storeDir", { value: storeDir });
    await stack.setConfig("apiToken", { value: secretToken, secret: true });
  }, 30 * 60 * 1000);

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    if (backend) await backend.cleanup();
  });

  it("creates the dynamic resource with `up`", async () => {
    const result = await stack.up();
    steps.finished("created", true);

    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toMatchObject({ create: 2 }); // the stack and the Thing
    expect(result.outputs.thingValue.value).toBe("hello");
    const files = storedThings();
    expect(files).toEqual([`${result.outputs.thingId.value}.json`]);
    expect(JSON.parse(fs.readFileSync(path.join(storeDir, files[0]), "utf8"))).toEqual({
      value: "hello",
      tokenLength: secretToken.length,
    });
    expect(result.stdout).not.toContain(secretToken);
  }, 180_000);

  it("reports no changes on a second `up`", async () => {
    steps.after("created");
    const result = await stack.up();

    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ same: 2 });
  }, 180_000);

  it("fails `preview --policy-pack` on a mandatory violation, naming the resource", async () => {
    steps.after("created");
    const policyDir = path.join(workDir, "policy-failing");
    writePolicyPack(policyDir, "hello");

    const run = await runPulumi(["preview", "--stack", "dev", "--non-interactive", "--policy-pack", policyDir], {
      cwd: projectDir,
      env,
    });

    const output = run.stdout + run.stderr;
    expect(run.code).not.toBe(0);
    expect(output).toContain("no-forbidden-things");
    expect(output).toContain("mandatory");
    expect(output).toContain("Thing 'thing' holds the forbidden value.");
    expect(output).toContain(`${thingType}: thing`);
  }, 180_000);

  it("passes `preview --policy-pack` when no policy is violated", async () => {
    steps.after("created");
    const policyDir = path.join(workDir, "policy-passing");
    writePolicyPack(policyDir, "something-else");

    const run = await runPulumi(["preview", "--stack", "dev", "--non-interactive", "--policy-pack", policyDir], {
      cwd: projectDir,
      env,
    });

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toContain("smoke-policy@v0.0.1"); // the pack did run
    expect(run.stdout).not.toContain("no-forbidden-things");
  }, 180_000);

  it("never shows the secret config value in `pulumi stack export`", async () => {
    steps.after("created");
    const exported = await exportStack();

    expect(exported).not.toContain(secretToken);
    // The token is in the state, encrypted: a secret envelope with a ciphertext.
    expect(thingInExport(exported)?.outputs.token).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      ciphertext: expect.any(String),
    });
    expect(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8")).not.toContain(secretToken);
  }, 60_000);

  it("picks up out-of-band changes with `refresh`", async () => {
    steps.after("created");
    const [file] = storedThings();
    const stored = JSON.parse(fs.readFileSync(path.join(storeDir, file), "utf8"));
    fs.writeFileSync(path.join(storeDir, file), JSON.stringify({ ...stored, value: "changed outside" }));

    const result = await stack.refresh();

    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(thingInExport(await exportStack())?.outputs.value).toBe("changed outside");
  }, 180_000);

  it("deletes the resource with `destroy`", async () => {
    steps.after("created");
    const result = await stack.destroy();

    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toMatchObject({ delete: 2 });
    expect(storedThings()).toEqual([]);
    expect(thingInExport(await exportStack())).toBeUndefined();
  }, 180_000);
});

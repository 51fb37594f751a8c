/**
 * The compiled pack loads and serves the way the engine runs it: `@pulumi/pulumi`'s
 * run-policy-pack started on the `policy/` folder (which finds `main` in policy/package.json),
 * then the engine's gRPC calls: GetAnalyzerInfo, Configure, Analyze. Twice: in this repository,
 * and laid out as the published package inside a user's project (its own node_modules).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzeRequest } from "./harness";
import { packRunner, PACK_VERSION, resource } from "./fixtures";

const root = path.join(__dirname, "../..");
const compiledPack = path.join(root, "dist/policy");
const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
// The gRPC stack @pulumi/pulumi's generated client is built on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [protoDir] })) as typeof grpcTypes;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof import("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [protoDir] })) as typeof import("google-protobuf/google/protobuf/empty_pb");

/** Sources newer than their compiled file: the test would run old code. */
function staleSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...staleSources(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const js = path.join(root, "dist", path.relative(root, p)).replace(/\.ts$/, ".js");
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(p).mtimeMs) out.push(path.relative(root, p));
    }
  }
  return out;
}

function requireFreshBuild(): void {
  if (!existsSync(path.join(compiledPack, "index.js"))) throw new Error(`${compiledPack}/index.js is missing: run \`npx tsc -p tsconfig.json\` (or \`npm run build\`) first`);
  // The pack also loads the provider's format readers (SSH wire format).
  const stale = ["policy", "provider"].flatMap((dir) => staleSources(path.join(root, dir)));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(", ")}: run \`npx tsc -p tsconfig.json\` first`);
}

/**
 * The published package's files (package.json "files": the compiled sdk, provider, emulator and
 * policy, policy/PulumiPolicy.yaml, policy/package.json) under a user project's node_modules,
 * whose @pulumi packages are links to this repository's. Returns the pack directory and a clean-up.
 */
function installedLayout(): { policyDir: string; cleanup(): void } {
  const project = mkdtempSync(path.join(tmpdir(), "ccluster-user-project-"));
  const pkg = path.join(project, "node_modules", "pulumi-ccluster");
  const shipped = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { files: string[] }).files;
  for (const part of shipped.filter((f) => f.startsWith("dist/"))) cpSync(path.join(root, part), path.join(pkg, part), { recursive: true });
  mkdirSync(path.join(pkg, "policy"), { recursive: true });
  for (const f of ["PulumiPolicy.yaml", "package.json"]) cpSync(path.join(root, "policy", f), path.join(pkg, "policy", f));
  symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(project, "node_modules", "@pulumi"), "dir");
  return { policyDir: path.join(pkg, "policy"), cleanup: () => rmSync(project, { recursive: true, force: true }) };
}

function unary<Req, Res>(fn: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Starts the pack as the nodejs language host does: run-policy-pack <engine address> <pack directory>. */
async function serve(policyDir: string): Promise<{ child: ChildProcess; port: number }> {
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [policyDir] });
  const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", policyDir], { cwd: policyDir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const first = out.split("\n")[0].trim();
      if (out.includes("\n") && /^\d+$/.test(first)) resolve(Number(first));
    });
    child.on("exit", (code) => reject(new Error(`the policy pack exited (code ${code}) before serving:\n${stderr}${out}`)));
  });
  return { child, port };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill();
  await exited;
}

describe.each([
  ["in this repository", () => ({ policyDir: path.join(root, "policy"), cleanup: () => undefined })],
  ["installed in a user's project", installedLayout],
])("the compiled pack served by run-policy-pack, %s", (_where, layout) => {
  let child: ChildProcess | undefined;
  let client: InstanceType<typeof AnalyzerClient> | undefined;
  let cleanup = () => {};

  beforeAll(async () => {
    requireFreshBuild();
    const l = layout();
    cleanup = l.cleanup;
    const served = await serve(l.policyDir);
    child = served.child;
    client = new AnalyzerClient(`127.0.0.1:${served.port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await stop(child);
    cleanup();
  });

  it("describes itself to the engine", async () => {
    const c = client!;
    const info = await unary<InstanceType<typeof Empty>, analyzerpb.AnalyzerInfo>(c.getAnalyzerInfo.bind(c), new Empty());
    expect(info.getName()).toBe("ccluster-token-hygiene");
    expect(info.getVersion()).toBe(PACK_VERSION);
    expect(info.getSupportsconfig()).toBe(true);
    expect(info.getPoliciesList().map((p) => p.getName())).toEqual(packRunner().policyNames);
    const rotation = info.getPoliciesList().find((p) => p.getName() === "credential-rotation");
    expect(rotation?.getEnforcementlevel()).toBe(analyzerpb.EnforcementLevel.MANDATORY);
    expect(rotation?.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({ maxRotationDays: { type: "integer", default: 90 } });
  });

  it("takes the engine's configuration and reports violations over gRPC", async () => {
    const c = client!;
    const runner = packRunner({ "credential-rotation": { maxRotationDays: 30 } });
    await unary(c.configure.bind(c), runner.configureRequest());
    const token = (rotationDays: number) => analyzeRequest(resource("BearerToken", { key: "ci-token", rotationDays }));
    const bad = await unary<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(c.analyze.bind(c), token(45));
    expect(bad.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()])).toEqual([
      [
        "credential-rotation",
        analyzerpb.EnforcementLevel.MANDATORY,
        'Tokens, API keys, Hugging Face tokens and AI-gateway tokens must expire or rotate.\nBearerToken "ci-token" has rotationDays 45; the most allowed is 30.',
      ],
    ]);
    const good = await unary<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(c.analyze.bind(c), token(30));
    expect(good.getDiagnosticsList()).toEqual([]);
  });
});

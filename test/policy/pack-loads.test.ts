/**
 * The compiled pack loads and serves the way the engine runs it: `@pulumi/pulumi`'s
 * run-policy-pack started on the `policy/` folder (which finds `main` in policy/package.json),
 * then the engine's gRPC calls: GetAnalyzerInfo, Configure, Analyze.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzeRequest } from "./harness";
import { packRunner, PACK_VERSION, resource } from "./fixtures";

const root = path.join(__dirname, "../..");
const policyDir = path.join(root, "policy");
const compiledMain = path.join(root, "dist/policy/index.js");
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

function unary<Req, Res>(fn: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

let child: ChildProcess | undefined;
let client: InstanceType<typeof AnalyzerClient>;
let stderr = "";

beforeAll(async () => {
  if (!existsSync(compiledMain)) throw new Error(`${compiledMain} is missing: run \`npx tsc -p tsconfig.json\` (or \`npm run build\`) first`);
  const stale = staleSources(policyDir);
  if (stale.length > 0) throw new Error(`dist/policy is older than ${stale.join(", ")}: run \`npx tsc -p tsconfig.json\` first`);

  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  // As the nodejs language host starts a pack: run-policy-pack <engine address> <pack directory>.
  const proc = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", policyDir], { cwd: policyDir, stdio: ["ignore", "pipe", "pipe"] });
  child = proc;
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && /^\d+$/.test(line.trim())) resolve(Number(line.trim()));
    });
    proc.on("exit", (code) => reject(new Error(`the policy pack exited (code ${code}) before serving:\n${stderr}${out}`)));
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill();
    await exited;
  }
});

describe("the compiled pack served by run-policy-pack", () => {
  it("describes itself to the engine", async () => {
    const info = await unary<InstanceType<typeof Empty>, analyzerpb.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    expect(info.getName()).toBe("ccluster-token-hygiene");
    expect(info.getVersion()).toBe(PACK_VERSION);
    expect(info.getSupportsconfig()).toBe(true);
    expect(info.getPoliciesList().map((p) => p.getName())).toEqual(packRunner().policyNames);
    const rotation = info.getPoliciesList().find((p) => p.getName() === "credential-rotation");
    expect(rotation?.getEnforcementlevel()).toBe(analyzerpb.EnforcementLevel.MANDATORY);
    expect(rotation?.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({ maxRotationDays: { type: "integer", default: 90 } });
  });

  it("takes the engine's configuration and reports violations over gRPC", async () => {
    const runner = packRunner({ "credential-rotation": { maxRotationDays: 30 } });
    await unary(client.configure.bind(client), runner.configureRequest());
    const token = (rotationDays: number) => analyzeRequest(resource("BearerToken", { key: "ci-token", rotationDays }));
    const bad = await unary<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(client.analyze.bind(client), token(45));
    expect(bad.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()])).toEqual([
      [
        "credential-rotation",
        analyzerpb.EnforcementLevel.MANDATORY,
        'Tokens, API keys, Hugging Face tokens and AI-gateway tokens must expire or rotate.\nBearerToken "ci-token" has rotationDays 45; the most allowed is 30.',
      ],
    ]);
    const good = await unary<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(client.analyze.bind(client), token(30));
    expect(good.getDiagnosticsList()).toEqual([]);
  });
});

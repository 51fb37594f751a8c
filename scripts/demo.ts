/**
 * The main job: `npm run demo [-- --keep]`.
 *
 * From a fresh clone, with no account: builds (or reuses) the Pulumi engine, starts the emulator,
 * runs `pulumi up` of examples/quickstart with the policy pack, proves every credential where it
 * is used, shows what the policy pack says about examples/unhealthy, then destroys everything.
 * Exits non-zero and names the step when one fails. `--keep` leaves the stack and emulator up.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { request } from "undici";
import { startEmulator, type Emulator } from "../emulator";
import { ensurePulumiEngine } from "./engine";
import { createTestProject, emulatorStackConfig, repoRoot, type TestProject } from "./project";

const run = promisify(execFile);
const keep = process.argv.includes("--keep");
const policyPack = join(repoRoot, "policy");
const gateway = "demo-gateway";
const chat = { model: "demo-model", messages: [{ role: "user", content: "Say hello" }], max_tokens: 16 };

let stepNumber = 0;
async function step<T>(title: string, body: () => Promise<T>): Promise<T> {
  stepNumber++;
  console.log(`\n${stepNumber}. ${title}`);
  try {
    return await body();
  } catch (e) {
    console.log(`   ✗ step ${stepNumber} (${title}) failed: ${(e as Error).message}`);
    throw new DemoFailure(stepNumber, title);
  }
}
class DemoFailure extends Error {
  constructor(readonly stepNumber: number, readonly title: string) {
    super(`step ${stepNumber} (${title})`);
  }
}
const ok = (line: string) => console.log(`   ✓ ${line}`);
/** Shows a secret's kind prefix (`sk-`, `aig-`) and length, never its random part. */
const mask = (secret: string) => `${/^(sk-|aig-|hf_)/.exec(secret)?.[0] ?? ""}…(${secret.length} chars, secret)`;

/** POSTs a chat completion and returns the status and the first words of the answer. */
async function chatCompletion(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(chat) });
  const body = await res.body.text();
  let text = body.slice(0, 80);
  try {
    text = JSON.parse(body).choices?.[0]?.message?.content ?? text;
  } catch {
    // not JSON: show what came
  }
  return { status: res.statusCode, text };
}

function expectOk(what: string, r: { status: number; text: string }): void {
  if (r.status !== 200) throw new Error(`${what} answered ${r.status}: ${r.text}`);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "ccluster-demo-"));
  let emulator: Emulator | undefined;
  let project: TestProject | undefined;
  let failed: DemoFailure | undefined;
  let engineBinDir = "";
  try {
    await step("Install the Pulumi engine (built once per machine, then cached)", async () => {
      const engine = ensurePulumiEngine({ showProgress: true });
      engineBinDir = engine.binDir;
      const { stdout } = await run(join(engine.binDir, "pulumi"), ["version"], { env: engine.env });
      ok(`pulumi ${stdout.trim()} and its Node.js language host in ${engine.binDir}`);
    });

    emulator = await step("Start the platform emulator on a free loopback port", async () => {
      const emu = await startEmulator({ dataDir: join(scratch, "emulator-data") });
      ok(`platform API ${emu.info.apiUrl}, AI gateway ${emu.info.aigatewayUrl}, private endpoint ${emu.info.privateEndpointUrl}`);
      return emu;
    });
    const info = emulator.info;

    project = await step("pulumi up examples/quickstart, with the token-hygiene policy pack", async () => {
      const keyFile = join(scratch, "id_ed25519");
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "demo@laptop", "-f", keyFile]);
      const p = await createTestProject({
        source: join(repoRoot, "examples", "quickstart"),
        stackName: "demo",
        folderPrefix: "ccluster-demo-quickstart-",
        config: {
          ...emulatorStackConfig(info),
          "ccluster-quickstart:registryPassword": { value: "demo-registry-password", secret: true },
          "ccluster-quickstart:hfToken": { value: "hf_" + "D".repeat(34), secret: true },
          "ccluster-quickstart:sshPublicKey": { value: readFileSync(`${keyFile}.pub`, "utf8").trim() },
          "ccluster-quickstart:gateway": { value: gateway },
        },
      });
      const res = await p.stack.up({ policyPacks: [policyPack], onOutput: (s) => process.stdout.write(indent(s)) });
      ok(`created ${res.summary.resourceChanges?.create ?? 0} resources; the policy pack found nothing mandatory to refuse`);
      return p;
    });

    await step("Prove each credential works where it is used", async () => {
      const outs = Object.fromEntries(Object.entries(await project!.stack.outputs()).map(([k, v]) => [k, v.value]));
      const token = outs.endpointBearerToken as string;
      const apiKey = outs.serverlessApiKey as string;
      const gwToken = outs.gatewayAuthToken as string;

      const dedicated = await chatCompletion(`${info.dedicatedEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${token}` });
      expectOk("the dedicated endpoint", dedicated);
      ok(`dedicated endpoint  + BearerToken ${mask(token)}: 200 "${dedicated.text}"`);
      const refused = await chatCompletion(`${info.dedicatedEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${apiKey}` });
      if (refused.status === 200) throw new Error("the dedicated endpoint accepted a serverless API key");
      ok(`dedicated endpoint  + serverless API key: ${refused.status} (refused, as on the platform)`);

      const serverless = await chatCompletion(`${info.serverlessEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${apiKey}` });
      expectOk("the serverless endpoint", serverless);
      ok(`serverless endpoint + ServerlessApiKey ${mask(apiKey)}: 200 "${serverless.text}"`);

      const serverCa = join(scratch, "server-ca.pem");
      writeFileSync(serverCa, info.privateEndpointCaPem);
      const url = `${info.privateEndpointUrl}/${outs.certificateName}/openai/v1/chat/completions`;
      const curl = await run("curl", ["-sS", "-w", "\n%{http_code}", "--cert", outs.pemPath, "--cacert", serverCa, "-H", "content-type: application/json", "-d", JSON.stringify(chat), url]).catch(
        (e: { code?: unknown; stderr?: string }) => {
          throw new Error(`curl --cert ${outs.pemPath} exited with ${e.code}: ${(e.stderr ?? "").trim()}`);
        },
      );
      const status = Number(curl.stdout.trim().split("\n").pop());
      if (status !== 200) throw new Error(`curl --cert ${outs.pemPath} answered ${status}`);
      ok(`private endpoint (mTLS): real \`curl --cert ${outs.pemPath}\` → 200 (client certificate issued by the CA in the vault)`);

      for (const header of ["authorization", "cf-aig-authorization"]) {
        const gw = await chatCompletion(`${info.gatewayChatUrl}/${gateway}/openai/v1/chat/completions`, { [header]: `Bearer ${gwToken}` });
        expectOk(`the AI gateway (${header})`, gw);
        ok(`AI gateway ${gateway} + AuthToken ${mask(gwToken)} in \`${header}\`: 200 "${gw.text}"`);
      }
    });

    await step("What the policy pack says about a deliberately unhealthy variant (examples/unhealthy)", async () => {
      const bad = await createTestProject({
        source: join(repoRoot, "examples", "unhealthy"),
        stackName: "unhealthy",
        folderPrefix: "ccluster-demo-unhealthy-",
        config: { "ccluster:apiUrl": { value: info.apiUrl }, "ccluster:token": { value: info.token, secret: true } },
      });
      let output = "";
      try {
        await bad.stack.preview({ policyPacks: [policyPack], onOutput: (s) => (output += s) });
        throw new Error("the policy pack let the unhealthy stack through");
      } catch (e) {
        if ((e as Error).message.includes("let the unhealthy stack through")) throw e;
      } finally {
        await bad.cleanup();
      }
      const violations = policyLines(output);
      const count = (level: string) => violations.filter((l) => l.includes(`[${level}]`)).length;
      // The preview must have failed because of the pack, not for some other reason.
      if (count("mandatory") === 0) throw new Error(`the preview failed without a mandatory policy violation:\n${output.slice(-2000)}`);
      for (const line of violations) console.log(`     ${line}`);
      ok(`preview refused: ${count("mandatory")} mandatory violations, ${count("advisory")} advisory`);
    });

    if (keep) {
      const env = project.env;
      console.log(`\n--keep: the stack and the emulator stay up. In another shell:`);
      console.log(`   export PATH=${engineBinDir}:$PATH PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL} PULUMI_CONFIG_PASSPHRASE=${env.PULUMI_CONFIG_PASSPHRASE}`);
      console.log(`   cd ${project.dir}`);
      console.log(`   pulumi stack output --show-secrets     # the credentials (plaintext: your terminal only)`);
      console.log(`   export CCLUSTER_TOKEN=$(pulumi config get ccluster:token)`);
      console.log(`   curl -s -H "Authorization: Bearer $CCLUSTER_TOKEN" ${info.apiUrl}/user_vault   # what the vault holds`);
      console.log(`   pulumi destroy --yes                    # optional: Ctrl-C here throws the whole sandbox away`);
      console.log(`Press Ctrl-C to stop the emulator and remove the temporary folders.`);
      const kept = project;
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
      await kept.cleanup();
      await emulator.stop();
      rmSync(scratch, { recursive: true, force: true });
      console.log("\nStopped the emulator and removed the temporary folders.");
      return;
    }

    await step("Destroy the stack and stop the emulator", async () => {
      const pemPath = (await project!.stack.outputs()).pemPath.value as string;
      await project!.stack.destroy({ onOutput: (s) => process.stdout.write(indent(s)) });
      const left = await request(`${info.apiUrl}/user_vault`, { headers: { authorization: `Bearer ${info.token}` } });
      const items = (await left.body.json()) as { results: unknown[] };
      if (items.results.length !== 0) throw new Error(`${items.results.length} vault items are left behind`);
      if (existsSync(pemPath)) throw new Error(`${pemPath} is still there`);
      ok("the vault is empty again and the .pem file is gone; the temporary backend goes with the folders (no `pulumi stack rm` needed)");
    });
  } catch (e) {
    if (!(e instanceof DemoFailure)) throw e;
    failed = e;
  } finally {
    if (!keep || failed) {
      await project?.cleanup();
      await emulator?.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (failed) {
    console.log(`\n✗ The demo failed at ${failed.message}.`);
    process.exitCode = 1;
  } else {
    console.log("\n✓ Demo complete: declared, applied, checked by policy, proven to work, and cleaned up.");
  }
}

/** The policy lines of a preview's output: rule names with their level, and the messages under them. */
function policyLines(output: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith("Policies:"));
  if (start < 0) return [];
  return lines
    .slice(start + 1)
    .map((l) => l.trimEnd())
    .filter((l) => /\[(mandatory|advisory)\]|^\s{4,}\S/.test(l) && !/^\s*(Resources|Duration|\+|~|-)\b/.test(l.trim()))
    .slice(0, 40)
    .map((l) => l.trim());
}

function indent(s: string): string {
  return s.replace(/^(?=.)/gm, "     ");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

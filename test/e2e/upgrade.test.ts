/**
 * Upgrades against recorded state: a stack that a released build made (every kind, recorded by
 * scripts/record-stack.ts with the platform's data beside it) must preview with no changes under
 * this build, refresh with no changes, and destroy cleanly. This is what users meet when they
 * update the package under an existing stack.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startEmulator } from "../../emulator";
import { recordedProjectDir } from "../../scripts/record-stack";
import { createTempBackend, ensurePulumiEngine, runPulumi, type PulumiRun } from "../harness/engine";
import { clientsFor } from "../support/emulator";
import { linkDependencies, repoRoot } from "../support/pulumi-project";

jest.setTimeout(600_000);
const recordedRoot = join(repoRoot, "test", "e2e", "fixtures", "recorded");
const versions = existsSync(recordedRoot) ? readdirSync(recordedRoot).filter((v) => statSync(join(recordedRoot, v)).isDirectory()) : [];

test("at least the current release's state is recorded", () => {
  expect(versions).toContain(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
});

function expectSuccess(step: string, r: PulumiRun): void {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout.slice(-5000)}\n${r.stderr.slice(-2000)}`);
}

describe.each(versions)("a stack recorded with %s", (version) => {
  const recorded = join(recordedRoot, version);
  const dir = recordedProjectDir(version);
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  let backend: Awaited<ReturnType<typeof createTempBackend>>;
  let env: Record<string, string>;
  const pulumi = (...args: string[]) => runPulumi([...args, "--stack", "test", "--non-interactive"], { cwd: dir, env });

  beforeAll(async () => {
    // The platform as it was when the stack was recorded.
    const dataDir = mkdtempSync(join(tmpdir(), "recorded-emulator-"));
    cpSync(join(recorded, "emulator-data"), dataDir, { recursive: true });
    // Where it was, too: refresh and destroy run with the provider config the state recorded.
    const recordedUrl = /ccluster:apiUrl: (\S+)/.exec(readFileSync(join(recorded, "Pulumi.test.yaml"), "utf8"))?.[1];
    if (!recordedUrl) throw new Error(`no ccluster:apiUrl in ${join(recorded, "Pulumi.test.yaml")}`);
    emu = await startEmulator({ dataDir, port: Number(new URL(recordedUrl).port) });
    // The project where it was (a PemFile's state holds its absolute path), running this build.
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(repoRoot, "test", "e2e", "fixtures", "declared"), dir, { recursive: true });
    cpSync(join(recorded, "Pulumi.test.yaml"), join(dir, "Pulumi.test.yaml"));
    linkDependencies(dir);
    backend = await createTempBackend();
    env = { ...ensurePulumiEngine().env, PULUMI_BACKEND_URL: backend.backendUrl, PWD: dir };
    // The recorded config file keeps its passphrase salt, so the recorded secrets decrypt.
    expectSuccess("stack init", await runPulumi(["stack", "init", "test", "--non-interactive"], { cwd: dir, env }));
    expectSuccess("stack import", await pulumi("stack", "import", "--file", join(recorded, "stack.json")));
    // The .pem file as the recorded build wrote it.
    const exported = JSON.parse((await pulumi("stack", "export", "--show-secrets")).stdout);
    const resources = exported.deployment.resources as { type: string; outputs: Record<string, any> }[];
    const cert = resources.find((r) => r.type.endsWith(":Certificate"))!.outputs;
    const pem = resources.find((r) => r.type.endsWith(":PemFile"))!.outputs;
    mkdirSync(dirname(pem.absolutePath), { recursive: true, mode: 0o700 });
    // --show-secrets gives a secret as {<sig>, plaintext: <its JSON>}.
    const combinedPem = typeof cert.combinedPem === "string" ? cert.combinedPem : JSON.parse(cert.combinedPem.plaintext);
    writeFileSync(pem.absolutePath, combinedPem, { mode: 0o600 });
  });

  afterAll(async () => {
    await emu?.stop();
    await backend?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("this build previews it with no changes", async () => {
    expectSuccess("preview --expect-no-changes", await pulumi("preview", "--expect-no-changes", "--diff"));
  });

  test("a refresh finds no changes", async () => {
    expectSuccess("refresh --expect-no-changes", await pulumi("refresh", "--yes", "--expect-no-changes", "--skip-preview", "--diff"));
  });

  test("destroy removes every object it recorded, and nothing else is left", async () => {
    const pemPath = join(dir, "certs", "cert.pem");
    expectSuccess("destroy", await pulumi("destroy", "--yes", "--skip-preview"));
    const clients = clientsFor(emu);
    expect(await clients.vault().list()).toEqual([]);
    expect(await clients.serverless().list()).toEqual([]);
    expect(await clients.aigateway().listTokens("recorded-gateway")).toEqual([]);
    expect(existsSync(pemPath)).toBe(false);
  });
});

/**
 * Python on the provider plugin: the generated SDK (sdk/python) installed with pip into a
 * virtualenv with the `pulumi` package from PyPI, and examples/python's program run as an
 * Automation API inline program (which needs no Python language host: none is served here)
 * against the emulator: up, a preview with no changes, refresh, destroy.
 */
import { execFile } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { createTempBackend, ensurePulumiEngine, PULUMI_SDK_VERSION, type TempBackend } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { changes, pluginConfigFor } from "../support/plugin-stack";
import { repoRoot } from "../support/pulumi-project";
import { backendPlaces, leaksIn } from "../support/secret-search";

jest.setTimeout(600_000);
const run = promisify(execFile);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "plugin-python-"));
const workDir = join(scratch, "project");
let backend: TempBackend;
let python: string;
let env: Record<string, string>;

const registryPassword = "python-registry-password-0001";
const hfToken = "hf_" + "p".repeat(36);

/**
 * A virtualenv with `pulumi` from PyPI at the engine's version, kept per version in the engine's
 * cache folder (made once, in a minute), and the generated SDK installed afresh into it.
 */
async function pythonWithSdk(): Promise<string> {
  const python3 = await run("python3", ["--version"]).catch(() => undefined);
  if (!python3) throw new Error("python3 is missing: the Python e2e test needs Python 3.9 or later with the venv module");
  const venv = join(process.env.PULUMI_CCLUSTER_CACHE ?? join(homedir(), ".cache", "pulumi-ccluster"), `python-pulumi-${PULUMI_SDK_VERSION}`);
  const ready = join(venv, ".complete"); // written last: a venv without it was interrupted
  if (!existsSync(ready)) {
    rmSync(venv, { recursive: true, force: true });
    await run("python3", ["-m", "venv", venv]);
    await run(join(venv, "bin", "pip"), ["install", "--quiet", `pulumi==${PULUMI_SDK_VERSION}`], { maxBuffer: 16 * 1024 * 1024 }).catch((e: { stderr: string }) => {
      throw new Error(`pip install pulumi==${PULUMI_SDK_VERSION} (from PyPI) failed:\n${e.stderr}`);
    });
    writeFileSync(ready, "");
  }
  // Always this checkout's SDK, from a copy (pip builds in the folder it installs from); its other
  // requirements (parver, semver) come from PyPI the first time.
  const sdk = join(scratch, "sdk-python");
  cpSync(join(repoRoot, "sdk", "python"), sdk, { recursive: true });
  await run(join(venv, "bin", "pip"), ["install", "--quiet", "--force-reinstall", "--no-deps", sdk]);
  await run(join(venv, "bin", "pip"), ["install", "--quiet", sdk]);
  return join(venv, "bin", "python");
}

/** Runs one step of the inline program (test/e2e/fixtures/python-inline/inline.py) and returns its result. */
async function step(name: "up" | "preview" | "refresh" | "destroy", config?: Record<string, { value: string; secret?: boolean }>): Promise<any> {
  const driver = join(__dirname, "fixtures", "python-inline", "inline.py");
  const res = await run(python, [driver, join(repoRoot, "examples", "python", "__main__.py"), workDir, name], {
    // The program's folder, as `pulumi up` would run in: PemFile's relative path is relative to it.
    cwd: workDir,
    env: { ...env, CCLUSTER_TEST_CONFIG: JSON.stringify(config ?? {}) },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout: string; stderr: string }) => {
    throw new Error(`the inline program's ${name} failed:\n${e.stderr.split("\n").slice(-40).join("\n")}`);
  });
  return JSON.parse(res.stdout.trim().split("\n").pop()!);
}

beforeAll(async () => {
  const engine = ensurePulumiEngine();
  python = await pythonWithSdk();
  backend = await createTempBackend();
  mkdirSync(workDir);
  // The plugin as `npm install -g pulumi-ccluster` puts it on PATH.
  const pluginBin = join(scratch, "bin");
  mkdirSync(pluginBin);
  writeFileSync(join(pluginBin, "pulumi-resource-ccluster"), `#!/bin/sh\nexec node "${join(repoRoot, "dist", "provider", "plugin", "main.js")}" "$@"\n`);
  chmodSync(join(pluginBin, "pulumi-resource-ccluster"), 0o755);
  env = { ...engine.env, PATH: `${pluginBin}${delimiter}${engine.env.PATH}`, PULUMI_BACKEND_URL: backend.backendUrl };
});
afterAll(async () => {
  await backend?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test("up makes every kind from Python, a preview has no changes, refresh finds them as they are, destroy removes them", async () => {
  const i = emu().info;
  const sshKey = join(scratch, "deploy");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", sshKey]);
  const up = await step("up", {
    ...pluginConfigFor(emu()),
    "ccluster-python:registryPassword": { value: registryPassword, secret: true },
    "ccluster-python:hfToken": { value: hfToken, secret: true },
    "ccluster-python:sshPublicKey": { value: readFileSync(`${sshKey}.pub`, "utf8").trim() },
  });
  expect(up.changes).toEqual({ create: 10 }); // nine credentials and the stack
  expect(up.outputs.deployment.value).toMatchObject({ hf_token: hfToken, env_vars: { LOG_LEVEL: "info" }, image_pull_secret_credentials: { username: "AWS", password: registryPassword } });
  expect(up.outputs.serverlessApiKey.secret).toBe(true);
  expect(up.outputs.gatewayToken.secret).toBe(true);

  const clients = clientsFor(emu());
  expect((await clients.vault().list()).map((item) => item.type).sort()).toEqual(["access_tokens", "bearer_tokens", "certificates", "env_vars", "registry_credentials", "ssh_keys"]);
  expect(await clients.serverless().list()).toHaveLength(1);
  expect((await clients.aigateway().listTokens("python-gateway")).map((t) => t.status)).toEqual(["ACTIVE"]);
  expect(up.outputs.pemPath.value).toBe(join(workDir, "certs", "endpoint.pem"));
  expect(statSync(up.outputs.pemPath.value).mode & 0o777).toBe(0o600);

  // The state holds the secrets only encrypted.
  const secrets = [
    { what: "the registry password", value: registryPassword },
    { what: "the Hugging Face token", value: hfToken },
    { what: "the emulator token", value: i.token },
    { what: "the gateway client secret", value: i.aigatewayServiceAccount.clientSecret },
    { what: "output deployment.endpoint_bearer_token", value: up.outputs.deployment.value.endpoint_bearer_token },
    { what: "output serverlessApiKey", value: up.outputs.serverlessApiKey.value },
    { what: "output gatewayToken", value: up.outputs.gatewayToken.value },
  ];
  expect(leaksIn(secrets, backendPlaces(backend.dir))).toEqual([]);

  expect(changes((await step("preview")).changes)).toEqual({});
  expect(changes((await step("refresh")).changes)).toEqual({});
  expect((await step("destroy")).changes).toEqual({ delete: 10 });
  expect(await clients.vault().list()).toEqual([]);
  expect(await clients.serverless().list()).toEqual([]);
  expect(existsSync(join(workDir, "certs", "endpoint.pem"))).toBe(false);
});

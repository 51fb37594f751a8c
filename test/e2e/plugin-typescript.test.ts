/**
 * TypeScript on the provider plugin: examples/typescript-plugin, a program on the Node.js SDK that
 * Pulumi's code generator made of schema.json (sdk/nodejs), built as the README says (tsc with the
 * SDK's own tsconfig, package.json copied into bin/) and run by the real engine against the
 * emulator: up, a preview with no changes, destroy. One of its resources names an explicit
 * `ccluster.Provider` whose credential is a secret input. No secret may reach the exported state
 * or the backend's files, neither the credentials' values nor the providers' settings. An explicit
 * provider's settings are its own: one it leaves out comes from the environment, not from the
 * stack's `ccluster:*` config.
 *
 * The plugin is loaded as the example says: `plugins.providers[].path` naming the package's
 * `plugin/` folder, which the engine starts through this project's Node.js language host.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePulumiEngine, runPulumi } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { buildNodeSdk, linkNodeSdk, nodeSdkPackage } from "../support/node-sdk";
import { changes, pluginConfigFor } from "../support/plugin-stack";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";
import { leaksIn, outputOf, statePlaces, type Place, type SecretValue } from "../support/secret-search";

jest.setTimeout(300_000);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "plugin-ts-"));
let project: TestProject;

const registryPassword = "ts-plugin-registry-password-0001";
/** Every secret the stack may hold, filled in as the tests learn them (outputs, emulator credentials). */
const secrets: SecretValue[] = [{ what: "the registry password", value: registryPassword }];

beforeAll(async () => {
  ensurePulumiEngine();
  const sdkBin = await buildNodeSdk(scratch);
  const i = emu().info;
  secrets.push({ what: "the emulator token", value: i.token }, { what: "the gateway client secret", value: i.aigatewayServiceAccount.clientSecret });
  project = await createTestProject({
    source: join(repoRoot, "examples", "typescript-plugin"),
    config: {
      ...pluginConfigFor(emu()),
      "ccluster-ts-plugin:registryPassword": { value: registryPassword, secret: true },
      "ccluster-ts-plugin:gateway": { value: "ts-gw" },
      // The explicit provider's settings, from the program's own config.
      "ccluster-ts-plugin:ciApiUrl": { value: i.apiUrl },
      "ccluster-ts-plugin:ciToken": { value: i.token, secret: true },
    },
  });
  linkNodeSdk(project.dir, sdkBin);
});
afterAll(async () => {
  await project?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** The secrets that appear in any form in any of the places, as "what in where". */
const leaked = (...places: Place[]) => leaksIn(secrets, places);
/** The export and the backend's files, without the history's record of the stack config (as this test has always searched them). */
const statePlacesNow = () => statePlaces(project, { historyConfig: "left out" });

test("up makes the credentials from TypeScript on the generated SDK, one through an explicit provider, and a preview finds nothing to do", async () => {
  const up = await project.stack.up();
  // What a user sees at the end of `pulumi up`.
  console.log(up.stdout.split("\n").filter((l) => /Resources:|created|Duration/.test(l)).join("\n"));
  expect(up.summary.result).toBe("succeeded");
  // The stack, the explicit provider and eight credentials (the engine does not count default providers).
  expect(up.summary.resourceChanges).toEqual({ create: 10 });
  const outs = await project.stack.outputs();
  for (const name of ["endpointBearerToken", "serverlessApiKey", "imagePullSecretCredentials", "ciBearerToken", "gatewayAuthToken"]) expect([name, outs[name].secret]).toEqual([name, true]);
  secrets.push(
    { what: "output endpointBearerToken", value: outs.endpointBearerToken.value },
    { what: "output serverlessApiKey", value: outs.serverlessApiKey.value },
    { what: "output ciBearerToken", value: outs.ciBearerToken.value },
    { what: "output gatewayAuthToken", value: outs.gatewayAuthToken.value },
  );
  expect(outs.imagePullSecretCredentials.value).toEqual({ username: "AWS", password: registryPassword });

  const clients = clientsFor(emu());
  expect((await clients.vault().list()).map((i) => i.type).sort()).toEqual(["bearer_tokens", "bearer_tokens", "certificates", "env_vars", "registry_credentials"]);
  expect((await clients.serverless().list()).length).toBe(1);
  expect((await clients.aigateway().listTokens("ts-gw")).map((t) => [t.status, t.rate_limit?.requests_per_minute])).toEqual([["ACTIVE", 600]]);
  const pem = outs.pemPath.value as string;
  expect(pem).toBe(join(project.dir, "certs", "endpoint.pem"));
  expect(statSync(pem).mode & 0o777).toBe(0o600);
  secrets.push({ what: "the PEM file's private key", value: readFileSync(pem, "utf8").split("-----END PRIVATE KEY-----")[0] });

  // The plugin's type tokens, and the explicit provider for the one resource that names it.
  const state = JSON.parse((await statePlacesNow())[0].text);
  const resources: { urn: string; type: string; provider?: string; inputs: Record<string, unknown> }[] = state.deployment.resources;
  const byName = (name: string) => resources.find((r) => r.urn.endsWith(`::${name}`))!;
  expect(byName("inference-token").type).toBe("ccluster:index:BearerToken");
  expect(byName("gateway-token").type).toBe("ccluster:aigateway:AuthToken");
  expect(byName("ci-token").provider).toMatch(/::pulumi:providers:ccluster::ci::/);
  expect(byName("inference-token").provider).toMatch(/::pulumi:providers:ccluster::default/);
  const explicit = byName("ci");
  expect(explicit.type).toBe("pulumi:providers:ccluster");
  expect(explicit.inputs.apiUrl).toBe(emu().info.apiUrl);
  expect(explicit.inputs.token).toMatchObject({ ciphertext: expect.any(String) });

  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
});

test("no secret is in the state or the backend: neither the credentials nor the providers' settings", async () => {
  expect(leaked(...(await statePlacesNow()))).toEqual([]);
});

test("destroy removes every credential and the .pem file", async () => {
  await project.stack.destroy();
  const clients = clientsFor(emu());
  expect(await clients.vault().list()).toEqual([]);
  expect(await clients.serverless().list()).toEqual([]);
  expect(await clients.aigateway().listTokens("ts-gw")).toEqual([]);
  expect(existsSync(join(project.dir, "certs", "endpoint.pem"))).toBe(false);
});

test("an explicit provider's settings are its own: one without apiUrl takes CCLUSTER_API_URL, not the stack's ccluster:apiUrl", async () => {
  writeFileSync(
    join(project.dir, "index.ts"),
    `import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "${nodeSdkPackage}";
const config = new pulumi.Config();
const noUrl = new ccluster.Provider("no-url", { token: config.requireSecret("ciToken") });
new ccluster.BearerToken("elsewhere", {}, { provider: noUrl });
`,
  );
  // Nothing listens on port 9; no retries, so the failure comes at once.
  const env = { ...project.env, CCLUSTER_API_URL: "http://127.0.0.1:9", CCLUSTER_RETRY_TIMEOUT_SECONDS: "0" };
  const up = await runPulumi(["up", "--yes", "--skip-preview", "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env });
  const output = up.stdout + up.stderr;
  expect(up.code).not.toBe(0);
  expect(output).toContain("[CCLUSTER_ERR_NETWORK]");
  expect(output).toContain("127.0.0.1:9");
  expect(await clientsFor(emu()).vault().list()).toEqual([]);
  expect(leaked(...outputOf("pulumi up", up))).toEqual([]);
});

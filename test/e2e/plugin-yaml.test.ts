/**
 * The provider plugin under the real engine, from a Pulumi YAML program (examples/yaml, every
 * kind) against the emulator, in order: up, a preview with no changes, `pulumi import --file` of
 * items made with the client (every vault kind) and the declarations that follow it (no changes),
 * an explicit `pulumi:providers:ccluster` resource with a resource on it, refresh, destroy. No secret may reach the generated code, the exported state or the backend's
 * files, not even a credential given as plain provider config that the schema marks secret.
 *
 * The plugin is loaded as examples/yaml says: `plugins.providers[].path` naming the package's
 * `plugin/` folder (PulumiPlugin.yaml, runtime nodejs), which the YAML language host starts
 * through this project's Node.js language host.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { generateCertificates } from "../../provider/certificates";
import { ensurePulumiEngine } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { changes, pluginConfigFor, pulumiOn } from "../support/plugin-stack";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";
import { leaksIn, listFiles, outputOf, statePlaces, type Place, type SecretValue } from "../support/secret-search";

jest.setTimeout(300_000);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "plugin-yaml-"));
let project: TestProject;

const registryPassword = "yaml-registry-password-0001";
const hfToken = "hf_" + "y".repeat(36);
/** Secret values of the items the test makes with the client and then imports. */
const imported = { env: "imported-env-secret-0002", bearer: "imported-bearer-secret-0003", hf: "hf_" + "i".repeat(36), registry: "imported-registry-secret-0004" };
/** Every secret the stack may hold, filled in as the tests learn them (outputs, emulator credentials). */
const secrets: SecretValue[] = [
  { what: "the registry password", value: registryPassword },
  { what: "the Hugging Face token", value: hfToken },
  ...Object.entries(imported).map(([k, value]) => ({ what: `the imported ${k} secret`, value })),
];

beforeAll(async () => {
  const engine = ensurePulumiEngine();
  const onPath = (engine.env.PATH ?? "").split(delimiter).some((d) => existsSync(join(d, "pulumi-language-yaml")));
  if (!onPath) throw new Error(`pulumi-language-yaml (Pulumi YAML's language host) is missing: scripts/install-pulumi.sh builds it into ${engine.binDir}`);
  const sshKey = join(scratch, "deploy");
  await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", sshKey]);
  const i = emu().info;
  secrets.push({ what: "the emulator token", value: i.token }, { what: "the gateway client secret", value: i.aigatewayServiceAccount.clientSecret });
  project = await createTestProject({
    source: join(repoRoot, "examples", "yaml"),
    config: {
      // The gateway's client secret plain on purpose: the schema marks it secret, so the state must still hold it encrypted.
      ...pluginConfigFor(emu(), { plainGatewaySecret: true }),
      "ccluster-yaml:registryPassword": { value: registryPassword, secret: true },
      "ccluster-yaml:hfToken": { value: hfToken, secret: true },
      "ccluster-yaml:sshPublicKey": { value: readFileSync(`${sshKey}.pub`, "utf8").trim() },
      "ccluster-yaml:gateway": { value: "yaml-gw" },
    },
  });
});
afterAll(async () => {
  await project?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const pulumi = (args: string[]) => pulumiOn(project, args);
/** The secrets that appear in any form in any of the places, as "what in where". */
const leaked = (...places: Place[]) => leaksIn(secrets, places);
/** The export and the backend's files, without the history's record of the stack config (looked at by itself). */
const statePlacesNow = () => statePlaces(project, { historyConfig: "left out" });

test("up makes every kind from YAML, and a preview finds nothing to do", async () => {
  const up = await project.stack.up();
  expect(up.summary.result).toBe("succeeded");
  const outs = await project.stack.outputs();
  for (const name of ["deployment", "serverlessApiKey", "gatewayToken"]) expect(outs[name].secret).toBe(true);
  const deployment = outs.deployment.value;
  secrets.push(
    { what: "output deployment.endpoint_bearer_token", value: deployment.endpoint_bearer_token },
    { what: "output serverlessApiKey", value: outs.serverlessApiKey.value },
    { what: "output gatewayToken", value: outs.gatewayToken.value },
  );
  expect(deployment).toMatchObject({ hf_token: hfToken, image_pull_secret_credentials: { username: "AWS", password: registryPassword } });

  const clients = clientsFor(emu());
  expect((await clients.vault().list()).map((i) => i.type).sort()).toEqual(["access_tokens", "bearer_tokens", "certificates", "env_vars", "registry_credentials", "ssh_keys"]);
  expect((await clients.serverless().list()).map((k) => k.name)).toEqual([expect.stringMatching(/^serverless-key-[0-9a-f]{8}$/)]);
  expect((await clients.aigateway().listTokens("yaml-gw")).map((t) => [t.status, t.rate_limit?.requests_per_minute])).toEqual([["ACTIVE", 600]]);
  const pem = outs.pemPath.value as string;
  expect(pem).toBe(join(project.dir, "certs", "endpoint.pem"));
  expect(statSync(pem).mode & 0o777).toBe(0o600);
  secrets.push({ what: "the PEM file's private key", value: readFileSync(pem, "utf8").split("-----END PRIVATE KEY-----")[0] });

  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
});

test("no secret is in the state or the backend, not even the credential given as plain provider config", async () => {
  const places = await statePlacesNow();
  expect(leaked(...places)).toEqual([]);
  // The plain credential is in the update history's record of the stack config, as the user set it, and only there.
  const history = listFiles(project.env.PULUMI_BACKEND_URL.replace("file://", "")).filter((f) => f.endsWith(".history.json"));
  expect(history.length).toBeGreaterThan(0);
  for (const f of history) expect(JSON.parse(readFileSync(f, "utf8")).config["ccluster:aigatewayClientSecret"]).toBe(emu().info.aigatewayServiceAccount.clientSecret);
  const state = JSON.parse(places[0].text);
  const provider = state.deployment.resources.find((r: { type: string }) => r.type === "pulumi:providers:ccluster");
  expect(provider.inputs.aigatewayClientId).toBe(emu().info.aigatewayServiceAccount.clientId);
  expect(provider.inputs.aigatewayClientSecret).toMatchObject({ ciphertext: expect.any(String) });
});

test("pulumi import --file of items made with the client: no secret in the generated code or the state; declared with secrets from config, a preview has no changes", async () => {
  const vault = clientsFor(emu()).vault();
  const ca = await generateCertificates({ name: "imported-ca" });
  const sshKey = join(scratch, "imported");
  await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", sshKey]);
  const items = {
    importedEnv: await vault.upsert({ type: "env_vars", key: "IMPORTED_ENV", value: imported.env, visibility: "ORG" }),
    importedBearer: await vault.upsert({ type: "bearer_tokens", key: "imported-bearer", value: imported.bearer }),
    importedHf: await vault.upsert({ type: "access_tokens", key: "imported-hf", value: imported.hf }),
    importedRegistry: await vault.upsert({ type: "registry_credentials", key: "imported-registry", value: JSON.stringify({ username: "bob", password: imported.registry, server: "ghcr.io" }) }),
    importedSsh: await vault.upsert({ type: "ssh_keys", key: "imported-ssh", value: readFileSync(`${sshKey}.pub`, "utf8").trim() }),
    importedCa: await vault.upsert({ type: "certificates", key: "imported-ca", value: ca.caCertificatePem }),
  };
  const types: Record<keyof typeof items, string> = {
    importedEnv: "EnvironmentVariable",
    importedBearer: "BearerToken",
    importedHf: "HuggingFaceToken",
    importedRegistry: "RegistryCredential",
    importedSsh: "SshKey",
    importedCa: "Certificate",
  };
  const importFile = join(scratch, "imports.json");
  writeFileSync(importFile, JSON.stringify({ resources: Object.entries(items).map(([name, item]) => ({ type: `ccluster:index:${types[name as keyof typeof items]}`, name, id: String(item.id) })) }));
  const generated = join(scratch, "generated.yaml");

  const res = await pulumi(["import", "--file", importFile, "--yes", "--protect=false", "--out", generated]);
  expect(res.output).toContain("6 imported");
  expect(res.code).toBe(0);
  const code = readFileSync(generated, "utf8");
  for (const name of Object.keys(items)) expect(code).toContain(`${name}:`);
  expect(code).toContain("key: IMPORTED_ENV");
  expect(leaked({ where: "the generated code", text: code }, ...outputOf("pulumi import", res), ...(await statePlacesNow()))).toEqual([]);

  // As the README shows: the generated code, with each secret read from secret config.
  const sshLine = readFileSync(`${sshKey}.pub`, "utf8").trim();
  declare(
    ["importedEnvValue", "importedBearerValue", "importedHfValue", "importedRegistryPassword", "importedCaPem"],
    [
      "  importedEnv: { type: ccluster:index:EnvironmentVariable, properties: { key: IMPORTED_ENV, visibility: ORG, value: '${importedEnvValue}' } }",
      "  importedBearer: { type: ccluster:index:BearerToken, properties: { key: imported-bearer, value: '${importedBearerValue}' } }",
      "  importedHf: { type: ccluster:index:HuggingFaceToken, properties: { key: imported-hf, value: '${importedHfValue}' } }",
      "  importedRegistry: { type: ccluster:index:RegistryCredential, properties: { key: imported-registry, username: bob, password: '${importedRegistryPassword}' } }",
      `  importedSsh: { type: ccluster:index:SshKey, properties: { key: imported-ssh, publicKey: '${sshLine}' } }`,
      "  importedCa: { type: ccluster:index:Certificate, properties: { key: imported-ca, caCertificatePem: '${importedCaPem}' } }",
    ],
  );
  await project.stack.setAllConfig({
    importedEnvValue: { value: imported.env, secret: true },
    importedBearerValue: { value: imported.bearer, secret: true },
    importedHfValue: { value: imported.hf, secret: true },
    importedRegistryPassword: { value: imported.registry, secret: true },
    importedCaPem: { value: ca.caCertificatePem },
  });
  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
});

test("a pulumi:providers:ccluster resource with settings of its own: its token encrypted in state, the resource that names it made with them", async () => {
  declare(
    ["ciApiUrl", "ciToken"],
    [
      "  ciProvider: { type: pulumi:providers:ccluster, properties: { apiUrl: '${ciApiUrl}', token: '${ciToken}' } }",
      "  ciEnv: { type: ccluster:index:EnvironmentVariable, properties: { key: CI_ONLY, value: ci }, options: { provider: '${ciProvider}' } }",
    ],
  );
  await project.stack.setAllConfig({ ciApiUrl: { value: emu().info.apiUrl }, ciToken: { value: emu().info.token, secret: true } });
  const up = await project.stack.up();
  expect(changes(up.summary.resourceChanges)).toEqual({ create: 2 });
  expect((await clientsFor(emu()).vault().list()).filter((i) => i.key === "CI_ONLY").length).toBe(1);
  const state = await statePlacesNow();
  const resources: { urn: string; type: string; provider?: string; inputs: Record<string, unknown> }[] = JSON.parse(state[0].text).deployment.resources;
  const provider = resources.find((r) => r.urn.endsWith("::ciProvider"))!;
  expect(provider.type).toBe("pulumi:providers:ccluster");
  expect(provider.inputs.token).toMatchObject({ ciphertext: expect.any(String) });
  expect(resources.find((r) => r.urn.endsWith("::ciEnv"))!.provider).toMatch(/::pulumi:providers:ccluster::ciProvider::/);
  expect(leaked(...state)).toEqual([]);
  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
});

test("a serverless API key cannot be imported: the message says why and what to do, and the state does not take it", async () => {
  const key = await clientsFor(emu()).serverless().create("made-elsewhere");
  const res = await pulumi(["import", "ccluster:index:ServerlessApiKey", "elsewhere", key.id, "--yes"]);
  expect(res.code).not.toBe(0);
  expect(res.output).toContain("ServerlessApiKey cannot be imported: its secret is shown only when the key is created");
  expect(res.output).toContain("Declare a new ServerlessApiKey instead");
  expect((await statePlacesNow())[0].text).not.toContain("ServerlessApiKey::elsewhere");
  await clientsFor(emu()).serverless().delete(key.id);
});

test("refresh finds every credential as it is, and the next preview still has nothing to do", async () => {
  const refresh = await project.stack.refresh();
  expect(changes(refresh.summary.resourceChanges)).toEqual({});
  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
});

test("destroy removes every credential, the imported ones too, and the .pem file", async () => {
  await project.stack.destroy();
  const clients = clientsFor(emu());
  expect(await clients.vault().list()).toEqual([]);
  expect(await clients.serverless().list()).toEqual([]);
  expect(await clients.aigateway().listTokens("yaml-gw")).toEqual([]);
  expect(existsSync(join(project.dir, "certs", "endpoint.pem"))).toBe(false);
});

/** Adds string config entries and resources to the project's Pulumi.yaml, in their sections. */
function declare(configKeys: string[], resources: string[]): void {
  const file = join(project.dir, "Pulumi.yaml");
  const text = readFileSync(file, "utf8");
  const config = configKeys.map((k) => `  ${k}:\n    type: string\n`).join("");
  writeFileSync(file, text.replace("\nresources:\n", `\n${config}resources:\n`).replace("\noutputs:\n", `\n${resources.join("\n")}\noutputs:\n`));
}

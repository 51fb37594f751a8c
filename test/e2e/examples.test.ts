/**
 * Every example in examples/ runs with the real engine against the emulator, so none goes
 * stale: up, check what it made and that the credentials work where they are used, destroy.
 * (examples/quickstart with the policy pack, and examples/unhealthy, run in `npm run demo`,
 * which test/e2e/demo.test.ts runs from start to finish.)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { request } from "undici";
import { clientsFor, useEmulator } from "../support/emulator";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";

jest.setTimeout(300_000);
const emu = useEmulator();
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "examples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const example = (name: string) => join(repoRoot, "examples", name);
function platformConfig() {
  const i = emu().info;
  return { "ccluster:apiUrl": { value: i.apiUrl }, "ccluster:token": { value: i.token, secret: true } };
}
function gatewayConfig() {
  const i = emu().info;
  return {
    "aigateway:apiUrl": { value: i.aigatewayUrl },
    "aigateway:clientId": { value: i.aigatewayServiceAccount.clientId },
    "aigateway:clientSecret": { value: i.aigatewayServiceAccount.clientSecret, secret: true },
  };
}
async function outputsOf(p: TestProject): Promise<Record<string, any>> {
  return Object.fromEntries(Object.entries(await p.stack.outputs()).map(([k, v]) => [k, v.value]));
}
async function chatStatus(url: string, headers: Record<string, string>): Promise<number> {
  const res = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) });
  await res.body.text();
  return res.statusCode;
}
/** Only "same" in a preview's change summary: the stack is settled. */
function settled(summary: Record<string, number | undefined>): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(summary).filter(([op, n]) => op !== "same" && n));
}

/** Runs one example: up, a preview that must find nothing to do, the checks, destroy; cleans up even when a check fails. */
async function withExample(p: TestProject, check: (outs: Record<string, any>) => Promise<void>): Promise<void> {
  try {
    await p.stack.up();
    expect(settled((await p.stack.preview()).changeSummary)).toEqual({});
    await check(await outputsOf(p));
    await p.stack.destroy();
  } finally {
    await p.cleanup();
  }
}

test("quickstart: one of each kind, and the bearer token works on the dedicated endpoint", async () => {
  const key = join(scratch, "qs");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const p = await createTestProject({
    source: example("quickstart"),
    config: {
      ...platformConfig(),
      ...gatewayConfig(),
      "ccluster-quickstart:registryPassword": { value: "pw", secret: true },
      "ccluster-quickstart:hfToken": { value: "hf_" + "q".repeat(34), secret: true },
      "ccluster-quickstart:sshPublicKey": { value: readFileSync(`${key}.pub`, "utf8").trim() },
      "ccluster-quickstart:gateway": { value: "quickstart-gw" },
    },
  });
  await withExample(p, async (outs) => {
    expect((await clientsFor(emu()).vault().list()).map((i) => i.type).sort()).toEqual(
      ["access_tokens", "bearer_tokens", "certificates", "env_vars", "registry_credentials", "ssh_keys"],
    );
    expect(outs.registryKind).toBe("ecr");
    expect(await chatStatus(`${emu().info.dedicatedEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${outs.endpointBearerToken}` })).toBe(200);
  });
});

test("private-endpoint: the deployment fields carry the vault's CA and the bearer token; the .pem works over mTLS", async () => {
  const p = await createTestProject({ source: example("private-endpoint"), config: { ...platformConfig(), "ccluster-private-endpoint:endpointName": { value: "pe-example" } } });
  await withExample(p, async (outs) => {
    const ca = (await clientsFor(emu()).vault().list({ type: "certificates" })).find((i) => i.key === "pe-example")!;
    expect(outs.deployment.endpoint_certificate_authority).toBe((await clientsFor(emu()).vault().get(ca.id)).value);
    expect(outs.deployment.env_vars).toEqual({ LOG_LEVEL: "info" });
    expect(await chatStatus(`${emu().info.dedicatedEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${outs.deployment.endpoint_bearer_token}` })).toBe(200);
    const serverCa = join(scratch, "server-ca.pem");
    writeFileSync(serverCa, emu().info.privateEndpointCaPem);
    const curl = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cert", outs.clientPemPath, "--cacert", serverCa, "-H", "content-type: application/json", "-d", JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }), `${emu().info.privateEndpointUrl}/pe-example/openai/v1/chat/completions`]);
    expect(curl.stdout).toBe("200");
  });
});

test("ci-service-account: credentials from the environment only; a keeper bump rotates the key", async () => {
  const i = emu().info;
  const p = await createTestProject({
    source: example("ci-service-account"),
    env: {
      CENTML_PLATFORM_API_URL: i.apiUrl,
      CENTML_SERVICE_ACCOUNT_ID: i.serviceAccount.clientId,
      CENTML_SERVICE_ACCOUNT_SECRET: i.serviceAccount.clientSecret,
      CENTML_SERVICE_ACCOUNT_TOKEN_URL: i.tokenUrl,
    },
  });
  try {
    await p.stack.up();
    const first = await outputsOf(p);
    expect(Date.parse(first.inferenceTokenExpiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    await p.stack.setConfig("ccluster-ci-service-account:rotation", { value: "2" });
    const res = await p.stack.up();
    expect(res.summary.resourceChanges).toMatchObject({ replace: 1 });
    const second = await outputsOf(p);
    expect(second.serverlessApiKey).not.toBe(first.serverlessApiKey);
    expect(await chatStatus(`${i.serverlessEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${second.serverlessApiKey}` })).toBe(200);
    expect(await chatStatus(`${i.serverlessEndpointUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${first.serverlessApiKey}` })).toBe(401);
    await p.stack.destroy();
  } finally {
    await p.cleanup();
  }
});

test("import-existing: items made outside Pulumi are adopted, not duplicated", async () => {
  const vault = clientsFor(emu()).vault();
  const token = await vault.upsert({ type: "bearer_tokens", key: "made-in-the-ui", value: "ui-made-token-value" });
  const { generateCertificates } = await import("../../provider/certificates");
  const ca = await generateCertificates({ name: "cli-made" });
  const cert = await vault.upsert({ type: "certificates", key: "cli-made", value: ca.caCertificatePem });
  const shared = await vault.upsert({ type: "access_tokens", key: "team-hf", value: "hf_" + "s".repeat(34), visibility: "ORG" });
  const p = await createTestProject({
    source: example("import-existing"),
    config: {
      ...platformConfig(),
      "ccluster-import-existing:tokenKey": { value: "made-in-the-ui" },
      "ccluster-import-existing:certificateItemId": { value: String(cert.id) },
      "ccluster-import-existing:sharedHfTokenKey": { value: "team-hf" },
      "ccluster-import-existing:certificateName": { value: "cli-made" },
    },
  });
  await withExample(p, async (outs) => {
    expect(outs).toMatchObject({ adoptedTokenItemId: token.id, adoptedTokenValue: "ui-made-token-value", adoptedCertificateName: "cli-made", adoptedCertificateNotAfter: ca.notAfter });
    // The lookups: only the value is secret.
    const raw = await p.stack.outputs();
    expect({ id: raw.sharedHfTokenItemId, value: raw.sharedHfToken, ca: raw.certificateAuthority }).toEqual({
      id: { value: shared.id, secret: false },
      value: { value: shared.value, secret: true },
      ca: { value: ca.caCertificatePem, secret: false },
    });
    expect(await vault.list()).toHaveLength(3);

    // Ten days before the adopted CA expires: the token's 90 days are up, the CA is inside the
    // renewal window. The token rotates into a successor under the same key; the CA, whose key
    // is not ours, stays.
    const env = (p.stack.workspace as unknown as { envVars: Record<string, string> }).envVars;
    env.CCLUSTER_NOW = new Date(Date.parse(ca.notAfter) - 10 * 86_400_000).toISOString();
    try {
      expect(settled((await p.stack.preview()).changeSummary)).toEqual({ replace: 1 });
      await p.stack.up();
    } finally {
      delete env.CCLUSTER_NOW;
    }
    const rotated = await outputsOf(p);
    expect(rotated.adoptedTokenValue).not.toBe("ui-made-token-value");
    expect((await vault.list({ type: "bearer_tokens" })).map((i) => [i.key, i.id])).toEqual([["made-in-the-ui", rotated.adoptedTokenItemId]]);
    expect(await vault.find(cert.id)).toMatchObject({ key: "cli-made" });
  });
  await vault.delete(shared.id);
});

test("ai-gateway: both tokens are ACTIVE, rate-limited as declared, and authenticate at the gateway", async () => {
  const p = await createTestProject({ source: example("ai-gateway"), config: { ...gatewayConfig(), "ccluster-ai-gateway:gateway": { value: "example-gw" } } });
  await withExample(p, async (outs) => {
    const tokens = await clientsFor(emu()).aigateway().listTokens("example-gw");
    expect(tokens.map((t) => t.status)).toEqual(["ACTIVE", "ACTIVE"]);
    expect(tokens.find((t) => t.name === "batch-jobs")?.rate_limit?.requests_per_minute).toBe(120);
    const url = `${emu().info.gatewayChatUrl}/example-gw/openai/v1/chat/completions`;
    expect(await chatStatus(url, { authorization: `Bearer ${outs.teamAToken}` })).toBe(200);
    expect(await chatStatus(url, { "cf-aig-authorization": `Bearer ${outs.batchToken}` })).toBe(200);
  });
});

/**
 * A private endpoint's certificate with the real engine: after `up`, the `.pem` file works against
 * the emulator's mTLS private endpoint for that certificate (real curl, and undici); other
 * certificates are refused; drift of the file and of the certificate is shown and repaired; after
 * `destroy` the file is gone and the endpoint refuses the old certificate.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { generateCertificates } from "../../provider/certificates";
import { runPulumi } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { createTestProject, type TestProject } from "../support/pulumi-project";
import { requireTool } from "../support/tools";

jest.setTimeout(300_000);
const emu = useEmulator();
let project: TestProject;
const scratch = mkdtempSync(join(tmpdir(), "mtls-"));
const certName = "edge-e2e";
const chat = { model: "demo", messages: [{ role: "user", content: "hi" }], max_tokens: 8 };

function endpoint(name = certName): string {
  return `${emu().info.privateEndpointUrl}/${name}/openai/v1/chat/completions`;
}

/**
 * Real curl with a client certificate file; returns the HTTP status (0 when TLS itself failed).
 * Asynchronous on purpose: the emulator answers from this same process.
 */
async function curlChat(pemFile: string, name = certName): Promise<{ status: number; body: string }> {
  requireTool("curl", "install the Debian package curl (.ci/run does)");
  const serverCa = join(scratch, "server-ca.pem");
  writeFileSync(serverCa, emu().info.privateEndpointCaPem);
  const args = ["-s", "-w", "\n%{http_code}", "--cert", pemFile, "--cacert", serverCa, "-H", "content-type: application/json", "-d", JSON.stringify(chat), endpoint(name)];
  const res = await promisify(execFile)("curl", args).catch((e: { stdout?: string }) => ({ stdout: e.stdout || "\n0" }));
  const lines = res.stdout.split("\n");
  return { status: Number(lines.pop() || 0), body: lines.join("\n") };
}
const curlStatus = async (pemFile: string, name = certName) => (await curlChat(pemFile, name)).status;

async function undiciChat(key: string, cert: string, name = certName): Promise<{ status: number; body: string }> {
  const dispatcher = new Agent({ connect: { key, cert, ca: emu().info.privateEndpointCaPem } });
  try {
    const res = await request(endpoint(name), { method: "POST", dispatcher, headers: { "content-type": "application/json" }, body: JSON.stringify(chat) });
    return { status: res.statusCode, body: await res.body.text() };
  } finally {
    await dispatcher.close();
  }
}
const undiciStatus = async (key: string, cert: string, name = certName) => (await undiciChat(key, cert, name)).status;

/** The assistant's answer in an OpenAI-compatible chat completion, or undefined when it is not one. */
function answerOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { object?: string; choices?: { message?: { content?: string } }[] };
    return parsed.object === "chat.completion" ? parsed.choices?.[0]?.message?.content : undefined;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  const i = emu().info;
  project = await createTestProject({
    source: join(__dirname, "fixtures", "private-endpoint"),
    config: {
      "ccluster:apiUrl": { value: i.apiUrl },
      "ccluster:token": { value: i.token, secret: true },
      "private-endpoint-e2e:certName": { value: certName },
      "private-endpoint-e2e:pemPath": { value: "certs/edge.pem" },
      "private-endpoint-e2e:caPath": { value: "certs/edge-ca.pem" },
    },
  });
  await project.stack.up();
});
afterAll(async () => {
  await project?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test("the vault holds the CA, and the .pem is owner-only in an owner-only folder", async () => {
  const item = (await clientsFor(emu()).vault().list({ type: "certificates" })).find((i) => i.key === certName);
  expect(item).toBeDefined();
  const pemPath = join(project.dir, "certs", "edge.pem");
  expect(statSync(pemPath).mode & 0o777).toBe(0o600);
  expect(statSync(join(project.dir, "certs")).mode & 0o777).toBe(0o700);
  const pem = readFileSync(pemPath, "utf8");
  expect(pem.indexOf("-----BEGIN PRIVATE KEY-----")).toBe(0); // key first, then the certificate, like the platform's file
  expect(pem).toMatch(/-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----/);
  expect(readFileSync(join(project.dir, "certs", "edge-ca.pem"), "utf8")).toBe((await clientsFor(emu()).vault().get(item!.id)).value);
});

test("curl --cert <file>.pem gets a chat completion from the private endpoint", async () => {
  const res = await curlChat(join(project.dir, "certs", "edge.pem"));
  expect({ status: res.status, answered: (answerOf(res.body) ?? "").length > 0 }).toEqual({ status: 200, answered: true });
});

test("an undici client with the key and certificate read from the .pem file gets a chat completion too", async () => {
  const pem = readFileSync(join(project.dir, "certs", "edge.pem"), "utf8");
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(pem)?.[0];
  expect({ key: !!key, cert: !!cert }).toEqual({ key: true, cert: true });
  const res = await undiciChat(key!, cert!);
  expect({ status: res.status, answered: (answerOf(res.body) ?? "").length > 0 }).toEqual({ status: 200, answered: true });
});

test("a certificate of another name, or a self-made one, is refused", async () => {
  expect(await curlStatus(join(project.dir, "certs", "edge.pem"), "some-other-name")).toBe(403);
  const stranger = await generateCertificates({ name: certName });
  expect(await undiciStatus(stranger.clientPrivateKeyPem, stranger.clientCertificatePem)).toBe(403);
  requireTool("openssl", "install the Debian package openssl (.ci/run does)");
  const selfMade = join(scratch, "self.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-subj", `/CN=client.${certName}.user.centml.ai`, "-days", "1", "-keyout", selfMade, "-out", join(scratch, "self-cert.pem")], { stdio: "ignore" });
  writeFileSync(selfMade, readFileSync(selfMade, "utf8") + readFileSync(join(scratch, "self-cert.pem"), "utf8"));
  expect(await curlStatus(selfMade)).toBe(403);
});

test("a deleted or loosened .pem file: preview --diff names the property and says what it found; up writes it again", async () => {
  const pemPath = join(project.dir, "certs", "edge.pem");
  const caPath = join(project.dir, "certs", "edge-ca.pem");
  rmSync(pemPath);
  chmodSync(caPath, 0o644);
  const preview = await runPulumi(["preview", "--diff", "--non-interactive", "--stack", "test"], { cwd: project.dir, env: project.env });
  expect(preview.code).toBe(0);
  const out = preview.stdout + preview.stderr;
  // Each changed property under its resource, rather than `~ update` with nothing marked.
  expect(out).toMatch(/~ pulumi-nodejs:dynamic\/ccluster:PemFile: \(update\)\n(\s+\[[^\n]*\n)*?\s+~ pem: \[secret\] => \[secret\]/);
  expect(out).toMatch(/~ filePermission: "0600" => "0600"/);
  expect(out).toContain(`PemFile "edge-pem": ${pemPath} is missing; \`pulumi up\` writes it again`);
  expect(out).toContain(`PemFile "edge-ca": ${caPath} has mode 0644, not 0600`);
  const plain = await runPulumi(["preview", "--non-interactive", "--stack", "test"], { cwd: project.dir, env: project.env });
  expect(plain.stdout).toMatch(/PemFile\s+edge-pem\s+update\s+\[diff: ~pem\]/);
  expect(plain.stdout).toMatch(/PemFile\s+edge-ca\s+update\s+\[diff: ~filePermission\]/);

  expect((await project.stack.up()).summary.resourceChanges).toMatchObject({ update: 2 });
  expect(statSync(pemPath).mode & 0o777).toBe(0o600);
  expect(statSync(caPath).mode & 0o777).toBe(0o600);
  expect(await curlStatus(pemPath)).toBe(200);
});

test("deleted elsewhere, then refresh and up: a certificate with a key comes back under it; an auto-named one as the first generation of its name", async () => {
  const outs = async () => Object.fromEntries(Object.entries(await project.stack.outputs()).map(([k, v]) => [k, v.value]));
  await project.stack.setConfig("autoNamed", { value: JSON.stringify({ keepers: { generation: "a" } }) });
  await project.stack.up();
  const first = await outs();
  await project.stack.setConfig("autoNamed", { value: JSON.stringify({ keepers: { generation: "b" } }) });
  await project.stack.up(); // a replacement: the successor takes the next generation of the name
  const replaced = await outs();
  expect(replaced.autoName).toBe(`${first.autoName}-1`);

  const vault = clientsFor(emu()).vault();
  const edge = (await vault.list({ type: "certificates" })).find((i) => i.key === certName)!;
  await vault.delete(edge.id);
  await vault.delete(replaced.autoItemId);
  expect((await project.stack.refresh()).summary.resourceChanges).toMatchObject({ delete: 2 });
  await project.stack.up();
  const repaired = await outs();
  // The refresh dropped the state's record of "<name>-1": the derived name starts again at its
  // first generation. Hence the README: give an endpoint's certificate an explicit key.
  expect({ edge: repaired.certName, auto: repaired.autoName }).toEqual({ edge: certName, auto: first.autoName });
  expect(await curlStatus(join(project.dir, "certs", "edge.pem"))).toBe(200);
});

test("after destroy the file is gone and the endpoint refuses the old certificate", async () => {
  const kept = join(scratch, "old.pem");
  copyFileSync(join(project.dir, "certs", "edge.pem"), kept);
  await project.stack.destroy();
  expect(existsSync(join(project.dir, "certs", "edge.pem"))).toBe(false);
  expect(await curlStatus(kept)).toBe(403);
});

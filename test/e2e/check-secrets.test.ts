/**
 * Under the real engine, `check` failures about secret inputs: the engine prints the
 * value of the property a failure names, so a bearer token read from a file with its newline, an
 * oversized environment value, a registry password that is too long, a Hugging Face token with a
 * newline and a private key given as SshKey.publicKey must be refused with the property and the
 * rule named, and no value in the output, the state or the backend. Nothing is created.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPulumi, type PulumiRun } from "../harness/engine";
import { clientsFor, stackConfigFor, useEmulator } from "../support/emulator";
import { createTestProject, type TestProject } from "../support/pulumi-project";
import { leaksIn, outputOf, statePlaces, type Place, type SecretValue } from "../support/secret-search";
import { requireTool } from "../support/tools";

jest.setTimeout(300_000);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "check-secrets-"));
let project: TestProject;

const secrets = {
  bearer: "brr-" + randomBytes(30).toString("base64url"),
  hf: "hf_" + randomBytes(20).toString("hex").slice(0, 34),
  envValue: randomBytes(3750).toString("base64url"),
  registryPassword: randomBytes(2700).toString("base64url"),
};
let privateKey: string;

/** Each resource of the fixture, and what the output of its refused preview or up must say. */
const cases: [resource: string, reason: string][] = [
  [
    "file-token",
    "BearerToken.value must not contain whitespace (it is sent in an Authorization header; a token read from a file often ends in a newline, so trim it) (got 45 characters, ending in a newline; the value is secret and not shown)",
  ],
  ["hf-from-env", "HuggingFaceToken.value must not contain whitespace (a token read from a file often ends in a newline; trim it) (got 38 characters, ending in a newline; the value is secret and not shown)"],
  ["big-env", "EnvironmentVariable.value must be 1–4096 characters (got 5000 characters; the value is secret and not shown)"],
  ["long-password", "RegistryCredential.password must be at most 3500 characters (got 3600 characters; the value is secret and not shown)"],
  ["private-as-public", "SshKey.publicKey is a private key; give the public key line, e.g. the contents of id_ed25519.pub"],
];

beforeAll(async () => {
  requireTool("ssh-keygen", "install the Debian package openssh-client (.ci/run does)");
  const keyFile = join(scratch, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", keyFile]);
  privateKey = readFileSync(keyFile, "utf8");
  const bearerFile = join(scratch, "bearer-token.txt");
  writeFileSync(bearerFile, `${secrets.bearer}\n`); // as `echo "$TOKEN" > file` writes it
  project = await createTestProject({
    source: join(__dirname, "fixtures", "check-secrets"),
    config: stackConfigFor(emu()),
    env: {
      CHECK_BEARER_FILE: bearerFile,
      CHECK_HF_TOKEN: `${secrets.hf}\n`,
      CHECK_ENV_VALUE: secrets.envValue,
      CHECK_REGISTRY_PASSWORD: secrets.registryPassword,
      CHECK_SSH_KEY_FILE: keyFile,
    },
  });
});
afterAll(async () => {
  await project?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every secret, and each line of the private key's body, named: none may appear anywhere, in any form. */
function secretValues(): SecretValue[] {
  const keyLines = privateKey.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
  return [...Object.entries(secrets).map(([what, value]) => ({ what, value })), ...keyLines.map((value, i) => ({ what: `private key body line ${i + 1}`, value }))];
}

/** Which secrets appear in the places, as "what in where" (never the value). */
const leaked = (places: Place[]) => leaksIn(secretValues(), places);

async function pulumi(args: string[], extraEnv: Record<string, string> = {}): Promise<PulumiRun & { output: string }> {
  const run = await runPulumi([...args, "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env: { ...project.env, ...extraEnv } });
  return { ...run, output: run.stdout + run.stderr };
}

// The engine stops at the first resource `check` refuses, so each is declared alone.
describe.each(cases)("%s", (resource, reason) => {
  test("preview fails naming the property and the rule, and prints no secret", async () => {
    const res = await pulumi(["preview"], { CHECK_RESOURCE: resource });
    expect(res.code).not.toBe(0);
    expect(res.output).toContain(`resource '${resource}' has a problem: ${reason}`);
    // A failure that named its property would print "property <name> value <value> has a problem".
    expect(res.output).not.toMatch(/property \S+ value/);
    expect(leaked(outputOf("pulumi preview", res))).toEqual([]);
  });

  test("up (no preview) fails the same way before creating anything", async () => {
    const res = await pulumi(["up", "--yes", "--skip-preview"], { CHECK_RESOURCE: resource });
    expect(res.code).not.toBe(0);
    expect(res.output).toContain(`resource '${resource}' has a problem: ${reason}`);
    expect(res.output).not.toMatch(/property \S+ value/);
    expect(leaked(outputOf("pulumi up", res))).toEqual([]);
  });
});

test("nothing was created, and neither the state nor the backend holds a secret", async () => {
  const clients = clientsFor(emu());
  expect(await clients.vault().list()).toEqual([]);
  expect(await clients.serverless().list()).toEqual([]);
  // The CLI's export, as a user would run it (the Automation API's exportStack decrypts secrets),
  // and every backend file whole: these secrets come from the environment, never the config.
  const places = await statePlaces(project, { historyConfig: "searched" });
  expect(places[0].text).toContain("pulumi:pulumi:Stack"); // it is the real state, written by the failed ups
  expect(places[0].text).not.toContain("dynamic/ccluster:"); // and no resource was created
  expect(leaked(places)).toEqual([]);
});

test("a PemFile with neither certificate nor pem is a clear error naming both, not an unhandled exception", async () => {
  const res = await pulumi(["preview"], { CHECK_RESOURCE: "orphan-pem" });
  expect(res.code).not.toBe(0);
  expect(res.output).toContain('PemFile "orphan-pem": PemFile.certificate or PemFile.pem is required: give exactly one');
  expect(res.output).not.toContain("unhandled exception");
});

// A Certificate declared before a PemFile that can never be written. A preview refuses the stack
// before anything is made; `up --skip-preview` checks each resource as the program reaches it, so
// the certificate may be made first: it must then be in the state (not orphaned) and destroyable.
describe.each([
  // At preview the PEM is not made yet: the bundle `contents` names decides.
  ["pem-readable-key", "PemFile.filePermission must not let group or others read a file holding a private key", ' (contents "combined" holds the certificate\'s private key) (got "0644"); use "0600"'],
  ["pem-bad-mode", 'PemFile.filePermission must be an octal mode such as "0600" (got "777x")'],
  ["pem-under-a-file", "PemFile.path cannot be created: "],
  ["pem-neither", "PemFile.certificate or PemFile.pem is required: give exactly one"],
])("a Certificate next to a PemFile that cannot be written: %s", (resource, reason, atPreview = "") => {
  test("preview fails naming the property and the rule", async () => {
    const res = await pulumi(["preview"], { CHECK_RESOURCE: resource });
    expect(res.code).not.toBe(0);
    expect(res.output).toContain(reason + atPreview);
  });

  test("up without a preview fails the same way; what it made is recorded in the state, and destroy removes it", async () => {
    const res = await pulumi(["up", "--yes", "--skip-preview"], { CHECK_RESOURCE: resource });
    expect(res.code).not.toBe(0);
    expect(res.output).toContain(reason);
    const exported = await pulumi(["stack", "export"]);
    const recorded = (JSON.parse(exported.stdout).deployment.resources ?? [])
      .filter((r: { type: string }) => r.type.endsWith(":Certificate"))
      .map((r: { outputs: { itemId: number } }) => r.outputs.itemId);
    expect((await clientsFor(emu()).vault().list()).map((i) => i.id)).toEqual(recorded);
    expect(exported.stdout).not.toContain(":PemFile");
    expect((await pulumi(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
    expect(await clientsFor(emu()).vault().list()).toEqual([]);
  });
});

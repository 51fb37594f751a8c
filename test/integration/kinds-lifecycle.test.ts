/**
 * Every resource kind through its dynamic provider against the emulator, in ordered steps:
 * check → create → read → no-op diff → update → drift seen by read → delete → delete again.
 * (The same kinds under the real Pulumi engine are in test/e2e/.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { makeResourceProvider } from "../../provider/framework/lifecycle";
import { kindByName } from "../../provider/registry";
import { clientsFor, settingsFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
const sshDir = mkdtempSync(join(tmpdir(), "lifecycle-"));
afterAll(() => rmSync(sshDir, { recursive: true, force: true }));

function providerFor(typeName: string): dynamic.ResourceProvider {
  const p = makeResourceProvider(kindByName(typeName));
  const s = settingsFor(emu());
  const config: Record<string, string | undefined> = {
    "ccluster:apiUrl": s.apiUrl,
    "ccluster:token": s.token,
    "aigateway:apiUrl": s.aigatewayApiUrl,
    "aigateway:clientId": s.aigatewayClientId,
    "aigateway:clientSecret": s.aigatewayClientSecret,
  };
  void p.configure!({ config: { get: (k: string) => config[k], require: (k: string) => config[k]! } });
  return p;
}

function sshPublicKey(): string {
  const file = join(sshDir, `k${Date.now()}${Math.random()}`);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  return readFileSync(`${file}.pub`, "utf8").trim();
}

/** Runs check and fails the test with the provider's own reasons if it refuses. */
async function checked(p: dynamic.ResourceProvider, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const res = await p.check!(olds, news);
  if (res.failures?.length) throw new Error(`check refused: ${JSON.stringify(res.failures)}`);
  return res.inputs;
}

const vaultKinds: { typeName: string; vaultType: string; create: () => Record<string, unknown>; update: Record<string, unknown>; storedValue: (o: any) => string }[] = [
  { typeName: "BearerToken", vaultType: "bearer_tokens", create: () => ({}), update: { value: "brought-token-0123456789" }, storedValue: (o) => o.value },
  { typeName: "EnvironmentVariable", vaultType: "env_vars", create: () => ({ key: "MODEL_NAME", value: "llama" }), update: { value: "mistral" }, storedValue: (o) => o.value },
  {
    typeName: "HuggingFaceToken",
    vaultType: "access_tokens",
    create: () => ({ value: "hf_" + "a".repeat(34) }),
    update: { value: "hf_" + "b".repeat(34) },
    storedValue: (o) => o.value,
  },
  { typeName: "SshKey", vaultType: "ssh_keys", create: () => ({ publicKey: sshPublicKey() }), update: { publicKey: sshPublicKey() }, storedValue: (o) => o.publicKey },
  {
    typeName: "RegistryCredential",
    vaultType: "registry_credentials",
    create: () => ({ username: "AWS", password: "ecr-password-1", imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" }),
    update: { password: "ecr-password-2" },
    storedValue: (o) => JSON.stringify({ username: o.username, password: o.password, server: "123456789012.dkr.ecr.us-east-1.amazonaws.com" }),
  },
];

describe.each(vaultKinds)("$typeName", ({ typeName, vaultType, create, update, storedValue }) => {
  test("create, read, no-op diff, update in place, drift, delete twice", async () => {
    const p = providerFor(typeName);
    const vault = clientsFor(emu()).vault();
    const inputs = await checked(p, {}, { autoNamePrefix: `${typeName}-res`, ...create() });
    const { id, outs } = await p.create(inputs);
    expect(outs).toMatchObject({ itemId: Number(id), visibility: "USER", createdAt: expect.any(String) });
    const live = await vault.get(Number(id));
    expect(live).toMatchObject({ type: vaultType, key: inputs.key });
    expect(live.value).toBe(storedValue(outs));

    const read = await p.read!(id, outs);
    expect(read.id).toBe(id);
    expect(await p.diff!(id, read.props, inputs)).toMatchObject({ changes: false });

    const newInputs = await checked(p, inputs, { ...inputs, ...update });
    const d = await p.diff!(id, outs, newInputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const updated = (await p.update!(id, outs, newInputs)).outs!;
    expect((await vault.get(Number(id))).value).toBe(storedValue(updated));
    expect(updated.createdAt).toBe(outs.createdAt);

    // Out-of-band change: read reports the live value, and the next diff wants to put ours back.
    const elsewhere = typeName === "RegistryCredential" ? JSON.stringify({ username: "AWS", password: "changed-elsewhere" }) : "changed-elsewhere";
    await vault.upsert({ id: Number(id), type: live.type, key: live.key, value: elsewhere });
    const drifted = await p.read!(id, updated);
    expect(JSON.stringify(drifted.props)).toContain("changed-elsewhere");
    expect((await p.diff!(id, drifted.props, newInputs)).changes).toBe(true);

    await p.delete!(id, updated);
    expect(await vault.find(Number(id))).toBeUndefined();
    expect((await p.read!(id, updated)).id).toBe(""); // refresh drops it
    await expect(p.delete!(id, updated)).resolves.toBeUndefined(); // already gone is fine
  });

  test("adopts an existing item instead of failing, and refuses to clobber one silently", async () => {
    const p = providerFor(typeName);
    const vault = clientsFor(emu()).vault();
    const inputs = await checked(p, {}, { autoNamePrefix: `${typeName}-adopt`, ...create() });
    const existing = await vault.upsert({ type: vaultType as never, key: inputs.key, value: storedValue({ ...inputs, value: inputs.value ?? "pre-existing-token" }) });
    await expect(p.create(inputs)).rejects.toThrow(`set adoptExisting: true (or existingId: ${existing.id})`);
    const adopted = await p.create({ ...inputs, adoptExisting: true });
    expect(adopted.id).toBe(String(existing.id));
    expect((await vault.list({ type: vaultType as never })).filter((i) => i.key === inputs.key)).toHaveLength(1);
    const byId = await p.create({ ...inputs, key: "ignored-key", existingId: existing.id });
    expect(byId.outs.key).toBe(inputs.key);
    await p.delete!(adopted.id, adopted.outs);
  });
});

test("ServerlessApiKey: create returns the secret once; read keeps it; delete removes the key", async () => {
  const p = providerFor("ServerlessApiKey");
  const keys = clientsFor(emu()).serverless();
  const inputs = await checked(p, {}, { autoNamePrefix: "batch", rotationDays: 30 });
  const { id, outs } = await p.create(inputs);
  expect(outs).toMatchObject({ apiKeyId: id, keyReturned: true, key: expect.any(String), expiresAt: expect.any(String) });
  expect(Date.parse(outs.expiresAt) - Date.parse(outs.createdAt)).toBe(30 * 86_400_000);
  expect((await p.read!(id, outs)).props).toMatchObject({ key: outs.key });
  await expect(p.create({ ...inputs, adoptExisting: true })).rejects.toThrow("its secret is only shown when it is created");
  await p.delete!(id, outs);
  expect(await keys.find(id)).toBeUndefined();
  expect((await p.read!(id, outs)).id).toBe("");
});

test("aigateway.AuthToken: create, rate limit in place, gone after delete", async () => {
  const p = providerFor("AuthToken");
  const gw = clientsFor(emu()).aigateway();
  const inputs = await checked(p, {}, { gateway: "lifecycle-gw", name: "token-user01" });
  const { id, outs } = await p.create(inputs);
  expect(outs).toMatchObject({ status: "ACTIVE", token: expect.any(String) });
  const newInputs = await checked(p, inputs, { ...inputs, requestsPerMinute: 60 });
  expect(await p.diff!(id, outs, newInputs)).toMatchObject({ changes: true, replaces: [] });
  await p.update!(id, outs, newInputs);
  expect((await gw.getToken("lifecycle-gw", id))?.rate_limit?.requests_per_minute).toBe(60);
  expect(await p.diff!(id, outs, { ...newInputs, name: "token-user02" })).toMatchObject({ replaces: ["name"] });
  await p.delete!(id, outs);
  expect(await gw.getToken("lifecycle-gw", id)).toBeUndefined();
});

test("bad input is refused by check, naming the property and the rule, and nothing is created", async () => {
  const before = (await clientsFor(emu()).vault().list()).length;
  const res = await providerFor("AuthToken").check!({}, { gateway: "gw", name: "bad name!" });
  expect(res.failures).toEqual([
    { property: "gateway", reason: "AuthToken.gateway must be 5–50 characters of a–z, A–Z, 0–9, _ and -" },
    { property: "name", reason: "AuthToken.name must be 3–64 characters of a–z, A–Z, 0–9, _ and -" },
  ]);
  const reg = await providerFor("RegistryCredential").check!({}, { username: "u", password: "p", server: "not a host" });
  expect(reg.failures?.[0]).toMatchObject({ property: "server", reason: expect.stringContaining("is not a registry host name") });
  expect((await clientsFor(emu()).vault().list()).length).toBe(before);
});

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
import { admin, clientsFor, providerConfigFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
const sshDir = mkdtempSync(join(tmpdir(), "lifecycle-"));
afterAll(() => rmSync(sshDir, { recursive: true, force: true }));

function providerFor(typeName: string, now?: () => Date): dynamic.ResourceProvider {
  const p = makeResourceProvider(kindByName(typeName), { now });
  void p.configure!(providerConfigFor(emu()));
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
    const { autoNamePrefix, key: _generated, autoNamed: _marker, ...withoutKey } = inputs;
    const byIdInputs = await checked(p, {}, { ...withoutKey, autoNamePrefix, existingId: existing.id });
    expect(byIdInputs.key).toBeUndefined(); // the adopted item's key, learnt in create
    const byId = await p.create(byIdInputs);
    expect(byId.outs.key).toBe(inputs.key);
    // The next `up` checks the same program again: nothing to do.
    expect(await p.diff!(byId.id, byId.outs, await checked(p, byIdInputs, { ...withoutKey, autoNamePrefix, existingId: existing.id }))).toMatchObject({ changes: false });
    await expect(p.create({ ...byIdInputs, key: "another-key" })).rejects.toThrow(`vault item ${existing.id} has key "${inputs.key}", but key is "another-key"`);
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
    { property: "gateway", reason: 'AuthToken.gateway must be 5–50 characters of a–z, A–Z, 0–9, _ and - (got "gw")' },
    { property: "name", reason: 'AuthToken.name must be 3–64 characters of a–z, A–Z, 0–9, _ and - (got "bad name!")' },
  ]);
  const reg = await providerFor("RegistryCredential").check!({}, { username: "u", password: "p", server: "not a host" });
  expect(reg.failures?.[0]).toMatchObject({ property: "server", reason: expect.stringContaining("is not a registry host name") });
  expect((await clientsFor(emu()).vault().list()).length).toBe(before);
});

/** What the engine does on each `up`: check against the previous inputs, then diff against the state. */
async function secondUp(p: dynamic.ResourceProvider, first: { id: string; outs: any; inputs: any }, program: Record<string, unknown>) {
  return p.diff!(first.id, first.outs, await checked(p, first.inputs, program));
}

/** The first `up`: check, then create. The outs are the state every later `up` diffs against. */
async function firstUp(p: dynamic.ResourceProvider, program: Record<string, unknown>) {
  const inputs = await checked(p, {}, program);
  const { id, outs } = await p.create(inputs);
  if (outs === undefined) throw new Error(`create returned no outs (id ${id})`);
  return { id, outs, inputs };
}

describe("a second `up` of the same program changes nothing", () => {
  test("SshKey read from a .pub file, trailing newline and all", async () => {
    const p = providerFor("SshKey");
    const program = { autoNamePrefix: "laptop", publicKey: sshPublicKey() + "\n" };
    const first = await firstUp(p, program);
    expect(first.outs.publicKey).toBe(program.publicKey.trim());
    expect(await secondUp(p, first, program)).toMatchObject({ changes: false });
    await p.delete!(first.id, first.outs);
  });

  test("RegistryCredential with neither server nor imageUrl (Docker Hub)", async () => {
    const p = providerFor("RegistryCredential");
    const program = { autoNamePrefix: "hub", username: "me", password: "hub-token" };
    const first = await firstUp(p, program);
    expect(first.outs).toMatchObject({ registry: "dockerhub", registryServer: "docker.io" });
    expect(await secondUp(p, first, program)).toMatchObject({ changes: false });
    await p.delete!(first.id, first.outs);
  });
});

describe("replacement order", () => {
  const later = () => new Date(Date.now() + 31 * 86_400_000);

  test("an auto-named token due for rotation is created before the old one is deleted (it gets a new name)", async () => {
    const p = providerFor("BearerToken", later);
    const first = await firstUp(providerFor("BearerToken"), { autoNamePrefix: "inference", rotationDays: 30 });
    expect(await secondUp(p, first, { autoNamePrefix: "inference", rotationDays: 30 })).toMatchObject({ replaces: ["rotationDays"], deleteBeforeReplace: false });
    expect(await secondUp(p, first, { key: first.outs.key, rotationDays: 30 })).toMatchObject({ replaces: ["rotationDays"], deleteBeforeReplace: true });
    await p.delete!(first.id, first.outs);
  });

  test("an auto-named gateway token likewise; a named one is deleted first (names are unique per gateway)", async () => {
    const p = providerFor("AuthToken", later);
    const first = await firstUp(providerFor("AuthToken"), { autoNamePrefix: "team-a", gateway: "order-gw", rotationDays: 30 });
    expect(await secondUp(p, first, { autoNamePrefix: "team-a", gateway: "order-gw", rotationDays: 30 })).toMatchObject({ deleteBeforeReplace: false });
    expect(await secondUp(p, first, { gateway: "order-gw", name: first.outs.name, rotationDays: 30 })).toMatchObject({ deleteBeforeReplace: true });
    await p.delete!(first.id, first.outs);
  });
});

describe("adoption and rotation", () => {
  test("adoptExisting by key: takes the item over, and when rotation deleted it, creates its successor under the same key", async () => {
    const vault = clientsFor(emu()).vault();
    const existing = await vault.upsert({ type: "bearer_tokens", key: "made-in-the-ui-rot", value: "ui-made-token-value" });
    const program = { autoNamePrefix: "t", key: "made-in-the-ui-rot", adoptExisting: true, rotationDays: 30 };
    const first = await firstUp(providerFor("BearerToken"), program);
    expect(first).toMatchObject({ id: String(existing.id), outs: { value: "ui-made-token-value" } });

    const p = providerFor("BearerToken", () => new Date(Date.now() + 31 * 86_400_000));
    expect(await secondUp(p, first, program)).toMatchObject({ replaces: ["rotationDays"], deleteBeforeReplace: true });
    await p.delete!(first.id, first.outs); // what the engine does first
    const next = await p.create(await checked(p, {}, program)); // the engine checks a replacement afresh
    expect(next.id).not.toBe(first.id);
    expect(next.outs.value).not.toBe("ui-made-token-value");
    expect((await vault.list({ type: "bearer_tokens" })).filter((i) => i.key === "made-in-the-ui-rot").map((i) => i.id)).toEqual([Number(next.id)]);
    await p.delete!(next.id, next.outs);
  });

  test("existingId with rotation is refused in check, naming the way that works", async () => {
    const res = await providerFor("BearerToken").check!({}, { autoNamePrefix: "t", existingId: 7, rotationDays: 30 });
    expect(res.failures).toEqual([{ property: "existingId", reason: expect.stringContaining("BearerToken.existingId cannot be combined with rotationDays or keepers") }]);
  });

  test("a change that would replace an item adopted by id is refused before anything is deleted", async () => {
    const vault = clientsFor(emu()).vault();
    const existing = await vault.upsert({ type: "env_vars", key: "ADOPTED_BY_ID", value: "v" });
    const p = providerFor("EnvironmentVariable");
    const first = await firstUp(p, { autoNamePrefix: "e", existingId: existing.id, value: "v" });
    await expect(secondUp(p, first, { autoNamePrefix: "e", existingId: existing.id, value: "v", visibility: "ORG" })).rejects.toThrow(
      `adopted vault item ${existing.id} by existingId, and changing visibility would replace it`,
    );
    expect(await vault.find(existing.id)).toBeDefined();
    await p.delete!(first.id, first.outs);
  });
});

test("aigateway.AuthToken: when setting the rate limit fails, the token just created is removed, not orphaned", async () => {
  const gw = clientsFor(emu()).aigateway();
  await admin(emu(), "PUT", "/faults", { error5xx: { rate: 1, status: 500 }, match: { method: "PATCH", pathPrefix: "/aigateway" } });
  try {
    const p = providerFor("AuthToken");
    await expect(p.create(await checked(p, {}, { gateway: "orphan-gw", name: "limited", requestsPerMinute: 10 }))).rejects.toThrow();
  } finally {
    await admin(emu(), "DELETE", "/faults");
  }
  expect(await gw.listTokens("orphan-gw")).toEqual([]);
});

test("aigateway.AuthToken deactivated elsewhere: refresh shows it, and the next diff replaces it with a new token", async () => {
  const p = providerFor("AuthToken");
  const gw = clientsFor(emu()).aigateway();
  const first = await firstUp(p, { autoNamePrefix: "revoked", gateway: "revoke-gw" });
  await gw.updateToken("revoke-gw", first.id, { status: "INACTIVE" });
  const refreshed = (await p.read!(first.id, first.outs)).props!;
  expect(refreshed.status).toBe("INACTIVE");
  expect(await p.diff!(first.id, refreshed, first.inputs)).toMatchObject({ changes: true, replaces: ["status"] });
  expect(await p.diff!(first.id, first.outs, first.inputs)).toMatchObject({ changes: false }); // ACTIVE: nothing to do
  await p.delete!(first.id, refreshed);
});

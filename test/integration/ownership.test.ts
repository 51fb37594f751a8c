/**
 * Nothing a stack made is lost track of, at the provider level against the emulator:
 * auto-names derived from the resource's URN (so a re-run finds an interrupted create's object),
 * leftovers removed before a new one is made, a replacement's live predecessor left alone, and
 * exclusive claims on a platform object within one command.
 * (The same under the real engine, with a SIGKILL: test/e2e/crash-recovery.test.ts.)
 */
import { tmpdir } from "node:os";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { makeResourceProvider } from "../../provider/framework/lifecycle";
import { nameStem, resetOwnership } from "../../provider/framework/ownership";
import { kindByName } from "../../provider/registry";
import { admin, clientsFor, providerConfigFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
const urnOf = (type: string, name: string) => `urn:pulumi:test::ownership::pulumi-nodejs:dynamic/ccluster:${type}::${name}`;
beforeEach(() => resetOwnership());

/** A fresh provider process, as the next `pulumi up` gets. */
function freshProvider(typeName: string): dynamic.ResourceProvider {
  const p = makeResourceProvider(kindByName(typeName));
  void p.configure!(providerConfigFor(emu()));
  return p;
}

async function checked(p: dynamic.ResourceProvider, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const res = await p.check!(olds, news);
  if (res.failures?.length) throw new Error(`check refused: ${JSON.stringify(res.failures)}`);
  return res.inputs;
}

/** Each auto-named kind, how to list its objects on the platform, and the name property. */
const autoNamedKinds = [
  {
    typeName: "EnvironmentVariable",
    args: { value: "v1" },
    nameOf: (o: any) => o.key,
    names: async () => (await clientsFor(emu()).vault().list({ type: "env_vars" })).map((i) => i.key),
  },
  {
    typeName: "BearerToken",
    args: {},
    nameOf: (o: any) => o.key,
    names: async () => (await clientsFor(emu()).vault().list({ type: "bearer_tokens" })).map((i) => i.key),
  },
  {
    typeName: "ServerlessApiKey",
    args: {},
    nameOf: (o: any) => o.name,
    names: async () => (await clientsFor(emu()).serverless().list()).map((k) => k.name),
  },
  {
    typeName: "AuthToken",
    args: { gateway: "owner-gateway" },
    nameOf: (o: any) => o.name,
    names: async () => (await clientsFor(emu()).aigateway().listTokens("owner-gateway")).map((t) => t.name),
  },
];

describe.each(autoNamedKinds)("$typeName, auto-named", ({ typeName, args, nameOf, names }) => {
  const urn = urnOf(typeName, `res-${typeName.toLowerCase()}`);
  const news = { ...args, autoNamePrefix: `res-${typeName.toLowerCase()}`, resourceUrn: urn };

  test("the name is derived from the URN: the same on every run, chosen at create", async () => {
    const inputs = await checked(freshProvider(typeName), {}, news);
    expect(inputs.key ?? inputs.name).toBeUndefined(); // decided by create, not by a random suffix
    const again = await checked(freshProvider(typeName), {}, news);
    expect(again).toEqual(inputs);
  });

  test("an interrupted create's object is found by the next run, removed, and made anew under the same name", async () => {
    // Run 1 creates, and its answer never reaches any state (the process is killed).
    const run1 = freshProvider(typeName);
    const lost = await run1.create!(await checked(run1, {}, news));
    expect(await names()).toEqual([nameOf(lost.outs)]);

    // Run 2 knows nothing of it.
    const run2 = freshProvider(typeName);
    const made = await run2.create!(await checked(run2, {}, news));
    expect(nameOf(made.outs)).toBe(nameOf(lost.outs));
    expect(made.id).not.toBe(lost.id);
    expect(await names()).toEqual([nameOf(made.outs)]); // one object, the one the state records

    // A replacement (noticed by diff) keeps its live predecessor and takes the next generation.
    const olds = made.outs;
    const replaced = await checked(run2, {}, { ...news, keepers: { rotate: "1" } });
    const d = await run2.diff!(made.id, olds, replaced);
    expect(d.replaces).toContain("keepers");
    const successor = await run2.create!(replaced);
    const stem = nameStem(typeName === "EnvironmentVariable" ? "posix" : "kebab", news.autoNamePrefix, urn);
    expect(nameOf(successor.outs)).toBe(typeName === "EnvironmentVariable" ? `${stem}_1` : `${stem}-1`);
    expect((await names()).sort()).toEqual([nameOf(made.outs), nameOf(successor.outs)].sort());
    await run2.delete!(made.id, olds);
    await run2.delete!(successor.id, successor.outs);
    expect(await names()).toEqual([]);
  });
});

test("an auto-named item updates in place under the name create chose", async () => {
  const p = freshProvider("EnvironmentVariable");
  const urn = urnOf("EnvironmentVariable", "updated-in-place");
  const news = { value: "before", autoNamePrefix: "updated-in-place", resourceUrn: urn };
  const inputs = await checked(p, {}, news);
  const made = await p.create!(inputs);
  const changed = await checked(p, inputs, { ...news, value: "after" });
  const d = await p.diff!(made.id, made.outs, changed);
  expect(d).toMatchObject({ changes: true, replaces: [] });
  const updated = await p.update!(made.id, made.outs, changed);
  expect(updated.outs).toMatchObject({ key: made.outs.key, itemId: made.outs.itemId, value: "after" });
  expect((await clientsFor(emu()).vault().get(Number(made.id))).value).toBe("after");
  await p.delete!(made.id, updated.outs!);
});

test("a create makes two calls: an auto-named one lists its name's generations and writes; a keyed one looks for the key's holder and writes", async () => {
  const p = freshProvider("EnvironmentVariable");
  const requests = async () => ((await admin(emu(), "GET", "/stats")) as { requests: number }).requests;
  for (const [name, extra] of [["two-calls-auto", {}], ["two-calls-keyed", { key: "TWO_CALLS_KEYED" }]] as const) {
    const inputs = await checked(p, {}, { value: "v", autoNamePrefix: name, resourceUrn: urnOf("EnvironmentVariable", name), ...extra });
    const before = await requests();
    const made = await p.create!(inputs);
    expect({ name, calls: (await requests()) - before }).toEqual({ name, calls: 2 });
    await p.delete!(made.id, made.outs);
  }
  // The keyed lookup still refuses a key another stack holds.
  const held = await clientsFor(emu()).vault().upsert({ type: "env_vars", key: "HELD_ELSEWHERE", value: "theirs", visibility: "USER" });
  const inputs = await checked(p, {}, { value: "v", key: "HELD_ELSEWHERE", autoNamePrefix: "held", resourceUrn: urnOf("EnvironmentVariable", "held") });
  await expect(p.create!(inputs)).rejects.toThrow(`already exists in the vault (id ${held.id})`);
  expect((await clientsFor(emu()).vault().get(held.id)).value).toBe("theirs");
  await clientsFor(emu()).vault().delete(held.id);
});

describe("exclusive claims within one command", () => {
  test("a second resource declaring the same vault key and visibility fails check, naming both resources", async () => {
    const p = freshProvider("EnvironmentVariable");
    const first = await p.check!({}, { key: "DUP_KEY", value: "one", resourceUrn: urnOf("EnvironmentVariable", "first") });
    expect(first.failures ?? []).toEqual([]);
    const second = await p.check!({}, { key: "DUP_KEY", value: "second-secret-value", resourceUrn: urnOf("EnvironmentVariable", "second") });
    expect(second.failures).toHaveLength(1);
    const reason = second.failures![0].reason;
    expect(reason).toContain('EnvironmentVariable "second"');
    expect(reason).toContain('EnvironmentVariable "first"');
    expect(reason).toContain('key "DUP_KEY"');
    expect(second.failures![0].property).toBe(""); // the engine would print the (secret) value of a named property
    expect(reason).not.toContain("second-secret-value");
    // The same resource checked again (a replacement is checked twice) is not a conflict.
    expect((await p.check!({}, { key: "DUP_KEY", value: "three", resourceUrn: urnOf("EnvironmentVariable", "first") })).failures ?? []).toEqual([]);
    // Another visibility is another vault slot.
    expect((await p.check!({}, { key: "DUP_KEY", visibility: "ORG", value: "two", resourceUrn: urnOf("EnvironmentVariable", "third") })).failures ?? []).toEqual([]);
  });

  test("two gateway tokens with one name on one gateway conflict; on two gateways they do not", async () => {
    const p = freshProvider("AuthToken");
    const urn = (n: string) => `urn:pulumi:test::ownership::pulumi-nodejs:dynamic/aigateway:AuthToken::${n}`;
    expect((await p.check!({}, { gateway: "gw-one", name: "shared", resourceUrn: urn("a") })).failures ?? []).toEqual([]);
    expect((await p.check!({}, { gateway: "gw-two", name: "shared", resourceUrn: urn("b") })).failures ?? []).toEqual([]);
    const clash = await p.check!({}, { gateway: "gw-one", name: "shared", resourceUrn: urn("c") });
    expect(clash.failures?.[0].reason).toMatch(/aigateway.AuthToken "c" declares the same aigateway.AuthToken \(gateway "gw-one", name "shared"\) as aigateway.AuthToken "a"/);
  });
});

test("two PemFiles of one program writing one path: the second fails check, naming both", async () => {
  const p = makeResourceProvider(kindByName("PemFile"));
  const path = `${tmpdir()}/ownership-${process.pid}/same.pem`;
  const urn = (n: string) => `urn:pulumi:test::ownership::pulumi-nodejs:dynamic/ccluster:PemFile::${n}`;
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  expect((await p.check!({}, { path, pem, contents: "ca", resourceUrn: urn("one") })).failures ?? []).toEqual([]);
  const second = await p.check!({}, { path, pem, contents: "ca", resourceUrn: urn("two") });
  expect(second.failures?.[0].reason).toContain('PemFile "two" declares the same PemFile (path');
  expect(second.failures?.[0].reason).toContain('as PemFile "one"');
});

describe("a named gateway token that no state records", () => {
  test("create says why it cannot be taken over and what to do; adoptExisting replaces it", async () => {
    const api = clientsFor(emu()).aigateway();
    const stray = await api.createToken("named-gateway", "token-user01");
    const p = freshProvider("AuthToken");
    const inputs = await checked(p, {}, { gateway: "named-gateway", name: "token-user01" });
    await expect(p.create!(inputs)).rejects.toThrow(/already exists on gateway "named-gateway".*adoptExisting: true/s);
    expect((await api.listTokens("named-gateway")).map((t) => t.id)).toEqual([stray.id]); // nothing changed

    const adopting = await checked(p, {}, { gateway: "named-gateway", name: "token-user01", adoptExisting: true });
    const made = await p.create!(adopting);
    expect((await api.listTokens("named-gateway")).map((t) => t.id)).toEqual([made.id]);
    expect(made.id).not.toBe(stray.id);
    expect(made.outs.token).toEqual(expect.any(String));
    await p.delete!(made.id, made.outs);
  });
});

describe("a gateway token whose rate limit cannot be set, and whose clean-up fails too", () => {
  // PATCH and DELETE of one token share this path; the create (POST .../tokens) does not.
  // `failing`: how many of those calls fail (the rate limit's PATCH, the DELETE, then the deactivating PATCH); all by default.
  const tokenCallsFail = (gateway: string, failing?: number) =>
    admin(emu(), "PUT", "/faults", {
      error5xx: failing === undefined ? { rate: 1, status: 500 } : { next: failing, status: 500 },
      match: { pathPrefix: `/aigateway/v1/gateways/${gateway}/tokens/` },
    });
  afterEach(() => admin(emu(), "DELETE", "/faults"));

  async function failedCreate(gateway: string, failing?: number) {
    const p = freshProvider("AuthToken");
    const inputs = await checked(p, {}, { gateway, requestsPerMinute: 10, autoNamePrefix: "limited", resourceUrn: urnOf("AuthToken", `limited-${gateway}`) });
    await tokenCallsFail(gateway, failing);
    const err: Error = await p.create!(inputs).then(
      () => { throw new Error("the create should have failed"); },
      (e: Error) => e,
    );
    await admin(emu(), "DELETE", "/faults");
    return { err, inputs, left: await clientsFor(emu()).aigateway().listTokens(gateway) };
  }

  test("deleting fails: the token is deactivated, and the error says so with its id", async () => {
    const { err, left } = await failedCreate("deactivated-gw", 2);
    expect(left).toHaveLength(1);
    expect(left[0].status).toBe("INACTIVE");
    expect(err.message).toContain(`(id ${left[0].id})`);
    expect(err.message).toContain("it was deactivated, so it does not authenticate");
  });

  test("deleting and deactivating fail: the error names the active token left, and the next run removes it", async () => {
    const { err, inputs, left } = await failedCreate("stuck-gw");
    expect(left.map((t) => t.status)).toEqual(["ACTIVE"]);
    expect(err.message).toMatch(/^\[CCLUSTER_ERR_SERVER\] /);
    expect(err.message).toContain(`(id ${left[0].id})`);
    expect(err.message).toContain("may still authenticate, with no rate limit");
    expect(err.message).toContain("The next `pulumi up` removes it when the token is auto-named");

    const next = freshProvider("AuthToken");
    const made = await next.create!(inputs);
    const tokens = await clientsFor(emu()).aigateway().listTokens("stuck-gw");
    expect(tokens.map((t) => [t.id, t.name, t.rate_limit?.requests_per_minute])).toEqual([[made.id, left[0].name, 10]]);
    await next.delete!(made.id, made.outs);
  });
});

describe("creates whose answers keep getting lost", () => {
  const lostAnswers = (pathPrefix: string, next: number) => admin(emu(), "PUT", "/faults", { responseLost: { next }, match: { method: "POST", pathPrefix } });
  afterEach(() => admin(emu(), "DELETE", "/faults"));

  test("six lost answers in a row to a serverless key create: the create goes on within its time budget, and exactly one key is left", async () => {
    const keys = clientsFor(emu()).serverless();
    await lostAnswers("/credentials/api-key", 6);
    const made = await keys.createRecovering("lost-six");
    expect((await keys.list()).filter((k) => k.name === "lost-six").map((k) => k.id)).toEqual([made.id]);
  });

  test("six lost answers in a row to a gateway token create: the create goes on within its time budget, and exactly one token is left", async () => {
    const gateway = clientsFor(emu()).aigateway();
    await lostAnswers("/aigateway/v1/gateways", 6);
    const made = await gateway.createTokenRecovering("lost-gateway", "token-lost6");
    expect((await gateway.listTokens("lost-gateway")).map((t) => t.id)).toEqual([made.id]);
  });

  test("answers lost on every try: the create fails when its time budget is spent, and no key or token is left", async () => {
    const clients = clientsFor(emu(), { retryTimeoutSeconds: "1" });
    await lostAnswers("/credentials/api-key", 1000);
    await expect(clients.serverless().createRecovering("lost-always")).rejects.toMatchObject({ code: "CCLUSTER_ERR_NETWORK" });
    await lostAnswers("/aigateway/v1/gateways", 1000);
    await expect(clients.aigateway().createTokenRecovering("lost-gateway", "token-lost-always")).rejects.toMatchObject({ code: "CCLUSTER_ERR_NETWORK" });
    await admin(emu(), "DELETE", "/faults");
    expect((await clients.serverless().list()).filter((k) => k.name === "lost-always")).toEqual([]);
    expect((await clients.aigateway().listTokens("lost-gateway")).filter((t) => t.name === "token-lost-always")).toEqual([]);
  });
});

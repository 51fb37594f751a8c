import { startEmulator, type Emulator } from "../../emulator";
import { asUser, call } from "./support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

describe("authentication", () => {
  it("answers 401 Not authenticated without a token, and 401 Invalid or expired token for an unknown one", async () => {
    const none = await call("GET", `${emu.info.apiUrl}/user_vault`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: "Not authenticated" });
    expect(none.headers["www-authenticate"]).toBe("Bearer");

    const wrong = await call("GET", `${emu.info.apiUrl}/user_vault`, { token: "not-a-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: "Invalid or expired token" });

    const otherScheme = await call("GET", `${emu.info.apiUrl}/user_vault`, { headers: { authorization: `Basic ${emu.info.token}` } });
    expect(otherScheme.status).toBe(401);
  });

  it("enforces authentication on every vault and API-key route, before reading the body", async () => {
    const routes: [string, string][] = [
      ["GET", "/user_vault"],
      ["GET", "/user_vault/1"],
      ["PUT", "/user_vault"],
      ["DELETE", "/user_vault/1"],
      ["DELETE", "/user_vault"],
      ["POST", "/credentials/api-key"],
      ["GET", "/credentials/api-key"],
      ["DELETE", "/credentials/api-key/abc"],
    ];
    for (const [method, path] of routes) {
      const answer = await call(method as "GET", `${emu.info.apiUrl}${path}`, { json: method === "GET" ? undefined : { nonsense: true } });
      expect({ method, path, status: answer.status, body: answer.body }).toEqual({ method, path, status: 401, body: { detail: "Not authenticated" } });
    }
  });

  it("answers unknown paths and methods like FastAPI", async () => {
    const missing = await call("GET", `${emu.info.apiUrl}/no/such/path`, { token: emu.info.token });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Not Found" });
    const wrongMethod = await call("POST", `${emu.info.apiUrl}/user_vault`, { token: emu.info.token, json: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual({ detail: "Method Not Allowed" });
  });
});

describe("vault items", () => {
  it("creates, reads, lists without values, updates by id, and deletes an item", async () => {
    const alice = asUser(emu.info, "alice");
    const created = await alice.put({ type: "env_vars", key: "LIFECYCLE_KEY", value: "v1" });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(Number), type: "env_vars", key: "LIFECYCLE_KEY", value: "v1", visibility: "USER" });
    const id = created.body.id as number;
    expect(id).toBeGreaterThanOrEqual(1);

    const read = await alice.get(id);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ id, type: "env_vars", key: "LIFECYCLE_KEY", value: "v1", visibility: "USER" });

    const listed = await alice.list();
    expect(listed.status).toBe(200);
    const entry = listed.body.results.find((item: { id: number }) => item.id === id);
    expect(entry).toEqual({ id, type: "env_vars", key: "LIFECYCLE_KEY", visibility: "USER" });
    expect(listed.text).not.toContain('"value"');

    const updated = await alice.put({ id, type: "env_vars", key: "LIFECYCLE_KEY", value: "v2" });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, value: "v2" });
    expect((await alice.get(id)).body.value).toBe("v2");

    const deleted = await alice.remove(id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await alice.get(id);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: "Vault item not found" });
    const deletedAgain = await alice.remove(id);
    expect(deletedAgain.status).toBe(404);
    expect(deletedAgain.body).toEqual({ detail: "Vault item not found" });
  });

  it("upserts on (type, key, visibility) when no id is given, so a retried create does not duplicate", async () => {
    const alice = asUser(emu.info, "alice");
    const first = await alice.put({ type: "bearer_tokens", key: "RETRIED", value: "one" });
    const second = await alice.put({ type: "bearer_tokens", key: "RETRIED", value: "two" });
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.value).toBe("two");
    const matches = (await alice.list("?search_query=RETRIED")).body.results;
    expect(matches).toHaveLength(1);

    // Same key, other visibility or type: a different item.
    const org = await alice.put({ type: "bearer_tokens", key: "RETRIED", value: "org", visibility: "ORG" });
    const otherType = await alice.put({ type: "env_vars", key: "RETRIED", value: "env" });
    expect(new Set([first.body.id, org.body.id, otherType.body.id]).size).toBe(3);
  });

  it("refuses an update by id that would put two items on one (type, key, visibility) with 409", async () => {
    const alice = asUser(emu.info, "alice");
    await alice.put({ type: "ssh_keys", key: "SLOT_A", value: "a" });
    const b = await alice.put({ type: "ssh_keys", key: "SLOT_B", value: "b" });
    const clash = await alice.put({ id: b.body.id, type: "ssh_keys", key: "SLOT_A", value: "b" });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ detail: expect.any(String) });
    expect((await alice.get(b.body.id)).body.key).toBe("SLOT_B");
  });

  it("answers 404 for an update of an id that does not exist", async () => {
    const answer = await asUser(emu.info, "alice").put({ id: 999_999, type: "env_vars", key: "NOPE", value: "x" });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ detail: "Vault item not found" });
  });

  it("filters the list by type and by case-insensitive key substring", async () => {
    const alice = asUser(emu.info, "alice");
    await alice.put({ type: "access_tokens", key: "HF_Token_Filter", value: "hf_x" });
    await alice.put({ type: "registry_credentials", key: "docker-filter", value: '{"username":"u","password":"p"}' });
    const byType = (await alice.list("?type=access_tokens")).body.results as { type: string }[];
    expect(byType.length).toBeGreaterThan(0);
    expect(byType.every((item) => item.type === "access_tokens")).toBe(true);
    const bySearch = (await alice.list("?search_query=FILTER")).body.results as { key: string }[];
    expect(bySearch.map((item) => item.key).sort()).toEqual(["HF_Token_Filter", "docker-filter"]);
    const both = (await alice.list("?type=registry_credentials&search_query=filter")).body.results as { key: string }[];
    expect(both.map((item) => item.key)).toEqual(["docker-filter"]);
  });

  it("deletes by type and key with the legacy DELETE /user_vault, ignoring a value", async () => {
    const alice = asUser(emu.info, "alice");
    const item = await alice.put({ type: "certificates", key: "LEGACY", value: "pem", visibility: "ORG" });
    const wrongVisibility = await alice.removeBy({ type: "certificates", key: "LEGACY" });
    expect(wrongVisibility.status).toBe(404);
    const deleted = await alice.removeBy({ type: "certificates", key: "LEGACY", visibility: "ORG", value: "ignored" });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await alice.get(item.body.id)).status).toBe(404);
    const again = await alice.removeBy({ type: "certificates", key: "LEGACY", visibility: "ORG" });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: "Vault item not found" });
  });
});

describe("validation (FastAPI 422 shape)", () => {
  it("names each bad body field with loc, msg and type", async () => {
    const answer = await asUser(emu.info, "alice").put({ type: "passwords", key: "", value: "x".repeat(4097), visibility: "PUBLIC", id: 0 });
    expect(answer.status).toBe(422);
    const byField = Object.fromEntries((answer.body.detail as { loc: string[] }[]).map((d) => [d.loc.join("."), d]));
    expect(byField["body.type"]).toMatchObject({ type: "enum", msg: expect.stringContaining("'env_vars'") });
    expect(byField["body.key"]).toMatchObject({ type: "string_too_short", msg: "String should have at least 1 character" });
    expect(byField["body.value"]).toMatchObject({ type: "string_too_long", msg: "String should have at most 4096 characters" });
    expect(byField["body.visibility"]).toMatchObject({ type: "enum", msg: "Input should be 'USER' or 'ORG'" });
    expect(byField["body.id"]).toMatchObject({ type: "greater_than_equal", msg: "Input should be greater than or equal to 1" });
    // The offending input is not echoed: it may be a secret.
    expect(answer.text).not.toContain("xxxx");
  });

  it("reports missing fields, a key over 512 characters, and a missing body", async () => {
    const alice = asUser(emu.info, "alice");
    const missing = await alice.put({ key: "K" });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual(
      expect.arrayContaining([
        { type: "missing", loc: ["body", "type"], msg: "Field required" },
        { type: "missing", loc: ["body", "value"], msg: "Field required" },
      ]),
    );
    const longKey = await alice.put({ type: "env_vars", key: "k".repeat(513), value: "v" });
    expect(longKey.body.detail).toEqual([expect.objectContaining({ type: "string_too_long", loc: ["body", "key"], ctx: { max_length: 512 } })]);
    const noBody = await call("PUT", `${emu.info.apiUrl}/user_vault`, { token: emu.info.token });
    expect(noBody.status).toBe(422);
    expect(noBody.body.detail).toEqual([{ type: "missing", loc: ["body"], msg: "Field required" }]);
  });

  it("accepts the longest key and value the platform allows", async () => {
    const answer = await asUser(emu.info, "alice").put({ type: "env_vars", key: "k".repeat(512), value: "v".repeat(4096) });
    expect(answer.status).toBe(200);
  });

  it("answers invalid JSON with json_invalid", async () => {
    const answer = await call("PUT", `${emu.info.apiUrl}/user_vault`, { token: emu.info.token, rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(answer.status).toBe(422);
    expect(answer.body.detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 0] });
  });

  it("validates path and query parameters with loc path / query", async () => {
    const alice = asUser(emu.info, "alice");
    const badId = await alice.get("abc");
    expect(badId.status).toBe(422);
    expect(badId.body.detail).toEqual([
      { type: "int_parsing", loc: ["path", "secret_id"], msg: "Input should be a valid integer, unable to parse string as an integer" },
    ]);
    const zeroId = await alice.remove(0);
    expect(zeroId.status).toBe(422);
    expect(zeroId.body.detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["path", "secret_id"] });
    const badType = await alice.list("?type=passwords");
    expect(badType.status).toBe(422);
    expect(badType.body.detail[0]).toMatchObject({ type: "enum", loc: ["query", "type"] });
  });

  it("takes an id given as a string of digits, as pydantic's lax mode does", async () => {
    const alice = asUser(emu.info, "alice");
    const created = await alice.put({ type: "env_vars", key: "LAX_ID", value: "1" });
    const updated = await alice.put({ id: String(created.body.id), type: "env_vars", key: "LAX_ID", value: "2" });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, value: "2" });
    const fractional = await alice.put({ id: 1.5, type: "env_vars", key: "LAX_ID", value: "3" });
    expect(fractional.body.detail[0]).toMatchObject({ type: "int_from_float", loc: ["body", "id"] });
  });
});

describe("tenant isolation", () => {
  it("keeps carol (another organisation) away from alice's items: no read, list, update or delete", async () => {
    const alice = asUser(emu.info, "alice");
    const carol = asUser(emu.info, "carol");
    const userItem = (await alice.put({ type: "bearer_tokens", key: "ISOLATED_USER", value: "alice-secret" })).body;
    const orgItem = (await alice.put({ type: "bearer_tokens", key: "ISOLATED_ORG", value: "acme-secret", visibility: "ORG" })).body;

    for (const item of [userItem, orgItem]) {
      const read = await carol.get(item.id);
      expect(read.status).toBe(404);
      expect(read.body).toEqual({ detail: "Vault item not found" });
      expect((await carol.remove(item.id)).status).toBe(404);
      expect((await carol.put({ id: item.id, type: "bearer_tokens", key: item.key, value: "hijack" })).status).toBe(404);
    }
    expect((await carol.removeBy({ type: "bearer_tokens", key: "ISOLATED_ORG", visibility: "ORG" })).status).toBe(404);
    const carolsList = (await carol.list()).body.results as { id: number }[];
    expect(carolsList.map((i) => i.id)).not.toEqual(expect.arrayContaining([userItem.id]));
    expect(carolsList.map((i) => i.id)).not.toEqual(expect.arrayContaining([orgItem.id]));

    // Nothing carol did changed alice's items.
    expect((await alice.get(userItem.id)).body.value).toBe("alice-secret");
    expect((await alice.get(orgItem.id)).body.value).toBe("acme-secret");
  });

  it("lets bob (same organisation) see alice's ORG item but not her USER item", async () => {
    const alice = asUser(emu.info, "alice");
    const bob = asUser(emu.info, "bob");
    const userItem = (await alice.put({ type: "env_vars", key: "SHARED_USER", value: "private" })).body;
    const orgItem = (await alice.put({ type: "env_vars", key: "SHARED_ORG", value: "shared", visibility: "ORG" })).body;

    const bobsIds = ((await bob.list()).body.results as { id: number }[]).map((i) => i.id);
    expect(bobsIds).toContain(orgItem.id);
    expect(bobsIds).not.toContain(userItem.id);
    expect((await bob.get(orgItem.id)).body.value).toBe("shared");
    expect((await bob.get(userItem.id)).status).toBe(404);

    // bob's own USER item with the same key is his, separate from alice's.
    const bobsOwn = await bob.put({ type: "env_vars", key: "SHARED_USER", value: "bobs" });
    expect(bobsOwn.body.id).not.toBe(userItem.id);
    expect((await alice.get(userItem.id)).body.value).toBe("private");

    // An ORG upsert by bob updates the organisation's item rather than duplicating it.
    const bobsOrgWrite = await bob.put({ type: "env_vars", key: "SHARED_ORG", value: "updated by bob", visibility: "ORG" });
    expect(bobsOrgWrite.body.id).toBe(orgItem.id);
    expect((await alice.get(orgItem.id)).body.value).toBe("updated by bob");
  });
});

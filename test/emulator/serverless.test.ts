import { startEmulator, type Emulator } from "../../emulator";
import { call } from "./support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const keysUrl = () => `${emu.info.apiUrl}/credentials/api-key`;

describe("serverless API keys", () => {
  it("creates a key whose secret is only in the create answer, lists it without the secret, and deletes it", async () => {
    const created = await call("POST", keysUrl(), { token: emu.info.token, json: { name: "ci-key" } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ name: "ci-key", id: expect.any(String), created_at: expect.any(String), key: expect.any(String) });
    expect(Number.isNaN(Date.parse(created.body.created_at))).toBe(false);

    const listed = await call("GET", keysUrl(), { token: emu.info.token });
    expect(listed.status).toBe(200);
    expect(listed.body.results).toContainEqual({ name: "ci-key", id: created.body.id, created_at: created.body.created_at });
    expect(listed.text).not.toContain(created.body.key);

    const deleted = await call("DELETE", `${keysUrl()}/${created.body.id}`, { token: emu.info.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const again = await call("DELETE", `${keysUrl()}/${created.body.id}`, { token: emu.info.token });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: "API key not found" });
  });

  it("allows two keys with the same name, as the platform does", async () => {
    const a = await call("POST", keysUrl(), { token: emu.info.token, json: { name: "twin" } });
    const b = await call("POST", keysUrl(), { token: emu.info.token, json: { name: "twin" } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it("answers a missing name with 422", async () => {
    const answer = await call("POST", keysUrl(), { token: emu.info.token, json: {} });
    expect(answer.status).toBe(422);
    expect(answer.body.detail).toEqual([{ type: "missing", loc: ["body", "name"], msg: "Field required" }]);
  });

  it("keeps keys to their owner: others neither list nor delete them", async () => {
    const alices = await call("POST", keysUrl(), { token: emu.info.users.alice.token, json: { name: "alice-only" } });
    for (const other of ["bob", "carol"] as const) {
      const token = emu.info.users[other].token;
      const listed = await call("GET", keysUrl(), { token });
      expect(listed.body.results.map((k: { id: string }) => k.id)).not.toContain(alices.body.id);
      expect((await call("DELETE", `${keysUrl()}/${alices.body.id}`, { token })).status).toBe(404);
    }
    const stillThere = await call("GET", keysUrl(), { token: emu.info.users.alice.token });
    expect(stillThere.body.results.map((k: { id: string }) => k.id)).toContain(alices.body.id);
  });
});

import { startEmulator, type Emulator } from "../../emulator";
import { call, gatewayAccessToken } from "./support";

let emu: Emulator;
let accessToken: string;
beforeAll(async () => {
  emu = await startEmulator();
  accessToken = await gatewayAccessToken(emu.info);
});
afterAll(async () => {
  await emu?.stop();
});

const tokensUrl = (gateway: string) => `${emu.info.aigatewayUrl}/v1/gateways/${gateway}/tokens`;
const gw = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, json?: unknown) => call(method, url, { token: accessToken, json });

describe("AI gateway authentication tokens", () => {
  it("creates an ACTIVE token (secret shown once), lists, reads, updates and deletes it", async () => {
    const created = await gw("POST", tokensUrl("gateway-one"), { name: "token-user01" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: "token-user01", gateway: "gateway-one", status: "ACTIVE", token: expect.any(String) });
    expect(Number.isNaN(Date.parse(created.body.created_at))).toBe(false);
    const id = created.body.id as string;

    const listed = await gw("GET", tokensUrl("gateway-one"));
    expect(listed.body.results).toEqual([expect.objectContaining({ id, name: "token-user01", gateway: "gateway-one", status: "ACTIVE" })]);
    expect(listed.text).not.toContain(created.body.token);

    const read = await gw("GET", `${tokensUrl("gateway-one")}/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.token).toBeUndefined();
    expect(read.body).toMatchObject({ id, status: "ACTIVE", rate_limit: null });

    const patched = await gw("PATCH", `${tokensUrl("gateway-one")}/${id}`, { status: "INACTIVE", rate_limit: { requests_per_minute: 30 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, status: "INACTIVE", rate_limit: { requests_per_minute: 30 } });
    const cleared = await gw("PATCH", `${tokensUrl("gateway-one")}/${id}`, { rate_limit: null });
    expect(cleared.body).toMatchObject({ status: "INACTIVE", rate_limit: null });

    expect((await gw("DELETE", `${tokensUrl("gateway-one")}/${id}`)).body).toEqual({});
    const gone = await gw("GET", `${tokensUrl("gateway-one")}/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: "Token not found" });
    expect((await gw("DELETE", `${tokensUrl("gateway-one")}/${id}`)).status).toBe(404);
    expect((await gw("PATCH", `${tokensUrl("gateway-one")}/${id}`, { status: "ACTIVE" })).status).toBe(404);
  });

  it("refuses a second token with the same name on the same gateway with 409, but not on another gateway", async () => {
    expect((await gw("POST", tokensUrl("gateway-dup"), { name: "same" })).status).toBe(201);
    const duplicate = await gw("POST", tokensUrl("gateway-dup"), { name: "same" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toEqual({ detail: "Token name already exists" });
    expect((await gw("POST", tokensUrl("gateway-dup2"), { name: "same" })).status).toBe(201);
  });

  it("answers a gateway name outside 5–50 of a-zA-Z0-9_- with 422 on the path", async () => {
    for (const bad of ["abcd", "a".repeat(51), "bad.name"]) {
      const answer = await gw("POST", tokensUrl(bad), { name: "x" });
      expect(answer.status).toBe(422);
      expect(answer.body.detail[0].loc).toEqual(["path", "gateway"]);
    }
    expect((await gw("POST", tokensUrl("a".repeat(50)), { name: "x" })).status).toBe(201);
    expect((await gw("POST", tokensUrl("Ab_-9"), { name: "x" })).status).toBe(201);
  });

  it("validates the bodies with FastAPI's 422", async () => {
    const noName = await gw("POST", tokensUrl("gateway-val"), {});
    expect(noName.body.detail).toEqual([{ type: "missing", loc: ["body", "name"], msg: "Field required" }]);
    const created = await gw("POST", tokensUrl("gateway-val"), { name: "v" });
    const badStatus = await gw("PATCH", `${tokensUrl("gateway-val")}/${created.body.id}`, { status: "PAUSED" });
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.detail[0]).toMatchObject({ type: "enum", loc: ["body", "status"] });
  });

  it("requires a gateway access token", async () => {
    const none = await call("GET", tokensUrl("gateway-one"));
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: "Not authenticated" });
  });
});

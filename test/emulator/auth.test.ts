import { startEmulator, type Emulator } from "../../emulator";
import { admin, call, gatewayAccessToken, serviceAccountToken } from "./support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ accessTokenTtlSeconds: 900 });
});
afterAll(async () => {
  await emu?.stop();
});

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
}

describe("service account token exchange (POST /oauth2/token)", () => {
  it("issues a Bearer access token whose exp claim matches expires_in, acting as the service account's user", async () => {
    const { clientId, clientSecret } = emu.info.serviceAccount;
    const answer = await call("POST", emu.info.tokenUrl, { form: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 900 });
    const claims = claimsOf(answer.body.access_token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);

    // The token acts as alice: it sees (and writes) alice's items.
    const written = await call("PUT", `${emu.info.apiUrl}/user_vault`, { token: answer.body.access_token, json: { type: "env_vars", key: "BY_SA", value: "1" } });
    expect(written.status).toBe(200);
    const asAlice = await call("GET", `${emu.info.apiUrl}/user_vault/${written.body.id}`, { token: emu.info.users.alice.token });
    expect(asAlice.body.value).toBe("1");
  });

  it("accepts the client credentials as HTTP Basic too", async () => {
    const { clientId, clientSecret } = emu.info.serviceAccount;
    const answer = await call("POST", emu.info.tokenUrl, {
      form: { grant_type: "client_credentials" },
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
    });
    expect(answer.status).toBe(200);
  });

  it("answers a wrong secret with 401 invalid_client and another grant type with 400 unsupported_grant_type", async () => {
    const { clientId } = emu.info.serviceAccount;
    const bad = await call("POST", emu.info.tokenUrl, { form: { grant_type: "client_credentials", client_id: clientId, client_secret: "wrong" } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: "invalid_client" });
    const grant = await call("POST", emu.info.tokenUrl, { form: { grant_type: "password", username: "alice", password: "x" } });
    expect(grant.status).toBe(400);
    expect(grant.body).toEqual({ error: "unsupported_grant_type" });
    const noGrant = await call("POST", emu.info.tokenUrl, { form: { client_id: clientId } });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body).toEqual({ error: "invalid_request" });
  });

  it("expires every issued access token on POST /_admin/expire-tokens; a new exchange works again", async () => {
    const before = await serviceAccountToken(emu.info);
    const gatewayBefore = await gatewayAccessToken(emu.info);
    expect((await call("GET", `${emu.info.apiUrl}/user_vault`, { token: before })).status).toBe(200);

    const expired = await admin(emu.info, "POST", "/expire-tokens");
    expect(expired.status).toBe(200);

    const refused = await call("GET", `${emu.info.apiUrl}/user_vault`, { token: before });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ detail: "Invalid or expired token" });
    expect((await call("GET", `${emu.info.aigatewayUrl}/v1/gateways/expired-gw/tokens`, { token: gatewayBefore })).status).toBe(401);
    // Static user tokens are not access tokens and are unaffected.
    expect((await call("GET", `${emu.info.apiUrl}/user_vault`, { token: emu.info.token })).status).toBe(200);

    const after = await serviceAccountToken(emu.info);
    expect((await call("GET", `${emu.info.apiUrl}/user_vault`, { token: after })).status).toBe(200);
  });

  it("refuses a token whose signature was tampered with", async () => {
    const token = await serviceAccountToken(emu.info);
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(token), sub: "carol" })).toString("base64url");
    const answer = await call("GET", `${emu.info.apiUrl}/user_vault`, { token: `${header}.${forged}.${signature}` });
    expect(answer.status).toBe(401);
  });
});

describe("AI gateway IAM (POST /aigateway/v2/auth/token)", () => {
  it("issues a token with HTTP Basic client credentials", async () => {
    const { clientId, clientSecret } = emu.info.aigatewayServiceAccount;
    const answer = await call("POST", emu.info.aigatewayTokenUrl, {
      form: { grant_type: "client_credentials" },
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ token_type: "Bearer", access_token: expect.any(String), expires_in: 900 });
  });

  it("answers 401 invalid_client without Basic credentials or with wrong ones", async () => {
    const { clientId } = emu.info.aigatewayServiceAccount;
    const none = await call("POST", emu.info.aigatewayTokenUrl, { form: { grant_type: "client_credentials" } });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: "invalid_client" });
    const wrong = await call("POST", emu.info.aigatewayTokenUrl, {
      form: { grant_type: "client_credentials" },
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:nope`).toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
  });

  it("keeps the two token audiences apart: a platform token is refused by the gateway API and the reverse", async () => {
    const platform = await serviceAccountToken(emu.info);
    const gateway = await gatewayAccessToken(emu.info);
    expect((await call("GET", `${emu.info.aigatewayUrl}/v1/gateways/audience-gw/tokens`, { token: platform })).status).toBe(401);
    expect((await call("GET", `${emu.info.aigatewayUrl}/v1/gateways/audience-gw/tokens`, { token: emu.info.token })).status).toBe(401);
    expect((await call("GET", `${emu.info.apiUrl}/user_vault`, { token: gateway })).status).toBe(401);
  });
});

describe("admin API", () => {
  it("requires the admin token", async () => {
    expect((await call("GET", `${emu.info.adminUrl}/stats`)).status).toBe(401);
    expect((await call("GET", `${emu.info.adminUrl}/stats`, { token: emu.info.token })).status).toBe(401);
    expect((await call("POST", `${emu.info.adminUrl}/expire-tokens`, { token: emu.info.token })).status).toBe(401);
    expect((await admin(emu.info, "GET", "/stats")).status).toBe(200);
  });
});

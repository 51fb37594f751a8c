import { webcrypto } from "node:crypto";
import { Agent } from "undici";
import { startEmulator, type Emulator } from "../../emulator";
import { loadX509 } from "../../provider/certificates/x509";
import { asUser, call, chatRequest, gatewayAccessToken, sseData } from "./support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const chatPath = "/openai/v1/chat/completions";
const INVALID = { error: expect.objectContaining({ message: "Invalid authentication token" }) };

describe("dedicated endpoint", () => {
  const url = () => `${emu.info.dedicatedEndpointUrl}${chatPath}`;

  it("accepts the value of a bearer_tokens vault item, and stops accepting it once the item is deleted", async () => {
    const item = (await asUser(emu.info, "carol").put({ type: "bearer_tokens", key: "DEDICATED", value: "dedicated-secret-1" })).body;
    const answer = await call("POST", url(), { token: "dedicated-secret-1", json: chatRequest });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ object: "chat.completion", model: "test-model", choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }] });
    expect(answer.body.usage.total_tokens).toBe(answer.body.usage.prompt_tokens + answer.body.usage.completion_tokens);

    await asUser(emu.info, "carol").remove(item.id);
    const after = await call("POST", url(), { token: "dedicated-secret-1", json: chatRequest });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(INVALID);
  });

  it("refuses no token, an unknown token, a serverless key and the value of another item type", async () => {
    await asUser(emu.info, "alice").put({ type: "env_vars", key: "NOT_A_BEARER", value: "env-value-not-bearer" });
    const serverlessKey = (await call("POST", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token, json: { name: "k" } })).body.key;
    for (const token of [undefined, "unknown", serverlessKey, "env-value-not-bearer"]) {
      const answer = await call("POST", url(), { token, json: chatRequest });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(INVALID);
    }
  });

  it("answers a malformed chat request with OpenAI's 400 invalid_request_error", async () => {
    await asUser(emu.info, "alice").put({ type: "bearer_tokens", key: "DEDICATED_400", value: "dedicated-secret-400" });
    const answer = await call("POST", url(), { token: "dedicated-secret-400", json: { model: "m", messages: [] } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", param: "messages" });
  });
});

describe("serverless endpoint", () => {
  const url = () => `${emu.info.serverlessEndpointUrl}${chatPath}`;

  it("accepts a live serverless API key and refuses it after deletion", async () => {
    const created = (await call("POST", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token, json: { name: "serverless" } })).body;
    expect((await call("POST", url(), { token: created.key, json: chatRequest })).status).toBe(200);
    await call("DELETE", `${emu.info.apiUrl}/credentials/api-key/${created.id}`, { token: emu.info.token });
    const after = await call("POST", url(), { token: created.key, json: chatRequest });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(INVALID);
  });

  it("refuses a bearer token from the vault", async () => {
    await asUser(emu.info, "alice").put({ type: "bearer_tokens", key: "NOT_SERVERLESS", value: "bearer-not-serverless" });
    const answer = await call("POST", url(), { token: "bearer-not-serverless", json: chatRequest });
    expect(answer.status).toBe(401);
  });
});

describe("AI gateway chat", () => {
  const url = (gateway: string) => `${emu.info.gatewayChatUrl}/${gateway}${chatPath}`;
  const tokensUrl = (gateway: string) => `${emu.info.aigatewayUrl}/v1/gateways/${gateway}/tokens`;

  it("accepts an ACTIVE token of that gateway in Authorization or cf-aig-authorization, and nothing else", async () => {
    const access = await gatewayAccessToken(emu.info);
    const token = (await call("POST", tokensUrl("chat-gateway"), { token: access, json: { name: "chat" } })).body;
    expect((await call("POST", url("chat-gateway"), { token: token.token, json: chatRequest })).status).toBe(200);
    const viaCf = await call("POST", url("chat-gateway"), { headers: { "cf-aig-authorization": `Bearer ${token.token}` }, json: chatRequest });
    expect(viaCf.status).toBe(200);

    const otherGateway = await call("POST", url("other-gateway"), { token: token.token, json: chatRequest });
    expect(otherGateway.status).toBe(401);
    expect(otherGateway.body).toEqual(INVALID);
    expect((await call("POST", url("chat-gateway"), { token: "made-up", json: chatRequest })).status).toBe(401);

    await call("PATCH", `${tokensUrl("chat-gateway")}/${token.id}`, { token: access, json: { status: "INACTIVE" } });
    expect((await call("POST", url("chat-gateway"), { token: token.token, json: chatRequest })).body).toEqual(INVALID);
    await call("PATCH", `${tokensUrl("chat-gateway")}/${token.id}`, { token: access, json: { status: "ACTIVE" } });
    expect((await call("POST", url("chat-gateway"), { token: token.token, json: chatRequest })).status).toBe(200);

    await call("DELETE", `${tokensUrl("chat-gateway")}/${token.id}`, { token: access });
    expect((await call("POST", url("chat-gateway"), { token: token.token, json: chatRequest })).status).toBe(401);
  });

  it("enforces a token's requests_per_minute with 429 and Retry-After", async () => {
    const access = await gatewayAccessToken(emu.info);
    const token = (await call("POST", tokensUrl("limited-gateway"), { token: access, json: { name: "limited" } })).body;
    await call("PATCH", `${tokensUrl("limited-gateway")}/${token.id}`, { token: access, json: { rate_limit: { requests_per_minute: 2 } } });
    expect((await call("POST", url("limited-gateway"), { token: token.token, json: chatRequest })).status).toBe(200);
    expect((await call("POST", url("limited-gateway"), { token: token.token, json: chatRequest })).status).toBe(200);
    const limited = await call("POST", url("limited-gateway"), { token: token.token, json: chatRequest });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });
});

describe("server-sent events", () => {
  it("streams chunks that add up to the non-streamed reply, then a usage chunk, then [DONE]", async () => {
    await asUser(emu.info, "alice").put({ type: "bearer_tokens", key: "STREAMING", value: "stream-secret" });
    const url = `${emu.info.dedicatedEndpointUrl}${chatPath}`;
    const plain = await call("POST", url, { token: "stream-secret", json: chatRequest });
    const streamed = await call("POST", url, { token: "stream-secret", json: { ...chatRequest, stream: true, stream_options: { include_usage: true } } });
    expect(streamed.status).toBe(200);
    expect(String(streamed.headers["content-type"])).toMatch(/^text\/event-stream/);

    const data = sseData(streamed.text);
    expect(data[data.length - 1]).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(plain.body.usage);
    const content = chunks.flatMap((c) => c.choices.map((choice: { delta: { content?: string } }) => choice.delta.content ?? "")).join("");
    expect(content).toBe(plain.body.choices[0].message.content);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe("stop");
  });

  it("leaves the usage chunk out unless include_usage is asked for, as OpenAI does, and still ends with [DONE]", async () => {
    await asUser(emu.info, "alice").put({ type: "bearer_tokens", key: "STREAMING_NO_USAGE", value: "stream-secret-2" });
    const streamed = await call("POST", `${emu.info.dedicatedEndpointUrl}${chatPath}`, { token: "stream-secret-2", json: { ...chatRequest, stream: true } });
    const data = sseData(streamed.text);
    expect(data[data.length - 1]).toBe("[DONE]");
    expect(data.slice(0, -1).map((d) => JSON.parse(d)).some((c) => c.usage)).toBe(false);
  });

  it("cuts the reply at max_tokens with finish_reason length", async () => {
    await asUser(emu.info, "alice").put({ type: "bearer_tokens", key: "MAX_TOKENS", value: "max-tokens-secret" });
    const answer = await call("POST", `${emu.info.dedicatedEndpointUrl}${chatPath}`, { token: "max-tokens-secret", json: { ...chatRequest, max_tokens: 2, n: 2 } });
    expect(answer.body.choices).toHaveLength(2);
    expect(answer.body.choices[0].finish_reason).toBe("length");
    expect(answer.body.usage.completion_tokens).toBe(4);
  });
});

describe("private endpoint (mTLS)", () => {
  const x509 = loadX509();
  const P384 = { name: "ECDSA", namedCurve: "P-384" } as const;
  const SIGNING = { name: "ECDSA", hash: "SHA-384" } as const;
  const DAY = 24 * 60 * 60 * 1000;

  interface Ca {
    pem: string;
    name: string;
    keys: webcrypto.CryptoKeyPair;
  }

  async function makeCa(name: string): Promise<Ca> {
    const keys = await webcrypto.subtle.generateKey(P384, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=ca.${name}.user.centml.ai`,
      keys,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      signingAlgorithm: SIGNING,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    return { pem: cert.toString("pem"), name: cert.subject, keys };
  }

  async function makeClient(ca: Ca, validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY) }) {
    const keys = await webcrypto.subtle.generateKey(P384, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.create({
      subject: "CN=client.test.user.centml.ai",
      issuer: ca.name,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      ...validity,
      signingAlgorithm: SIGNING,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
    });
    const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
    return { cert: cert.toString("pem"), key };
  }

  const agents: Agent[] = [];
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
  });
  function agentWith(client?: { cert: string; key: string }): Agent {
    const agent = new Agent({ connect: { ca: emu.info.privateEndpointCaPem, ...client } });
    agents.push(agent);
    return agent;
  }
  const url = (certName: string) => `${emu.info.privateEndpointUrl}/${certName}${chatPath}`;

  it("accepts a client certificate issued by the CA stored in the vault under the path's name", async () => {
    const ca = await makeCa("mtls-ok");
    await asUser(emu.info, "alice").put({ type: "certificates", key: "mtls-ok", value: ca.pem });
    const answer = await call("POST", url("mtls-ok"), { json: chatRequest, dispatcher: agentWith(await makeClient(ca)) });
    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe("chat.completion");
  });

  it("refuses a certificate from another CA, no certificate, an expired one, and a name with no stored CA, with 403", async () => {
    const ca = await makeCa("mtls-refuse");
    const stranger = await makeCa("mtls-refuse");
    await asUser(emu.info, "alice").put({ type: "certificates", key: "mtls-refuse", value: ca.pem });

    const foreign = await call("POST", url("mtls-refuse"), { json: chatRequest, dispatcher: agentWith(await makeClient(stranger)) });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ detail: expect.any(String) });

    const none = await call("POST", url("mtls-refuse"), { json: chatRequest, dispatcher: agentWith() });
    expect(none.status).toBe(403);

    const expiredClient = await makeClient(ca, { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
    const expired = await call("POST", url("mtls-refuse"), { json: chatRequest, dispatcher: agentWith(expiredClient) });
    expect(expired.status).toBe(403);

    const valid = await makeClient(ca);
    const unknownName = await call("POST", url("no-such-cert"), { json: chatRequest, dispatcher: agentWith(valid) });
    expect(unknownName.status).toBe(403);
  });

  it("accepts any tenant's CA under the same name, and refuses once that CA is deleted", async () => {
    const alicesCa = await makeCa("mtls-shared");
    const carolsCa = await makeCa("mtls-shared");
    await asUser(emu.info, "alice").put({ type: "certificates", key: "mtls-shared", value: alicesCa.pem });
    const carols = (await asUser(emu.info, "carol").put({ type: "certificates", key: "mtls-shared", value: carolsCa.pem })).body;
    const carolsClient = await makeClient(carolsCa);
    expect((await call("POST", url("mtls-shared"), { json: chatRequest, dispatcher: agentWith(carolsClient) })).status).toBe(200);
    expect((await call("POST", url("mtls-shared"), { json: chatRequest, dispatcher: agentWith(await makeClient(alicesCa)) })).status).toBe(200);

    await asUser(emu.info, "carol").remove(carols.id);
    expect((await call("POST", url("mtls-shared"), { json: chatRequest, dispatcher: agentWith(carolsClient) })).status).toBe(403);
  });

  it("serves a certificate for 127.0.0.1 signed by privateEndpointCaPem (a client that trusts nothing else connects)", async () => {
    // agentWith() trusts only privateEndpointCaPem; reaching the 403 means the TLS handshake succeeded.
    const answer = await call("POST", url("anything"), { json: chatRequest, dispatcher: agentWith() });
    expect(answer.status).toBe(403);
    const untrusting = new Agent();
    agents.push(untrusting);
    await expect(call("POST", url("anything"), { json: chatRequest, dispatcher: untrusting })).rejects.toThrow();
  });
});

/**
 * The platform client against the emulator over real HTTP on loopback: every vault operation,
 * error shapes, auth, and each fault mode.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ClientCredentialsToken, createClients, ErrorCodes, PlatformError, resolveSettings } from "../../provider/client";
import { admin, clientsFor, settingsFor, useEmulator } from "../support/emulator";
import { decodedPlaces, leaksIn } from "../support/secret-search";

const emu = useEmulator();
afterEach(async () => {
  await admin(emu(), "DELETE", "/faults");
});

/** Runs `fn` under a fault set and returns how often each fault kind actually fired. */
async function underFaults<T>(faults: unknown, fn: () => Promise<T>): Promise<{ result: T; hits: Record<string, number> }> {
  const before = await admin(emu(), "GET", "/stats");
  await admin(emu(), "PUT", "/faults", faults);
  const result = await fn();
  const after = await admin(emu(), "GET", "/stats");
  const hits = Object.fromEntries(["matched", "drop", "error5xx", "rateLimit", "responseLost"].map((k) => [k, after[k] - before[k]]));
  return { result, hits };
}

/**
 * The PlatformError `p` rejects with. Its `message` and `stack` are not enumerable, so a spread
 * (`{ ...err }`) misses them: the tests that search an error's text name them after the spread.
 */
async function caught(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PlatformError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("vault", () => {
  test("upsert, list without values, get with value, update by id, delete, and 404 after", async () => {
    const vault = clientsFor(emu()).vault();
    const created = await vault.upsert({ type: "bearer_tokens", key: "client-crud", value: "s3cret-value-1" });
    expect(created).toMatchObject({ type: "bearer_tokens", key: "client-crud", value: "s3cret-value-1", visibility: "USER" });

    const listed = await vault.list({ type: "bearer_tokens", searchQuery: "client-crud" });
    expect(listed.map((i) => i.id)).toContain(created.id);
    expect(listed.every((i) => i.value === undefined)).toBe(true);

    expect((await vault.get(created.id)).value).toBe("s3cret-value-1");
    const updated = await vault.upsert({ id: created.id, type: "bearer_tokens", key: "client-crud", value: "s3cret-value-2" });
    expect(updated.id).toBe(created.id);
    expect((await vault.get(created.id)).value).toBe("s3cret-value-2");

    expect(await vault.delete(created.id)).toBe(true);
    expect(await vault.delete(created.id)).toBe(false); // already gone is not an error
    const err = await caught(vault.get(created.id));
    expect(err.code).toBe(ErrorCodes.NOT_FOUND);
    expect(err.status).toBe(404);
  });

  test("an upsert without id on an existing key writes the same row (no duplicate)", async () => {
    const vault = clientsFor(emu()).vault();
    const a = await vault.upsert({ type: "env_vars", key: "SAME_KEY", value: "1" });
    const b = await vault.upsert({ type: "env_vars", key: "SAME_KEY", value: "2" });
    expect(b.id).toBe(a.id);
    expect((await vault.list({ type: "env_vars" })).filter((i) => i.key === "SAME_KEY")).toHaveLength(1);
    expect(await vault.deleteByKey({ type: "env_vars", key: "SAME_KEY", visibility: "USER" })).toBe(true);
    expect(await vault.deleteByKey({ type: "env_vars", key: "SAME_KEY", visibility: "USER" })).toBe(false);
  });

  test("a 422 names the field and never echoes the value", async () => {
    const vault = clientsFor(emu()).vault();
    const secretValue = "do-not-leak-" + "x".repeat(4100);
    const err = await caught(vault.upsert({ type: "bearer_tokens", key: "too-long", value: secretValue }));
    expect(err.code).toBe(ErrorCodes.VALIDATION);
    expect(err.status).toBe(422);
    expect(err.fieldErrors?.[0].loc).toEqual(["body", "value"]);
    expect(err.message).not.toContain("do-not-leak");
  });

  test("ORG items are shared with the organisation, USER items are not; other organisations see nothing", async () => {
    const info = emu().info;
    const alice = clientsFor(emu()).vault();
    const bob = clientsFor(emu(), { token: info.users.bob.token }).vault();
    const carol = clientsFor(emu(), { token: info.users.carol.token }).vault();
    const shared = await alice.upsert({ type: "env_vars", key: "SHARED", value: "org", visibility: "ORG" });
    const mine = await alice.upsert({ type: "env_vars", key: "MINE", value: "user" });
    expect((await bob.get(shared.id)).value).toBe("org");
    expect((await caught(bob.get(mine.id))).code).toBe(ErrorCodes.NOT_FOUND);
    expect((await caught(carol.get(shared.id))).code).toBe(ErrorCodes.NOT_FOUND);
    expect(await carol.delete(shared.id)).toBe(false);
    expect((await alice.get(shared.id)).value).toBe("org");
  });
});

describe("auth", () => {
  test("a wrong token is a clear AUTH error that does not contain the token", async () => {
    const token = "wrong-token-abcdef123456";
    const err = await caught(clientsFor(emu(), { token }).vault().list());
    expect(err.code).toBe(ErrorCodes.AUTH);
    expect(err.message).toContain("refused the credentials");
    expect(err.message).not.toContain(token);
  });

  test("a service account works, and a wrong secret is refused without showing it", async () => {
    const sa = emu().info.serviceAccount;
    const ok = clientsFor(emu(), { token: undefined, serviceAccountId: sa.clientId, serviceAccountSecret: sa.clientSecret, tokenUrl: emu().info.tokenUrl });
    await expect(ok.vault().list()).resolves.toEqual(expect.any(Array));
    const badSecret = "not-the-secret-987654";
    const bad = clientsFor(emu(), { token: undefined, serviceAccountId: sa.clientId, serviceAccountSecret: badSecret, tokenUrl: emu().info.tokenUrl });
    const err = await caught(bad.vault().list());
    expect(err.code).toBe(ErrorCodes.AUTH);
    expect(err.message).not.toContain(badSecret);
  });

  test("an expired access token is refreshed once and the call succeeds", async () => {
    const sa = emu().info.serviceAccount;
    const clients = clientsFor(emu(), { token: undefined, serviceAccountId: sa.clientId, serviceAccountSecret: sa.clientSecret, tokenUrl: emu().info.tokenUrl });
    await clients.vault().list();
    await admin(emu(), "POST", "/expire-tokens");
    await expect(clients.vault().list()).resolves.toEqual(expect.any(Array));
  });

  test("missing credentials say where to put them", async () => {
    const clients = createClients({ apiUrl: emu().info.apiUrl });
    expect(() => clients.vault()).toThrow(/ccluster:token.*CCLUSTER_TOKEN.*CENTML_SERVICE_ACCOUNT_ID/s);
  });

  test("the AI gateway authenticates with HTTP Basic client credentials", async () => {
    const gw = clientsFor(emu()).aigateway();
    await expect(gw.listTokens("auth-check-gw")).resolves.toEqual([]);
  });
});

describe("faults", () => {
  test("5xx answers on a read are retried until it succeeds", async () => {
    const vault = clientsFor(emu()).vault();
    const { result, hits } = await underFaults({ error5xx: { next: 2, status: 503 } }, () => vault.list());
    expect(result).toEqual(expect.any(Array));
    expect(hits.error5xx).toBe(2);
  });

  test("429 with Retry-After is waited for and retried", async () => {
    const { result, hits } = await underFaults({ rateLimit: { next: 1, retryAfterSeconds: 1 } }, () => clientsFor(emu()).vault().list());
    expect(result).toEqual(expect.any(Array));
    expect(hits.rateLimit).toBe(1);
  });

  test("the Retry-After is what decides: one that ends after the call's time budget ends the call instead of a quick retry", async () => {
    // Backoff alone would retry within 50 ms here; only reading Retry-After (2 s > a 0.5 s budget) gives up.
    const impatient = createClients(settingsFor(emu()), { retry: { baseDelayMs: 5, maxDelayMs: 50, budgetMs: 500 } });
    await admin(emu(), "PUT", "/faults", { rateLimit: { next: 1, retryAfterSeconds: 2 } });
    const err = await caught(impatient.vault().list());
    expect(err).toMatchObject({ code: ErrorCodes.RATE_LIMITED, retryAfterSeconds: 2 });
  });

  test("a dropped connection on a read is retried", async () => {
    const { result, hits } = await underFaults({ drop: { next: 1 } }, () => clientsFor(emu()).vault().list());
    expect(result).toEqual(expect.any(Array));
    expect(hits.drop).toBe(1);
  });

  test("persistent 503s end in a SERVER error once the time budget is spent", async () => {
    await admin(emu(), "PUT", "/faults", { error5xx: { rate: 1, status: 503 } });
    const err = await caught(createClients(settingsFor(emu()), { retry: { baseDelayMs: 5, maxDelayMs: 50, budgetMs: 500 } }).vault().list());
    expect(err.code).toBe(ErrorCodes.SERVER);
  });

  test("a vault create whose answer is lost is found by its key, not sent again: exactly one item", async () => {
    const vault = clientsFor(emu()).vault();
    const { result: item, hits } = await underFaults({ responseLost: { next: 1 }, match: { method: "PUT", pathPrefix: "/user_vault" } }, () =>
      vault.upsert({ type: "bearer_tokens", key: "lost-answer", value: "v" }),
    );
    expect(hits).toMatchObject({ matched: 1, responseLost: 1 }); // one PUT: the lookup found what it wrote
    expect(item).toMatchObject({ key: "lost-answer", value: "v" });
    expect((await vault.list({ type: "bearer_tokens" })).filter((i) => i.key === "lost-answer").map((i) => i.id)).toEqual([item.id]);
  });

  test("a serverless key whose create answer is lost: exactly one key afterwards, with its secret", async () => {
    const keys = clientsFor(emu()).serverless();
    const { result: key, hits } = await underFaults({ responseLost: { next: 1 }, match: { method: "POST", pathPrefix: "/credentials/api-key" } }, () =>
      keys.createRecovering("lost-create-key"),
    );
    expect(hits.responseLost).toBe(1);
    expect(key.key).toEqual(expect.any(String));
    expect((await keys.list()).filter((k) => k.name === "lost-create-key").map((k) => k.id)).toEqual([key.id]);
  });

  test("a gateway token whose create answer is lost: exactly one token afterwards, with its secret", async () => {
    const gw = clientsFor(emu()).aigateway();
    const { result: t, hits } = await underFaults({ responseLost: { next: 1 }, match: { method: "POST", pathPrefix: "/aigateway/v1/gateways" } }, () =>
      gw.createTokenRecovering("lost-gateway", "token-user01"),
    );
    expect(hits.responseLost).toBe(1);
    expect(t.token).toEqual(expect.any(String));
    expect((await gw.listTokens("lost-gateway")).map((x) => x.id)).toEqual([t.id]);
  });

  test("a non-idempotent create whose answer is lost is not repeated: it says it may have succeeded, and one key exists", async () => {
    const keys = clientsFor(emu()).serverless();
    let err: PlatformError | undefined;
    const { hits } = await underFaults({ responseLost: { next: 1 }, match: { method: "POST", pathPrefix: "/credentials/api-key" } }, async () => {
      err = await caught(keys.create("lost-plain-create"));
    });
    expect(err).toMatchObject({ mayHaveSucceeded: true });
    expect(hits).toMatchObject({ matched: 1, responseLost: 1 }); // a blind retry would be a second POST
    expect((await keys.list()).filter((k) => k.name === "lost-plain-create")).toHaveLength(1);
  });

  test("the service account's token exchange is retried on a 503 (it is safe to repeat)", async () => {
    const sa = emu().info.serviceAccount;
    const clients = clientsFor(emu(), { token: undefined, serviceAccountId: sa.clientId, serviceAccountSecret: sa.clientSecret, tokenUrl: emu().info.tokenUrl });
    const { result, hits } = await underFaults({ error5xx: { next: 1, status: 503 }, match: { pathPrefix: new URL(emu().info.tokenUrl).pathname } }, () => clients.vault().list());
    expect(result).toEqual(expect.any(Array));
    expect(hits.error5xx).toBe(1);
  });

  test("a vault create refused with a 503 before it was written is sent again after the lookup finds nothing", async () => {
    const vault = clientsFor(emu()).vault();
    const { result: item, hits } = await underFaults({ error5xx: { next: 1, status: 503 }, match: { method: "PUT", pathPrefix: "/user_vault" } }, () =>
      vault.upsert({ type: "env_vars", key: "AFTER_503", value: "v" }),
    );
    expect(hits).toMatchObject({ matched: 2, error5xx: 1 });
    expect((await vault.list({ type: "env_vars" })).filter((i) => i.key === "AFTER_503").map((i) => i.id)).toEqual([item.id]);
  });

  test("a non-idempotent create is not retried blindly on a 5xx: one key, no orphan", async () => {
    const keys = clientsFor(emu()).serverless();
    const { result: key, hits } = await underFaults({ error5xx: { next: 1, status: 502 }, match: { method: "POST", pathPrefix: "/credentials/api-key" } }, () =>
      keys.createRecovering("after-502"),
    );
    expect(hits.error5xx).toBe(1);
    expect((await keys.list()).filter((k) => k.name === "after-502").map((k) => k.id)).toEqual([key.id]);
  });
});

test("an answer of the wrong shape is a BAD_RESPONSE error, not a crash later", async () => {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ results: [{ id: "not-a-number", type: "bearer_tokens" }] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const err = await caught(createClients({ apiUrl: `http://127.0.0.1:${port}`, token: "t" }).vault().list());
    expect(err.code).toBe(ErrorCodes.BAD_RESPONSE);
    expect(err.message).toContain("results.0.id");
  } finally {
    server.close();
  }
});

test("an error never carries the token or the value written, even from a server that echoes them back", async () => {
  const token = "echoed-bearer-token-0123456789";
  const value = "echoed-secret-value-9876543210";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      res.statusCode = 422;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ detail: [{ loc: ["body", "value"], msg: `bad: ${req.headers.authorization} ${body}`, type: "value_error" }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const err = await caught(createClients({ apiUrl: `http://127.0.0.1:${port}`, token }).vault().upsert({ type: "env_vars", key: "K", value }));
    expect(err.status).toBe(422);
    const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack });
    expect(everything).toContain("bad: "); // the platform's words are there...
    expect(everything).not.toContain(token); // ...without the credentials
    expect(everything).not.toContain(value);
  } finally {
    server.close();
  }
});

describe("timeouts, drops, token refresh and settings", () => {
  test("an answer slower than timeoutMs is a NETWORK error after the retries, naming the path", async () => {
    // undici checks timeouts on a coarse tick (about half a second), so the numbers are not small.
    const slow = createClients(settingsFor(emu()), { timeoutMs: 1000, retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10 } });
    await admin(emu(), "PUT", "/faults", { latencyMs: 3000, match: { pathPrefix: "/user_vault" } });
    const err = await caught(slow.vault().list());
    expect(err).toMatchObject({ code: ErrorCodes.NETWORK, method: "GET", path: "/user_vault" });
  });

  test("a connection dropped under a key create: the recovering create leaves exactly one key", async () => {
    const keys = clientsFor(emu()).serverless();
    const { result: key, hits } = await underFaults({ drop: { next: 1 }, match: { method: "POST", pathPrefix: "/credentials/api-key" } }, () => keys.createRecovering("after-drop"));
    expect(hits.drop).toBe(1);
    expect((await keys.list()).filter((k) => k.name === "after-drop").map((k) => k.id)).toEqual([key.id]);
  });

  test("the access token is exchanged again shortly before it expires, not on every call", async () => {
    const sa = emu().info.serviceAccount;
    let now = Date.now();
    const source = new ClientCredentialsToken({ service: "ccluster", style: "form", tokenUrl: emu().info.tokenUrl, clientId: sa.clientId, clientSecret: sa.clientSecret, now: () => now });
    const exchanges = async () => (await admin(emu(), "GET", "/stats")).requests as number;
    const first = await source.getToken();
    const before = await exchanges();
    expect(await source.getToken()).toBe(first); // cached: no request
    expect(await exchanges()).toBe(before); // cached: the emulator saw no request (its admin calls are not counted)
    now += 60 * 60 * 1000; // past any lifetime minus the refresh skew
    const second = await source.getToken();
    expect(second).not.toBe(first);
  });

  test("settings: stack config wins over the environment, which wins over the default; the platform CLI's names count", () => {
    const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
    expect(resolveSettings(config({ "ccluster:apiUrl": "https://from-config" }), { CCLUSTER_API_URL: "https://from-env" }).apiUrl).toBe("https://from-config");
    expect(resolveSettings(config({}), { CCLUSTER_API_URL: "https://from-env", CENTML_PLATFORM_API_URL: "https://cli-name" }).apiUrl).toBe("https://from-env");
    expect(resolveSettings(config({}), { CENTML_PLATFORM_API_URL: "https://cli-name" }).apiUrl).toBe("https://cli-name");
    expect(resolveSettings(config({}), {}).apiUrl).toBe("https://api.centml.com");
    expect(resolveSettings(config({}), { CENTML_SERVICE_ACCOUNT_ID: "id", CENTML_SERVICE_ACCOUNT_SECRET: "s" })).toMatchObject({ serviceAccountId: "id", serviceAccountSecret: "s" });
  });
});

test("a 403 (a valid token without the right) is a clear AUTH error that does not contain the token", async () => {
  const token = "valid-but-not-allowed-0123456789";
  const server = createServer((_req, res) => {
    res.statusCode = 403;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ detail: "Not enough permissions" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as AddressInfo).port;
    const err = await caught(createClients({ apiUrl: `http://127.0.0.1:${port}`, token }).vault().delete(7));
    expect(err).toMatchObject({ code: ErrorCodes.AUTH, status: 403, method: "DELETE", platformMessage: "Not enough permissions" });
    expect(err.message).toContain("denied this request to these credentials (they are valid but lack the permission");
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(token);
  } finally {
    server.close();
  }
});

describe("a server that echoes the request in its errors (how a registry password once reached the output of pulumi up)", () => {
  // Quotes, a backslash, a space, a slash, a plus and non-ASCII: every escaping changes it.
  const password = 'R3g"is\\try p/w+é😀';
  const value = JSON.stringify({ username: "robot", password, server: "registry.example.com" });
  const pyAscii = (text: string) => text.replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  const pythonDumps = (body: unknown) => pyAscii(JSON.stringify(body).replace(/([,:])/g, "$1 ")); // json.dumps(..., ensure_ascii=True)

  /** How the server echoes the request body (as sent, `raw`) back, and with which status. */
  const echoes: [string, 422 | 500, (raw: string) => { contentType: string; text: string }][] = [
    ["FastAPI 422 detail with the body in msg", 422, (raw) => fastApi(`echo: ${raw}`)],
    ["plain-text 500 with the body", 500, (raw) => plain(`echo: ${raw}`)],
    ["plain-text 500 with Python's json.dumps of the body (ASCII only)", 500, (raw) => plain(`echo: ${pythonDumps(JSON.parse(raw))}`)],
    ["422 detail with the URL-encoded body", 422, (raw) => fastApi(`echo: ${encodeURIComponent(raw)}`)],
    ["500 with the form-encoded body", 500, (raw) => plain(`echo: ${new URLSearchParams({ body: raw }).toString()}`)],
    ["500 with the base64 body", 500, (raw) => plain(`echo: ${Buffer.from(raw).toString("base64")}`)],
    ["422 detail with the base64url body", 422, (raw) => fastApi(`echo: ${Buffer.from(raw).toString("base64url")}`)],
    [
      "422 naming the password alone, raw, URL-encoded and base64",
      422,
      (raw) => {
        const pw = JSON.parse(JSON.parse(raw).value).password as string;
        return fastApi(`echo: password ${pw} / ${encodeURIComponent(pw)} / ${Buffer.from(pw).toString("base64")} is too weak`);
      },
    ],
  ];
  function fastApi(msg: string) {
    return { contentType: "application/json", text: JSON.stringify({ detail: [{ loc: ["body", "value"], msg, type: "value_error" }] }) };
  }
  function plain(text: string) {
    return { contentType: "text/plain", text };
  }

  test.each(echoes)("%s: no form of the password or of the value reaches the error", async (_name, status, echo) => {
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (d: Buffer) => (raw += d.toString()));
      req.on("end", () => {
        const answer = echo(raw);
        res.writeHead(status, { "content-type": answer.contentType });
        res.end(answer.text);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const vault = createClients({ apiUrl: `http://127.0.0.1:${port}`, token: "t0ken-for-the-echo-test" }, { retry: { baseDelayMs: 5, maxDelayMs: 10 } }).vault();
      // A 422 on a create, a 500 on an update by id (neither is retried).
      const request = { type: "registry_credentials" as const, key: "registry", value, ...(status === 500 ? { id: 7 } : {}) };
      const err = await caught(vault.upsert(request));
      expect(err.status).toBe(status);
      const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack });
      expect(err.message).toContain("echo: "); // the platform's words are there...
      // ...without the password (or a piece of it), however it was encoded: every decoding of the
      // error, searched for every encoded form.
      const secrets = [
        { what: "the password", value: password },
        { what: "a piece of the password", value: '"is\\try' },
      ];
      expect(leaksIn(secrets, decodedPlaces({ where: "the error", text: everything }))).toEqual([]);
    } finally {
      server.close();
    }
  });

  test("the service account's secret is not shown when the token URL echoes the Basic header and the form", async () => {
    const clientSecret = "gw-client-secret-0123456789";
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (d: Buffer) => (raw += d.toString()));
      req.on("end", () => {
        res.writeHead(401, { "content-type": "application/json" });
        const basic = String(req.headers.authorization ?? "").replace(/^Basic /, "");
        res.end(JSON.stringify({ error: "invalid_client", error_description: `echo: credentials ${basic} body ${raw}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${port}`;
      const clients = createClients({ aigatewayApiUrl: url, aigatewayClientId: "gw-client", aigatewayClientSecret: clientSecret, aigatewayTokenUrl: `${url}/token` });
      const err = await caught(clients.aigateway().listTokens("some-gateway"));
      expect(err).toMatchObject({ code: ErrorCodes.AUTH, status: 401 });
      expect(err.message).toContain("echo: credentials ");
      const error = { where: "the error", text: JSON.stringify({ ...err, message: err.message }) };
      expect(leaksIn([{ what: "the client secret", value: clientSecret }], decodedPlaces(error))).toEqual([]);
    } finally {
      server.close();
    }
  });
});

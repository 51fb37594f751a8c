/**
 * The client's retry rules (provider/client/retry.ts) against local servers on port 0: a time
 * budget per call instead of a fixed number of tries, Retry-After, the rule that a create is never
 * repeated once it may have left, the cap on concurrent requests, and errors that say which URL
 * could not be reached and which settings set it. Assertions are on codes and counts of attempts,
 * never on how long something took.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, type Dispatcher } from "undici";
import {
  ClientCredentialsToken,
  ConcurrencyLimit,
  createClients,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  ErrorCodes,
  PlatformError,
  resolveSettings,
  type ClientOptions,
  type Settings,
} from "../../provider/client";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server on a free loopback port; `requests` counts what reached it. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; port: number; requests: () => number; server: Server }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on("end", () => handler(req, res, requests));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests: () => requests, server };
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** An undici dispatcher that counts the requests handed to it, refused connections included. */
function countingDispatcher(inner: Dispatcher = new Agent()): { dispatcher: Dispatcher; attempts: () => number } {
  let attempts = 0;
  const dispatcher = {
    dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      attempts++;
      return inner.dispatch(opts, handler);
    },
  } as unknown as Dispatcher;
  return { dispatcher, attempts: () => attempts };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const vaultList = { results: [] };
const apiKey = { name: "k", id: "key-1", created_at: "2026-01-01T00:00:00Z", key: "sk-secret" };

function clients(url: string, options: ClientOptions = {}, settings: Settings = {}) {
  return createClients({ apiUrl: url, token: "t0ken-for-retry-tests", ...settings }, options);
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

describe("a platform that restarts", () => {
  /** Refuses connections (nothing listens) for ~3 s, then listens on the same port again. */
  async function restartingPlatform(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    const port = await closedPort();
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on("end", () => handler(req, res));
    });
    servers.push(server);
    setTimeout(() => server.listen(port, "127.0.0.1"), 3000);
    return { url: `http://127.0.0.1:${port}`, requests: () => requests };
  }

  test("an idempotent call made while it is down succeeds once it is back, within the default budget", async () => {
    const platform = await restartingPlatform((_req, res) => json(res, 200, vaultList));
    const counted = countingDispatcher();
    await expect(clients(platform.url, { dispatcher: counted.dispatcher }).vault().list()).resolves.toEqual([]);
    expect(platform.requests()).toBe(1);
    expect(counted.attempts()).toBeGreaterThan(1); // it was refused first, and tried again
  });

  test("a key create made while it is down is sent again (the refused request never left) and made once", async () => {
    const platform = await restartingPlatform((_req, res) => json(res, 200, apiKey));
    await expect(clients(platform.url).serverless().create("k")).resolves.toMatchObject({ id: "key-1" });
    expect(platform.requests()).toBe(1);
  });
});

describe("429 and Retry-After", () => {
  test("Retry-After is waited for: the server, which refuses anyone back before it, sees no early retry", async () => {
    let notBefore = 0;
    let early = 0;
    const platform = await serve((_req, res, n) => {
      if (Date.now() < notBefore) early++;
      if (n <= 2) {
        notBefore = Date.now() + 1000;
        return json(res, 429, { detail: "Too Many Requests" }, { "retry-after": "1" });
      }
      json(res, 200, vaultList);
    });
    // Backoff alone would be back within 10 ms.
    await expect(clients(platform.url, { retry: { baseDelayMs: 1, maxDelayMs: 10 } }).vault().list()).resolves.toEqual([]);
    expect(platform.requests()).toBe(3);
    expect(early).toBe(0);
  });

  test("a create refused with 429 is sent again (the platform did not do it); one refused with 503 is not", async () => {
    const limited = await serve((_req, res, n) => (n === 1 ? json(res, 429, { detail: "Too Many Requests" }, { "retry-after": "0" }) : json(res, 200, apiKey)));
    await expect(clients(limited.url).serverless().create("k")).resolves.toMatchObject({ id: "key-1" });
    expect(limited.requests()).toBe(2);

    const failing = await serve((_req, res) => json(res, 503, { detail: "Service Unavailable" }));
    const err = await caught(clients(failing.url, { retry: { baseDelayMs: 1, maxDelayMs: 10 } }).serverless().create("k"));
    expect(err.code).toBe(ErrorCodes.SERVER);
    expect(failing.requests()).toBe(1);
  });

  test("a Retry-After that ends after the budget ends the call at once, on the token exchange too", async () => {
    const tokenUrl = await serve((_req, res) => json(res, 429, { error: "slow_down" }, { "retry-after": "5" }));
    const source = new ClientCredentialsToken({ service: "ccluster", style: "form", tokenUrl: `${tokenUrl.url}/oauth2/token`, clientId: "id", clientSecret: "secret-123", retry: { budgetMs: 1000 } });
    const err = await caught(source.getToken());
    expect(err).toMatchObject({ code: ErrorCodes.RATE_LIMITED, retryAfterSeconds: 5 });
    expect(tokenUrl.requests()).toBe(1);
  });
});

describe("a budget of 1 s", () => {
  const budget = { retry: { budgetMs: 1000 } };

  test.each([
    { answer: "429 without Retry-After", status: 429, code: ErrorCodes.RATE_LIMITED },
    { answer: "503", status: 503, code: ErrorCodes.SERVER },
  ])("$answer on every attempt: gives up with $code after a few attempts", async ({ status, code }) => {
    const platform = await serve((_req, res) => json(res, status, { detail: "no" }));
    const err = await caught(clients(platform.url, budget).vault().list());
    expect(err.code).toBe(code);
    // Backoff ceilings of 250, 500, 1000 ms...: more than one attempt, far fewer than a tight loop would make.
    expect(platform.requests()).toBeGreaterThan(1);
    expect(platform.requests()).toBeLessThan(15);
  });

  test("it is the budget that ends the retries, not a count of tries: with a short backoff there are many attempts, then the error", async () => {
    const platform = await serve((_req, res) => json(res, 503, { detail: "no" }));
    const err = await caught(clients(platform.url, { retry: { budgetMs: 1000, baseDelayMs: 1, maxDelayMs: 10 } }).vault().list());
    expect(err.code).toBe(ErrorCodes.SERVER);
    expect(platform.requests()).toBeGreaterThan(10);
    expect(platform.requests()).toBeLessThan(1000);
  });

  test("refused connections on every attempt: gives up with NETWORK after a few attempts", async () => {
    const counted = countingDispatcher();
    const err = await caught(clients(`http://127.0.0.1:${await closedPort()}`, { ...budget, dispatcher: counted.dispatcher }).vault().list());
    expect(err.code).toBe(ErrorCodes.NETWORK);
    expect(counted.attempts()).toBeGreaterThan(1);
    expect(counted.attempts()).toBeLessThan(15);
  });

  test("the token exchange keeps to the same budget and backoff", async () => {
    const tokenUrl = await serve((_req, res) => json(res, 503, { error: "temporarily_unavailable" }));
    const source = new ClientCredentialsToken({ service: "ccluster", style: "form", tokenUrl: `${tokenUrl.url}/oauth2/token`, clientId: "id", clientSecret: "secret-123", ...budget });
    expect((await caught(source.getToken())).code).toBe(ErrorCodes.SERVER);
    expect(tokenUrl.requests()).toBeGreaterThan(1);
    expect(tokenUrl.requests()).toBeLessThan(15);
  });
});

describe("the retryTimeoutSeconds setting", () => {
  const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

  test("comes from stack config, then CCLUSTER_RETRY_TIMEOUT_SECONDS, then the default of 60", () => {
    const env = { CCLUSTER_RETRY_TIMEOUT_SECONDS: "5" };
    expect(resolveSettings(config({ "ccluster:retryTimeoutSeconds": "120" }), env).retryTimeoutSeconds).toBe("120");
    expect(resolveSettings(config({}), env).retryTimeoutSeconds).toBe("5");
    expect(resolveSettings(config({}), {}).retryTimeoutSeconds).toBe("60");
  });

  test("0 retries nothing: one attempt", async () => {
    const platform = await serve((_req, res) => json(res, 503, { detail: "no" }));
    const err = await caught(clients(platform.url, {}, { retryTimeoutSeconds: "0" }).vault().list());
    expect(err.code).toBe(ErrorCodes.SERVER);
    expect(platform.requests()).toBe(1);
  });

  test("a value that is not a number of seconds is a CONFIG error naming the setting", async () => {
    const platform = await serve((_req, res) => json(res, 200, vaultList));
    expect(() => clients(platform.url, {}, { retryTimeoutSeconds: "a minute" }).vault()).toThrow(
      /CCLUSTER_ERR_CONFIG.*ccluster:retryTimeoutSeconds \(or CCLUSTER_RETRY_TIMEOUT_SECONDS\) must be a number of seconds/,
    );
    expect(platform.requests()).toBe(0);
  });
});

describe("the cap on concurrent requests", () => {
  /** A server that holds each request 30 ms and records the most it had at once. */
  async function concurrencyMeter() {
    let now = 0;
    let most = 0;
    const platform = await serve((_req, res) => {
      most = Math.max(most, ++now);
      setTimeout(() => {
        now--;
        json(res, 200, vaultList);
      }, 30);
    });
    return { ...platform, most: () => most };
  }

  test("a limit shared by two clients holds over both: the server never sees more than it", async () => {
    const platform = await concurrencyMeter();
    const concurrency = new ConcurrencyLimit(3);
    const dispatcher = new Agent({ connections: 100 }); // the connection pool is no limit here
    const a = clients(platform.url, { concurrency, dispatcher }).vault();
    const b = clients(platform.url, { concurrency, dispatcher }).vault();
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).list()));
    expect(platform.requests()).toBe(30);
    expect(platform.most()).toBe(3);
  });

  test(`by default the whole process keeps to ${DEFAULT_MAX_CONCURRENT_REQUESTS} requests at once`, async () => {
    const platform = await concurrencyMeter();
    const dispatcher = new Agent({ connections: 100 });
    const calls = Array.from({ length: 3 * DEFAULT_MAX_CONCURRENT_REQUESTS }, () => clients(platform.url, { dispatcher }).vault().list());
    await Promise.all(calls);
    expect(platform.most()).toBe(DEFAULT_MAX_CONCURRENT_REQUESTS);
  });
});

describe("an unreachable URL says which URL and which settings", () => {
  /** An undici dispatcher for a machine whose DNS knows no host at all (no internet). */
  const offline = () =>
    countingDispatcher(
      new Agent({
        connect: (opts, callback) => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${opts.hostname}`), { code: "ENOTFOUND" }), null),
      }),
    );

  test("the default platform URL on a machine without internet: names it as the default and its settings, at once", async () => {
    const counted = offline();
    const settings = resolveSettings({ get: (k) => (k === "ccluster:token" ? "t0ken" : undefined) }, {});
    const err = await caught(createClients(settings, { dispatcher: counted.dispatcher }).vault().list());
    expect(err.code).toBe(ErrorCodes.NETWORK);
    expect(err.message).toContain("could not be reached at https://api.centml.com");
    expect(err.message).toContain("ccluster:apiUrl / CCLUSTER_API_URL / CENTML_PLATFORM_API_URL (default https://api.centml.com)");
    expect(err.platformMessage).toBe("ENOTFOUND");
    expect(counted.attempts()).toBe(1); // a name that does not resolve is not waited for
  });

  test("a configured platform URL where nothing listens", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const err = await caught(clients(url, { retry: { budgetMs: 300 } }).vault().list());
    expect(err).toMatchObject({ code: ErrorCodes.NETWORK, method: "GET", path: "/user_vault" });
    expect(err.message).toContain(`could not be reached at ${url}; the URL comes from ccluster:apiUrl / CCLUSTER_API_URL / CENTML_PLATFORM_API_URL`);
  });

  test("the AI gateway's URL names the gateway's setting", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/aigateway`;
    const err = await caught(createClients({ aigatewayApiUrl: url, aigatewayToken: "t0ken" }, { retry: { budgetMs: 300 } }).aigateway().listTokens("some-gateway"));
    expect(err.code).toBe(ErrorCodes.NETWORK);
    expect(err.message).toContain(`The AI gateway API could not be reached at ${url}; the URL comes from aigateway:apiUrl / AIGATEWAY_API_URL`);
  });

  test("the service account's token URL names the token URL's settings", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/oauth2/token`;
    const settings = { apiUrl: "http://127.0.0.1:1", serviceAccountId: "id", serviceAccountSecret: "secret-123", tokenUrl: url };
    const err = await caught(createClients(settings, { retry: { budgetMs: 300 } }).vault().list());
    expect(err.code).toBe(ErrorCodes.NETWORK);
    expect(err.message).toContain(`token URL could not be reached at ${url}; the URL comes from ccluster:tokenUrl / CCLUSTER_TOKEN_URL / CENTML_SERVICE_ACCOUNT_TOKEN_URL`);
  });

  test("credentials written into the URL are not shown", async () => {
    const port = await closedPort();
    const err = await caught(clients(`http://robot:pa55w0rd-in-url@127.0.0.1:${port}`, { retry: { budgetMs: 0 } }).vault().list());
    expect(err.message).toContain(`could not be reached at http://127.0.0.1:${port}`);
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain("pa55w0rd-in-url");
  });
});

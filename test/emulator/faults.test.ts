import { request } from "undici";
import { startEmulator, type Emulator, type FaultStats } from "../../emulator";
import { admin, asUser, call, gatewayAccessToken, stateOnDisk, type Answer } from "./support";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});
afterEach(async () => {
  await admin(emu.info, "DELETE", "/faults");
});

async function stats(): Promise<FaultStats> {
  return (await admin(emu.info, "GET", "/stats")).body as FaultStats;
}

/**
 * Runs `action` under `faults` and returns how many requests each fault kind hit meanwhile. The
 * gauges (`inFlight`, `held`: how many right now) and the non-fault counts are left out.
 */
async function hitsDuring(faults: unknown, action: () => Promise<void>): Promise<Omit<FaultStats, "requests" | "inFlight" | "matched" | "held">> {
  const put = await admin(emu.info, "PUT", "/faults", faults);
  expect(put.status).toBe(200);
  const before = await stats();
  await action();
  const after = await stats();
  return {
    latency: after.latency - before.latency,
    drop: after.drop - before.drop,
    error5xx: after.error5xx - before.error5xx,
    echo: after.echo - before.echo,
    rateLimit: after.rateLimit - before.rateLimit,
    responseLost: after.responseLost - before.responseLost,
  };
}

const listVault = () => asUser(emu.info, "alice").list();

describe("faults", () => {
  it("error5xx answers the next N matching requests with the chosen status, then recovers", async () => {
    const statuses: number[] = [];
    const hits = await hitsDuring({ error5xx: { next: 2, status: 502 } }, async () => {
      for (let i = 0; i < 3; i++) statuses.push((await listVault()).status);
    });
    expect(statuses).toEqual([502, 502, 200]);
    expect(hits).toMatchObject({ error5xx: 2, drop: 0, rateLimit: 0, responseLost: 0 });
  });

  it("error5xx answers before doing anything: the write does not happen", async () => {
    await admin(emu.info, "PUT", "/faults", { error5xx: { next: 1 } });
    const refused = await asUser(emu.info, "alice").put({ type: "env_vars", key: "NOT_WRITTEN_5XX", value: "x" });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ detail: "Service Unavailable" });
    expect((await asUser(emu.info, "alice").list("?search_query=NOT_WRITTEN_5XX")).body.results).toEqual([]);
  });

  describe("echo answers with the request body carried back, before doing anything", () => {
    // What a careless server quotes back must include these exactly as the client sent them.
    const item = { type: "env_vars", key: "ECHOED", value: 'p"a\\s/s é✓ +&=', visibility: "USER" };
    const sent = JSON.stringify(item);

    it.each([
      ["raw", 422, (a: Answer) => {
        expect(a.headers["content-type"]).toBe("text/plain; charset=utf-8");
        expect(a.text).toBe(`could not process /user_vault: type=env_vars key=ECHOED value=${item.value} visibility=USER`);
      }],
      ["json", 422, (a: Answer) => {
        expect(a.body).toEqual({ detail: [{ type: "value_error", loc: ["body"], msg: `Value error, could not process ${sent}`, input: item }] });
      }],
      ["urlencoded", 500, (a: Answer) => {
        expect(a.body.detail).toBe(`could not process /user_vault?${new URLSearchParams(item).toString()}`);
        expect(a.body.detail).toContain("value=p%22a%5Cs%2Fs+%C3%A9%E2%9C%93+%2B%26%3D");
      }],
      ["base64", 500, (a: Answer) => {
        expect(a.body.detail).toBe(`could not process /user_vault; request body (base64): ${Buffer.from(sent).toString("base64")}`);
      }],
    ] as const)("style %s, status %d", async (style, status, check) => {
      let answer: Answer | undefined;
      const hits = await hitsDuring({ echo: { next: 1, status, style }, match: { method: "PUT", pathPrefix: "/user_vault" } }, async () => {
        answer = await call("PUT", `${emu.info.apiUrl}/user_vault`, { token: emu.info.users.alice.token, rawBody: sent, headers: { "content-type": "application/json" } });
      });
      expect(answer?.status).toBe(status);
      check(answer!);
      expect(hits).toMatchObject({ echo: 1, error5xx: 0, drop: 0, rateLimit: 0, responseLost: 0 });
      expect((await asUser(emu.info, "alice").list("?search_query=ECHOED")).body.results).toEqual([]);
      expect((await asUser(emu.info, "alice").put(item)).status).toBe(200); // next: 1 is used up
      expect((await asUser(emu.info, "alice").removeBy(item)).status).toBe(200);
    });

    it("a body that is not a JSON object is one field, and the fault is off unless set", async () => {
      await admin(emu.info, "PUT", "/faults", { echo: { next: 1, style: "raw" } });
      const echoed = await call("POST", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token, rawBody: "name=a b", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(echoed.status).toBe(422);
      expect(echoed.text).toBe("could not process /credentials/api-key: body=name=a b");
      expect((await admin(emu.info, "DELETE", "/faults")).body.echo).toEqual({ next: 0, rate: 0, status: 422, style: "json" });
      expect((await listVault()).status).toBe(200);
    });
  });

  it("rateLimit answers 429 with a Retry-After header", async () => {
    let answer: Awaited<ReturnType<typeof listVault>> | undefined;
    const hits = await hitsDuring({ rateLimit: { next: 1, retryAfterSeconds: 7 } }, async () => {
      answer = await listVault();
    });
    expect(answer?.status).toBe(429);
    expect(answer?.headers["retry-after"]).toBe("7");
    expect(answer?.body).toEqual({ detail: "Too Many Requests" });
    expect(hits.rateLimit).toBe(1);
    expect((await listVault()).status).toBe(200);
  });

  it("drop destroys the connection without an answer and without doing the work", async () => {
    let failure: unknown;
    const hits = await hitsDuring({ drop: { next: 1 } }, async () => {
      failure = await asUser(emu.info, "alice")
        .put({ type: "env_vars", key: "DROPPED", value: "x" })
        .then(() => undefined, (error: unknown) => error);
    });
    expect(failure).toBeInstanceOf(Error);
    expect(hits.drop).toBe(1);
    expect((await asUser(emu.info, "alice").list("?search_query=DROPPED")).body.results).toEqual([]);
  });

  it("responseLost does the write, persists it, and then drops the connection without an answer", async () => {
    let failure: unknown;
    const hits = await hitsDuring({ responseLost: { next: 1 }, match: { method: "PUT", pathPrefix: "/user_vault" } }, async () => {
      failure = await asUser(emu.info, "alice")
        .put({ type: "env_vars", key: "LOST_BUT_WRITTEN", value: "written" })
        .then(() => undefined, (error: unknown) => error);
    });
    expect(failure).toBeInstanceOf(Error);
    expect(hits.responseLost).toBe(1);

    const found = (await asUser(emu.info, "alice").list("?search_query=LOST_BUT_WRITTEN")).body.results;
    expect(found).toHaveLength(1);
    const onDisk = await stateOnDisk(emu.info.dataDir);
    expect(onDisk.vault.find((item) => item.key === "LOST_BUT_WRITTEN")?.value).toBe("written");
  });

  it("latencyMs delays every matching request (counted in stats, not timed)", async () => {
    const hits = await hitsDuring({ latencyMs: 20 }, async () => {
      for (let i = 0; i < 3; i++) expect((await listVault()).status).toBe(200);
    });
    expect(hits.latency).toBe(3);
  });

  it("latencyMs answers late but still does the work when the client gave up waiting, as a slow platform does", async () => {
    // The client abandons the request long before the emulator answers (like a client timeout).
    await admin(emu.info, "PUT", "/faults", { latencyMs: 2500, match: { method: "POST", pathPrefix: "/credentials/api-key" } });
    const abandoned = request(`${emu.info.apiUrl}/credentials/api-key`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.info.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "slow-but-done" }),
      signal: AbortSignal.timeout(200),
    }).then(
      () => "answered",
      (error: unknown) => (error as Error).name,
    );
    expect(await abandoned).toBe("TimeoutError");
    await admin(emu.info, "DELETE", "/faults");
    expect((await stats()).inFlight).toBe(1); // still being worked on
    while ((await stats()).inFlight > 0) await new Promise((r) => setTimeout(r, 50));
    const keys = await call("GET", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token });
    expect(keys.body.results.filter((k: { name: string }) => k.name === "slow-but-done")).toHaveLength(1);
  });

  it("holdWritesAfter lets N writes through, holds the later ones unanswered, and carries them out when the set changes", async () => {
    await admin(emu.info, "PUT", "/faults", { holdWritesAfter: 1, match: { pathPrefix: "/user_vault" } });
    const alice = asUser(emu.info, "alice");
    expect((await alice.put({ type: "env_vars", key: "HOLD_FIRST", value: "1" })).status).toBe(200);
    let answered = false;
    const second = alice.put({ type: "env_vars", key: "HOLD_SECOND", value: "2" }).then((r) => {
      answered = true;
      return r;
    });
    while ((await stats()).held < 1) await new Promise((r) => setTimeout(r, 20));
    expect((await listVault()).status).toBe(200); // reads pass while a write is held
    expect(answered).toBe(false);
    expect((await alice.list("?search_query=HOLD_SECOND")).body.results).toEqual([]);
    await admin(emu.info, "DELETE", "/faults");
    expect((await second).status).toBe(200);
    expect((await stats()).held).toBe(0);
    expect((await alice.list("?search_query=HOLD_SECOND")).body.results).toHaveLength(1);
  });

  it("rate 1 hits every matching request, and match limits faults to the method and path prefix", async () => {
    const token = await gatewayAccessToken(emu.info);
    await admin(emu.info, "PUT", "/faults", { error5xx: { rate: 1 }, match: { method: "PUT", pathPrefix: "/user_vault" } });
    for (let i = 0; i < 3; i++) expect((await asUser(emu.info, "alice").put({ type: "env_vars", key: "MATCHED", value: "x" })).status).toBe(503);
    expect((await listVault()).status).toBe(200);
    expect((await call("POST", `${emu.info.apiUrl}/credentials/api-key`, { token: emu.info.token, json: { name: "unmatched" } })).status).toBe(200);

    await admin(emu.info, "PUT", "/faults", { error5xx: { next: 1 }, match: { pathPrefix: "/aigateway" } });
    expect((await call("GET", `${emu.info.aigatewayUrl}/v1/gateways/faulty-gw/tokens`, { token })).status).toBe(503);
    expect((await call("GET", `${emu.info.aigatewayUrl}/v1/gateways/faulty-gw/tokens`, { token })).status).toBe(200);
  });

  it("never faults /_admin, so a test can always turn faults off", async () => {
    await admin(emu.info, "PUT", "/faults", { error5xx: { rate: 1 }, drop: { rate: 1 } });
    expect((await admin(emu.info, "GET", "/stats")).status).toBe(200);
    expect((await admin(emu.info, "DELETE", "/faults")).status).toBe(200);
    expect((await listVault()).status).toBe(200);
  });

  it("reports the fault set with the remaining counts, replaces it on PUT and clears it on DELETE", async () => {
    await admin(emu.info, "PUT", "/faults", { error5xx: { next: 3 } });
    await listVault();
    const current = (await admin(emu.info, "GET", "/faults")).body;
    expect(current.error5xx).toEqual({ next: 2, rate: 0, status: 503 });
    expect(current.drop).toEqual({ next: 0, rate: 0 });

    const replaced = (await admin(emu.info, "PUT", "/faults", { drop: { next: 1 } })).body;
    expect(replaced.error5xx.next).toBe(0);
    expect(replaced.drop.next).toBe(1);

    const cleared = (await admin(emu.info, "DELETE", "/faults")).body;
    expect(cleared.drop.next).toBe(0);
    expect((await listVault()).status).toBe(200);
  });

  it("refuses an invalid fault set with 422 and keeps the previous one", async () => {
    await admin(emu.info, "PUT", "/faults", { rateLimit: { next: 1 } });
    const bad = await admin(emu.info, "PUT", "/faults", { error5xx: { status: 404 }, drop: { rate: 2 }, echo: { style: "xml", status: 302 } });
    expect(bad.status).toBe(422);
    const locs = (bad.body.detail as { loc: string[] }[]).map((d) => d.loc.join("."));
    expect(locs).toEqual(expect.arrayContaining(["body.error5xx.status", "body.drop.rate", "body.echo.style", "body.echo.status"]));
    expect((await admin(emu.info, "GET", "/faults")).body.rateLimit.next).toBe(1);
  });
});

describe("faults given at start", () => {
  it("apply from the first request", async () => {
    const faulty = await startEmulator({ faults: { error5xx: { next: 1, status: 500 } } });
    try {
      const url = `${faulty.info.apiUrl}/user_vault`;
      expect((await call("GET", url, { token: faulty.info.token })).status).toBe(500);
      expect((await call("GET", url, { token: faulty.info.token })).status).toBe(200);
    } finally {
      await faulty.stop();
    }
  });

  it("are checked: an invalid set refuses to start", async () => {
    await expect(startEmulator({ faults: { latencyMs: -1 } })).rejects.toThrow(/invalid fault set: latencyMs/);
  });
});

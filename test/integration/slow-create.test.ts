/**
 * A platform slower than the client's timeout on a create: the request times out on the client,
 * but the platform still makes the key or token afterwards (the emulator's latency fault does the
 * work after the delay, as a slow platform would). The recovering creates must not leave that late
 * key or token behind as an orphan whose secret nobody has.
 */
import { createClients, type Clients } from "../../provider/client";
import { admin, settingsFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
afterEach(async () => {
  await admin(emu(), "DELETE", "/faults");
});

// undici checks timeouts on a coarse tick (about half a second), so the numbers are not small.
const CLIENT_TIMEOUT_MS = 1000;
const PLATFORM_LATENCY_MS = 3000;

function impatientClients(): Clients {
  return createClients(settingsFor(emu()), { timeoutMs: CLIENT_TIMEOUT_MS, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes only the first matching request slow: the fault is cleared as soon as the emulator has
 * counted one delayed request, so the client's second try meets a platform of normal speed.
 * Resolves to how many requests were delayed, once that has happened.
 */
async function firstRequestSlow(match: { method: string; pathPrefix: string }): Promise<{ delayed: Promise<number> }> {
  const latencyCount = async () => (await admin(emu(), "GET", "/stats")).latency as number;
  const before = await latencyCount();
  await admin(emu(), "PUT", "/faults", { latencyMs: PLATFORM_LATENCY_MS, match });
  const delayed = (async () => {
    while ((await latencyCount()) === before) await pause(20);
    await admin(emu(), "DELETE", "/faults");
    return (await latencyCount()) - before;
  })();
  return { delayed };
}

/** Waits until the emulator has finished every request, the slow one included. */
async function settled(): Promise<void> {
  while (((await admin(emu(), "GET", "/stats")).inFlight as number) > 0) await pause(50);
}

test("a serverless key create slower than the client's timeout leaves exactly one key, the one returned", async () => {
  const keys = impatientClients().serverless();
  const { delayed } = await firstRequestSlow({ method: "POST", pathPrefix: "/credentials/api-key" });
  const key = await keys.createRecovering("slow-create-key");
  expect(key.key).toEqual(expect.any(String));
  expect(await delayed).toBe(1); // the first create was slow, the second was not
  await settled();
  expect((await keys.list()).filter((k) => k.name === "slow-create-key").map((k) => k.id)).toEqual([key.id]);
});

// Token names are unique per gateway, so a late create that lands after the retried one is only
// refused (409) and leaves nothing: the case that matters is the late create landing first, while
// the retry is still on its way. Then the retry meets a 409 caused by this very call's own token.
test("a gateway token create slower than the client's timeout that lands before the retry: the late token is deleted, exactly one token is left, the one returned", async () => {
  // The first try times out at ~3 s and lands at 4 s; the retry reaches the platform after the
  // timeout and is done 2 s later (within its own timeout), so the late token is there first.
  const gateway = createClients(settingsFor(emu()), { timeoutMs: 3000, retry: { baseDelayMs: 5, maxDelayMs: 50 } }).aigateway();
  const match = { method: "POST", pathPrefix: "/aigateway/v1/gateways/late-first-gw/tokens" };
  const latencyCount = async () => (await admin(emu(), "GET", "/stats")).latency as number;
  const before = await latencyCount();
  await admin(emu(), "PUT", "/faults", { latencyMs: 4000, match });
  const deletesBefore = (async () => {
    while ((await latencyCount()) === before) await pause(20);
    await admin(emu(), "PUT", "/faults", { latencyMs: 2000, match });
    while ((await latencyCount()) === before + 1) await pause(20);
    // From here the fault set only counts (as `matched`) the deletes of this gateway's tokens.
    await admin(emu(), "PUT", "/faults", { match: { method: "DELETE", pathPrefix: "/aigateway/v1/gateways/late-first-gw/tokens/" } });
    return (await admin(emu(), "GET", "/stats")).matched as number;
  })();
  const token = await gateway.createTokenRecovering("late-first-gw", "token-late-first");
  expect(token.token).toEqual(expect.any(String));
  await settled();
  // The late token landed (and was deleted: one delete), and the token returned is the only one.
  expect(((await admin(emu(), "GET", "/stats")).matched as number) - (await deletesBefore)).toBe(1);
  expect((await gateway.listTokens("late-first-gw")).map((t) => t.id)).toEqual([token.id]);
});

test("a vault write slower than the client's timeout, with no time left to try again: the write is waited for and taken, not left behind", async () => {
  // The budget is spent when the first try times out; the write lands about a second later.
  const vault = createClients(settingsFor(emu()), { timeoutMs: CLIENT_TIMEOUT_MS, retry: { budgetMs: 200, baseDelayMs: 5, maxDelayMs: 50 } }).vault();
  await admin(emu(), "PUT", "/faults", { latencyMs: 2 * CLIENT_TIMEOUT_MS, match: { method: "PUT", pathPrefix: "/user_vault" } });
  const item = await vault.upsert({ type: "env_vars", key: "SLOW_WRITE", value: "late-but-there" });
  await admin(emu(), "DELETE", "/faults");
  await settled();
  expect(item.value).toBe("late-but-there");
  expect((await vault.list({ type: "env_vars" })).filter((i) => i.key === "SLOW_WRITE").map((i) => i.id)).toEqual([item.id]);
  await vault.delete(item.id);
});

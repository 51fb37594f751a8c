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

test("a gateway token create slower than the client's timeout leaves exactly one token, the one returned", async () => {
  const gateway = impatientClients().aigateway();
  const { delayed } = await firstRequestSlow({ method: "POST", pathPrefix: "/aigateway/v1/gateways" });
  const token = await gateway.createTokenRecovering("slow-gateway", "token-slow01");
  expect(token.token).toEqual(expect.any(String));
  expect(await delayed).toBe(1); // the first create was slow, the second was not
  await settled();
  expect((await gateway.listTokens("slow-gateway")).map((t) => t.id)).toEqual([token.id]);
});

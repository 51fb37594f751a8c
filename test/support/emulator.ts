/** Two lines for any suite: `const emu = useEmulator();` then `emu().info.apiUrl` in tests. */
import { request } from "undici";
import { startEmulator } from "../../emulator";
import { createClients, type Clients, type Settings } from "../../provider/client";
import { emulatorStackConfig } from "../../scripts/project";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator(options);
  });
  afterAll(async () => {
    await emu?.stop();
  });
  return () => {
    if (!emu) throw new Error("the emulator did not start (see the beforeAll error above)");
    return emu;
  };
}

/** Client settings for user alice (static token) and the AI gateway's service account. */
export function settingsFor(emu: Emulator, overrides: Settings = {}): Settings {
  const i = emu.info;
  return {
    apiUrl: i.apiUrl,
    token: i.token,
    aigatewayApiUrl: i.aigatewayUrl,
    aigatewayClientId: i.aigatewayServiceAccount.clientId,
    aigatewayClientSecret: i.aigatewayServiceAccount.clientSecret,
    aigatewayTokenUrl: i.aigatewayTokenUrl,
    ...overrides,
  };
}

/** Clients with short retry delays, so fault tests stay quick. */
export function clientsFor(emu: Emulator, overrides: Settings = {}): Clients {
  return createClients(settingsFor(emu, overrides), { retry: { baseDelayMs: 5, maxDelayMs: 50 } });
}

/** Calls the emulator's admin API. */
export async function admin(emu: Emulator, method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: unknown): Promise<any> {
  const res = await request(`${emu.info.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${emu.info.adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`admin ${method} ${path} → ${res.statusCode}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Stack config that points a Pulumi program at the emulator as user alice and the AI gateway's service account. */
export function stackConfigFor(emu: Emulator): Record<string, { value: string; secret?: boolean }> {
  return emulatorStackConfig(emu.info);
}

/**
 * The dynamic-provider config (`configure`'s `config`) that points a provider at the emulator,
 * as the engine hands a program's stack config to it.
 */
export function providerConfigFor(emu: Emulator): { config: { get(k: string): string | undefined; require(k: string): string } } {
  const s = settingsFor(emu);
  const config: Record<string, string | undefined> = {
    "ccluster:apiUrl": s.apiUrl,
    "ccluster:token": s.token,
    "aigateway:apiUrl": s.aigatewayApiUrl,
    "aigateway:clientId": s.aigatewayClientId,
    "aigateway:clientSecret": s.aigatewayClientSecret,
    "aigateway:tokenUrl": s.aigatewayTokenUrl,
  };
  return { config: { get: (k) => config[k], require: (k) => config[k]! } };
}

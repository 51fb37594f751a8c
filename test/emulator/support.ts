/** Small helpers the emulator's test suites share: real HTTP calls with undici. */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { request, type Dispatcher } from "undici";
import type { EmulatorInfo } from "../../emulator";
import { Store, type State } from "../../emulator/store";

/**
 * The state a restart would read from `dataDir` now: its files copied as they are and opened as
 * the emulator opens them. What a crash at this moment would keep.
 */
export async function stateOnDisk(dataDir: string): Promise<State> {
  const copy = await fs.mkdtemp(path.join(os.tmpdir(), "emulator-crash-image-"));
  try {
    for (const file of await fs.readdir(dataDir)) await fs.copyFile(path.join(dataDir, file), path.join(copy, file));
    const store = await Store.open(copy);
    await store.close();
    return store.state as State;
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}

/** What a test looks at in an answer. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Answers are JSON of many shapes; tests assert on them field by field.
  body: any;
}

/** Options of one call. */
export interface CallOptions {
  token?: string;
  json?: unknown;
  /** A raw body (sent as is, with the content type given in `headers`). */
  rawBody?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

/** Calls `url` and reads the whole answer; the body is parsed when it is JSON. */
export async function call(method: Dispatcher.HttpMethod, url: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  if (options.form !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(options.form).toString();
  }
  const answer = await request(url, { method, headers, body, dispatcher: options.dispatcher });
  const text = await answer.body.text();
  const isJson = String(answer.headers["content-type"] ?? "").startsWith("application/json");
  return { status: answer.statusCode, headers: answer.headers, text, body: isJson ? JSON.parse(text) : undefined };
}

/** A vault call as user `user` of the emulator. */
export function asUser(info: EmulatorInfo, user: "alice" | "bob" | "carol") {
  const token = info.users[user].token;
  return {
    put: (item: Record<string, unknown>) => call("PUT", `${info.apiUrl}/user_vault`, { token, json: item }),
    get: (id: number | string) => call("GET", `${info.apiUrl}/user_vault/${id}`, { token }),
    list: (query = "") => call("GET", `${info.apiUrl}/user_vault${query}`, { token }),
    remove: (id: number | string) => call("DELETE", `${info.apiUrl}/user_vault/${id}`, { token }),
    removeBy: (item: Record<string, unknown>) => call("DELETE", `${info.apiUrl}/user_vault`, { token, json: item }),
  };
}

/** An admin call (`/_admin/...`). */
export function admin(info: EmulatorInfo, method: Dispatcher.HttpMethod, path: string, json?: unknown): Promise<Answer> {
  return call(method, `${info.adminUrl}${path}`, { token: info.adminToken, json });
}

/** The platform access token for the emulator's service account. */
export async function serviceAccountToken(info: EmulatorInfo): Promise<string> {
  const answer = await call("POST", info.tokenUrl, {
    form: { grant_type: "client_credentials", client_id: info.serviceAccount.clientId, client_secret: info.serviceAccount.clientSecret },
  });
  if (answer.status !== 200) throw new Error(`token exchange answered ${answer.status}: ${answer.text}`);
  return answer.body.access_token as string;
}

/** The AI-gateway access token for the emulator's gateway service account (HTTP Basic). */
export async function gatewayAccessToken(info: EmulatorInfo): Promise<string> {
  const { clientId, clientSecret } = info.aigatewayServiceAccount;
  const answer = await call("POST", info.aigatewayTokenUrl, {
    form: { grant_type: "client_credentials" },
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
  });
  if (answer.status !== 200) throw new Error(`gateway token exchange answered ${answer.status}: ${answer.text}`);
  return answer.body.access_token as string;
}

/** A minimal chat completion request. */
export const chatRequest = { model: "test-model", messages: [{ role: "user", content: "Say hello" }] };

/** The `data:` payloads of a server-sent-event stream, in order. */
export function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .map((event) => event.trim())
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice("data: ".length));
}

/**
 * The `ccluster-emulator` bin as users run it: the compiled `dist/emulator/cli.js`
 * (built by `npx tsc -p tsconfig.json`, which `npm test` runs first).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promises as fs, readdirSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { resolveSettings } from "../../provider/client/settings";
import { configSourceOf } from "../../provider/plugin/config";

const root = path.resolve(__dirname, "../..");
const cli = path.join(root, "dist/emulator/cli.js");

/** Fails with a clear message when dist/ is missing or older than the emulator's sources. */
function requireFreshBuild(): void {
  let built: number;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    throw new Error(`${cli} is missing: run \`npx tsc -p tsconfig.json\` (or \`npm test\`, which builds first)`);
  }
  const sources = readdirSync(path.join(root, "emulator"));
  const stale = sources.filter((file) => file.endsWith(".ts") && statSync(path.join(root, "emulator", file)).mtimeMs > built);
  if (stale.length > 0) throw new Error(`dist/ is older than emulator/${stale.join(", emulator/")}: run \`npx tsc -p tsconfig.json\``);
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Starts the CLI and resolves with its first stdout line, parsed; `lines` keeps collecting stdout. */
function startCli(args: string[]): Promise<{ child: ChildProcess; record: Record<string, any>; firstLine: string; lines: string[] }> {
  requireFreshBuild();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  const collected: string[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => collected.push(line));
    lines.once("line", (firstLine) => {
      try {
        resolve({ child, record: JSON.parse(firstLine), firstLine, lines: collected });
      } catch (error) {
        reject(new Error(`first line is not JSON: ${firstLine} (${String(error)})`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the CLI exited with ${code} before printing; stderr: ${stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "emulator-cli-"));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe("ccluster-emulator CLI", () => {
  it("starts with a node shebang", async () => {
    requireFreshBuild();
    expect((await fs.readFile(cli, "utf8")).split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("prints the start-up record first; curl with its token lists an empty vault; SIGTERM stops it cleanly", async () => {
    const { child, record } = await startCli(["--port", "0", "--data-dir", dataDir]);
    expect(Object.keys(record).sort()).toEqual(
      [
        "apiUrl",
        "token",
        "users",
        "tokenUrl",
        "serviceAccount",
        "aigatewayUrl",
        "aigatewayTokenUrl",
        "aigatewayServiceAccount",
        "dedicatedEndpointUrl",
        "serverlessEndpointUrl",
        "privateEndpointUrl",
        "privateEndpointCaPem",
        "gatewayChatUrl",
        "adminUrl",
        "adminToken",
        "dataDir",
      ].sort(),
    );
    expect(record.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(record.privateEndpointUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/endpoints\/private$/);
    expect(record.privateEndpointCaPem).toContain("-----BEGIN CERTIFICATE-----");
    expect(record.users).toMatchObject({ alice: { org: "acme" }, bob: { org: "acme" }, carol: { org: "globex" } });
    expect(record.token).toBe(record.users.alice.token);
    expect(record.dataDir).toBe(path.resolve(dataDir));

    const { stdout } = await promisify(execFile)("curl", ["-s", "-H", `Authorization: Bearer ${record.token}`, `${record.apiUrl}/user_vault`]);
    expect(JSON.parse(stdout)).toEqual({ results: [] });

    child.kill("SIGTERM");
    expect(await exitOf(child)).toBe(0);
  });

  it("prints the pulumi config set commands (secrets with --secret) and the environment that point a program at it", async () => {
    const { child, record, lines } = await startCli(["--port", "0", "--data-dir", dataDir]);
    while (!lines.some((l) => l.includes("stop with Ctrl-C"))) await new Promise((r) => setTimeout(r, 20));
    const allCommands = lines.filter((l) => l.trim().startsWith("pulumi config set")).map((l) => l.trim());
    const [commands, pluginCommands] = [allCommands.slice(0, 5), allCommands.slice(5)];
    /** The five commands, with the AI gateway's config keys named by `gatewayKey`. */
    const expectedCommands = (gatewayKey: (setting: "apiUrl" | "clientId" | "clientSecret") => string) => [
      `pulumi config set ccluster:apiUrl ${record.apiUrl}`,
      `pulumi config set --secret ccluster:token ${record.token}`,
      `pulumi config set ${gatewayKey("apiUrl")} ${record.aigatewayUrl}`,
      `pulumi config set ${gatewayKey("clientId")} ${record.aigatewayServiceAccount.clientId}`,
      `pulumi config set --secret ${gatewayKey("clientSecret")} ${record.aigatewayServiceAccount.clientSecret}`,
    ];
    expect(commands).toEqual(expectedCommands((s) => `aigateway:${s}`));
    // The provider plugin gets only the ccluster namespace: the AI gateway's settings are in it.
    expect(pluginCommands).toEqual(expectedCommands((s) => `ccluster:aigateway${s[0].toUpperCase()}${s.slice(1)}`));
    // What the provider reads from them: the same settings, from stack config (the dynamic
    // resources' keys, or the plugin's config as the engine hands it over) or from the environment.
    const config = new Map(commands.map((c) => c.split(" ").slice(-2) as [string, string]));
    const pluginArgs = Object.fromEntries(pluginCommands.map((c) => c.split(" ").slice(-2)).map(([k, v]) => [k.slice("ccluster:".length), v]));
    const exported = lines.find((l) => l.trim().startsWith("export "))!.trim().slice("export ".length);
    const env = Object.fromEntries(exported.split(" ").map((pair) => pair.split("=") as [string, string]));
    const expected = {
      apiUrl: record.apiUrl,
      token: record.token,
      aigatewayApiUrl: record.aigatewayUrl,
      aigatewayClientId: record.aigatewayServiceAccount.clientId,
      aigatewayClientSecret: record.aigatewayServiceAccount.clientSecret,
    };
    expect(resolveSettings({ get: (k) => config.get(k) }, {})).toMatchObject(expected);
    expect(resolveSettings(undefined, env)).toMatchObject(expected);
    expect(resolveSettings(configSourceOf(pluginArgs), {})).toMatchObject(expected);
    child.kill("SIGTERM");
    expect(await exitOf(child)).toBe(0);
  });

  it("applies --faults and --access-token-ttl", async () => {
    const { record } = await startCli(["--port", "0", "--data-dir", dataDir, "--faults", '{"error5xx":{"next":1,"status":502}}', "--access-token-ttl", "42"]);
    const curl = (args: string[]) => promisify(execFile)("curl", ["-s", ...args]);
    const first = await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", `Authorization: Bearer ${record.token}`, `${record.apiUrl}/user_vault`]);
    expect(first.stdout).toBe("502");
    const exchange = await curl([
      "-d",
      `grant_type=client_credentials&client_id=${record.serviceAccount.clientId}&client_secret=${record.serviceAccount.clientSecret}`,
      record.tokenUrl,
    ]);
    expect(JSON.parse(exchange.stdout).expires_in).toBe(42);
  });

  it("exits with status 2 and a usage line on bad arguments", async () => {
    requireFreshBuild();
    for (const args of [["--faults", "{not json"], ["--port", "http"], ["--no-such-flag"]]) {
      const child = spawn(process.execPath, [cli, "--data-dir", dataDir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
      expect(await exitOf(child)).toBe(2);
      expect(stderr).toContain("usage: ccluster-emulator");
    }
  });
});

describe("crash safety", () => {
  it("a SIGKILL in the middle of a stream of writes loses no acknowledged write, and a restart cleans up", async () => {
    const { child, record } = await startCli(["--port", "0", "--data-dir", dataDir]);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `CRASH_${i}`;
        try {
          const res = await fetch(`${record.apiUrl}/user_vault`, {
            method: "PUT",
            headers: { authorization: `Bearer ${record.token}`, "content-type": "application/json" },
            body: JSON.stringify({ type: "env_vars", key, value: "x".repeat(2000) }),
          });
          if (res.status === 200) acknowledged.push(key);
        } catch {
          return; // the server is gone
        }
      }
    })();
    for (let waited = 0; acknowledged.length < 40; waited += 5) {
      if (waited > 20_000) throw new Error(`only ${acknowledged.length} writes were acknowledged in 20 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL"); // no chance to finish the write in flight
    await exitOf(child);
    stop = true;
    await writer;
    // A leftover from an interrupted write, as a kill between write and rename would leave it.
    await fs.writeFile(path.join(dataDir, "state.json.tmp-99999-abcdef"), '{"half":');

    const { child: again, record: after } = await startCli(["--port", "0", "--data-dir", dataDir]);
    const listed = await fetch(`${after.apiUrl}/user_vault?type=env_vars`, { headers: { authorization: `Bearer ${after.token}` } });
    const keys = ((await listed.json()) as { results: { key: string }[] }).results.map((i) => i.key);
    expect(acknowledged.filter((k) => !keys.includes(k))).toEqual([]);
    expect(await fs.readdir(dataDir)).toEqual(["state.json"]);
    again.kill("SIGTERM");
    await exitOf(again);
  });
});

/**
 * A stack of many credentials of every kind that talks to the platform (the `declared` fixture
 * program), and the books to check it against: what the platform holds next to what the state
 * records. Used by the crash and fault e2e suites.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { request } from "undici";
import { ensurePulumiEngine, runPulumi, type PulumiRun } from "../harness/engine";
import { clientsFor, stackConfigFor } from "./emulator";
import { createTestProject, repoRoot, type TestProject } from "./pulumi-project";
import type { Place, SecretValue } from "./secret-search";

type Emulator = Parameters<typeof clientsFor>[0];

export const GATEWAY = "scale-gateway";

/** Secret values the stack declares; {@link stackSecrets} adds the ones the platform and provider generate. */
export function scaleSecrets(tag: string) {
  return {
    env: `env-secret-${tag}-0123456789`,
    hf: `hf_${tag}${"s".repeat(34 - tag.length)}`,
    registry: `registry-pass-${tag}-987654`,
  };
}

let sshPublicKey: string | undefined;
function anSshPublicKey(): string {
  if (!sshPublicKey) {
    const keyFile = join(tmpdir(), `scale-ssh-${process.pid}`);
    rmSync(keyFile, { force: true });
    rmSync(`${keyFile}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scale", "-f", keyFile]);
    sshPublicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
  }
  return sshPublicKey;
}

/** One resource of the `declared` fixture: its plain inputs, and the inputs it reads from secret config. */
export interface ScaleResource {
  kind: string;
  name: string;
  args: Record<string, unknown>;
  secretArgs?: Record<string, string>;
}

/**
 * `count` auto-named resources, cycling through every kind that lives on the platform (a vault
 * item of each type, a serverless key, a gateway token), with secrets from secret config.
 */
export function scaleResources(count: number, secrets: ReturnType<typeof scaleSecrets>): ScaleResource[] {
  const makers: ((name: string) => ScaleResource)[] = [
    (n: string) => ({ kind: "BearerToken", name: n, args: {} }),
    (n: string) => ({ kind: "EnvironmentVariable", name: n, args: {}, secretArgs: { value: secrets.env } }),
    (n: string) => ({ kind: "ServerlessApiKey", name: n, args: {} }),
    (n: string) => ({ kind: "HuggingFaceToken", name: n, args: {}, secretArgs: { value: secrets.hf } }),
    (n: string) => ({ kind: "SshKey", name: n, args: { publicKey: anSshPublicKey() } }),
    (n: string) => ({ kind: "aigateway.AuthToken", name: n, args: { gateway: GATEWAY } }),
    (n: string) => ({ kind: "RegistryCredential", name: n, args: { username: "AWS", imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" }, secretArgs: { password: secrets.registry } }),
    (n: string) => ({ kind: "Certificate", name: n, args: { validityDays: 90 } }),
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length](`r${String(i).padStart(3, "0")}`));
}

/** A project of the `declared` fixture with these resources, pointed at the emulator. */
export async function scaleProject(emu: Emulator, resources: ScaleResource[], env: Record<string, string> = {}): Promise<TestProject> {
  const project = await createTestProject({ source: join(repoRoot, "test", "e2e", "fixtures", "declared"), config: stackConfigFor(emu), env });
  const shapes = resources.map((r) => ({ ...r, secretArgs: Object.keys(r.secretArgs ?? {}) }));
  const values = Object.fromEntries(resources.flatMap((r) => Object.entries(r.secretArgs ?? {}).map(([k, v]) => [`${r.name}.${k}`, v])));
  await project.stack.setConfig("resources", { value: JSON.stringify(shapes) });
  await project.stack.setConfig("secretValues", { value: JSON.stringify(values), secret: true });
  return project;
}

/** What the platform holds for user alice, by kind of object: sorted ids. */
export async function platformHoldings(emu: Emulator): Promise<{ vault: string[]; apiKeys: string[]; gatewayTokens: string[] }> {
  const clients = clientsFor(emu);
  const [vault, apiKeys, tokens] = await Promise.all([clients.vault().list(), clients.serverless().list(), clients.aigateway().listTokens(GATEWAY)]);
  return {
    vault: vault.map((i) => String(i.id)).sort(),
    apiKeys: apiKeys.map((k) => k.id).sort(),
    gatewayTokens: tokens.map((t) => t.id).sort(),
  };
}

/** What the stack's state records, in the same shape (from the CLI's own export). */
export async function stateHoldings(stack: Stack): Promise<{ vault: string[]; apiKeys: string[]; gatewayTokens: string[] }> {
  const resources = ((await stack.exportStack()).deployment.resources ?? []) as { type: string; id?: string; outputs?: Record<string, unknown> }[];
  const ids = (suffix: string) =>
    resources
      .filter((r) => r.type.endsWith(suffix) && r.id)
      .map((r) => r.id!)
      .sort();
  const vaultTypes = [":BearerToken", ":EnvironmentVariable", ":HuggingFaceToken", ":SshKey", ":RegistryCredential", ":Certificate"];
  return {
    vault: vaultTypes.flatMap((t) => ids(t)).sort(),
    apiKeys: ids(":ServerlessApiKey"),
    gatewayTokens: ids("aigateway:AuthToken"),
  };
}

/** The counts a closing note reports: objects no state records, and state entries with no object. */
export function reconcile(platform: Awaited<ReturnType<typeof platformHoldings>>, state: Awaited<ReturnType<typeof stateHoldings>>) {
  const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  return {
    orphans: [...diff(platform.vault, state.vault), ...diff(platform.apiKeys, state.apiKeys), ...diff(platform.gatewayTokens, state.gatewayTokens)],
    lost: [...diff(state.vault, platform.vault), ...diff(state.apiKeys, platform.apiKeys), ...diff(state.gatewayTokens, platform.gatewayTokens)],
    duplicateIds: [state.vault, state.apiKeys, state.gatewayTokens].flatMap((ids) => ids.filter((x, i) => ids.indexOf(x) !== i)),
  };
}

/**
 * Starts a Pulumi CLI command in its own process group, so that a SIGKILL reaches the CLI, the
 * language host, the program and the provider plugin at once, as when a CI runner is killed.
 */
export function startPulumi(args: string[], project: TestProject): { done: Promise<PulumiRun>; kill(): void } {
  const child = spawn(join(ensurePulumiEngine().binDir, "pulumi"), args, { cwd: project.dir, env: project.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const done = new Promise<PulumiRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 137 : -1), stdout, stderr }));
  });
  return {
    done,
    kill: () => {
      // The engine starts its plugins in process groups of their own, so they are looked up
      // first: killed with the engine, as a cancelled CI job kills the whole tree, they do not
      // outlive the test.
      const plugins = descendantsOf(child.pid!);
      for (const target of [-child.pid!, ...plugins]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Every process below `pid` (children, their children, ...), read from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces or parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended while the table was read
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, itsParent] of parentOf) {
      if (itsParent !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, predicate: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The declared config secrets (see {@link scaleSecrets}), named. */
export function declaredSecrets(declared: Record<string, string>): SecretValue[] {
  return Object.entries(declared).map(([k, value]) => ({ what: `declared secret "${k}"`, value }));
}

/** How many distinct secret values {@link stackSecrets} finds for these resources: the declared ones and one per generated secret. */
export function expectedSecretCount(declared: Record<string, string>, resources: ScaleResource[]): number {
  const generating = ["BearerToken", "ServerlessApiKey", "aigateway.AuthToken", "Certificate"];
  return new Set(Object.values(declared)).size + resources.filter((r) => generating.includes(r.kind)).length;
}

/** Distinct values, the names of a value's holders joined (the declared env value is held by many resources). */
function distinct(secrets: SecretValue[]): SecretValue[] {
  const byValue = new Map<string, string[]>();
  for (const s of secrets) byValue.set(s.value, [...(byValue.get(s.value) ?? []), s.what]);
  return [...byValue].map(([value, whats]) => ({ value, what: whats.length > 3 ? `${whats.slice(0, 3).join(", ")} and ${whats.length - 3} more` : whats.join(", ") }));
}

type ExportedResource = { type: string; urn: string; outputs?: Record<string, unknown> };

/** A `--show-secrets` export writes a secret as {<sig>: ..., plaintext: "<JSON>"}: the value. */
function revealed(v: unknown): unknown {
  if (v && typeof v === "object" && "plaintext" in v && "4dabf18193072939515e22adb298388d" in v) return JSON.parse((v as { plaintext: string }).plaintext);
  return v;
}

/** Status of a chat call made with `secret`: 200 when the platform takes it as a live credential. */
async function chatStatus(url: string, secret: string): Promise<number> {
  const res = await request(url, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
  });
  await res.body.dump();
  return res.statusCode;
}

/**
 * Every secret the stack holds now, the generated ones too, and the control text they must all be
 * found in (`pulumi stack export --show-secrets`). Vault values are read from the platform by id
 * (SSH keys and a certificate's CA are public, so not searched; a registry item's value is JSON,
 * its password is searched). The platform keeps only hashes of serverless keys and gateway tokens
 * and never sees a certificate's private key: those are read from the revealed export, and each
 * key and token must authenticate at its chat endpoint, so they are the platform's live ones.
 * Call with the platform's faults off.
 */
export async function stackSecrets(emu: Emulator, project: TestProject, declared: Record<string, string>): Promise<{ secrets: SecretValue[]; control: Place }> {
  const shown = await runPulumi(["stack", "export", "--show-secrets", "--stack", project.stack.name, "--non-interactive"], { cwd: project.dir, env: project.env });
  if (shown.code !== 0) throw new Error(`pulumi stack export --show-secrets exited ${shown.code}: ${shown.stderr}`);
  const control = { where: "pulumi stack export --show-secrets", text: shown.stdout };
  const resources = (JSON.parse(shown.stdout).deployment.resources ?? []) as ExportedResource[];
  const named = (r: ExportedResource) => `${r.type.split(":").pop()} ${r.urn.split("::").pop()}`;
  const fromState = (suffix: string, output: (outs: Record<string, unknown>) => unknown): SecretValue[] =>
    resources
      .filter((r) => r.type.endsWith(suffix))
      .map((r) => {
        const value = output(Object.fromEntries(Object.entries(r.outputs ?? {}).map(([k, v]) => [k, revealed(v)])));
        if (typeof value !== "string" || !value) throw new Error(`${named(r)} has no secret ${suffix} output in the revealed export`);
        return { what: named(r), value };
      });
  const keys = fromState(":ServerlessApiKey", (o) => o.key);
  const tokens = fromState("aigateway:AuthToken", (o) => o.token);
  const privateKeys = fromState(":Certificate", (o) => o.clientPrivateKeyPem).map((s) => ({ ...s, what: `${s.what} clientPrivateKeyPem` }));
  const pullPasswords = fromState(":RegistryCredential", (o) => (o.imagePullSecretCredentials as { password?: string } | undefined)?.password);

  const vault = clientsFor(emu).vault();
  const searched = new Set(["bearer_tokens", "env_vars", "access_tokens", "registry_credentials"]);
  const items = await Promise.all((await vault.list()).filter((i) => searched.has(i.type)).map((i) => vault.get(i.id)));
  const vaultValues = items.map((i) => ({
    what: `vault ${i.type} item ${i.id}`,
    value: i.type === "registry_credentials" ? (JSON.parse(i.value ?? "{}") as { password: string }).password : i.value!,
  }));

  for (const k of keys) if ((await chatStatus(`${emu.info.serverlessEndpointUrl}/openai/v1/chat/completions`, k.value)) !== 200) throw new Error(`${k.what}'s key in the state does not authenticate at the serverless endpoint`);
  for (const t of tokens) if ((await chatStatus(`${emu.info.gatewayChatUrl}/${GATEWAY}/openai/v1/chat/completions`, t.value)) !== 200) throw new Error(`${t.what}'s token in the state does not authenticate at gateway ${GATEWAY}`);

  return { secrets: distinct([...declaredSecrets(declared), ...vaultValues, ...keys, ...tokens, ...privateKeys, ...pullPasswords]), control };
}

/**
 * Faults that hit exactly where they are aimed, through the real engine, each on a small stack:
 * a run of lost answers to one create, a create answered after the client's timeout, a gateway
 * token whose rate limit and clean-up both fail, a named gateway token that is already there, and
 * a `pulumi up` killed while creates with fixed keys and names are in flight. After each, the
 * platform must hold exactly what the state records (no orphan, no duplicate, no loss), `destroy`
 * must leave nothing, and no secret (declared or made) may reach the engine's output,
 * `pulumi stack export` or the backend's files. The random-rate faults at stack scale are in
 * faults-at-scale.test.ts; these pin down the cases a rate only hits by chance.
 */
import { join } from "node:path";
import { runPulumi, type PulumiRun } from "../harness/engine";
import { admin, clientsFor, stackConfigFor, useEmulator } from "../support/emulator";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";
import { leaksIn, outputOf, statePlaces, type Place, type SecretValue } from "../support/secret-search";
import { GATEWAY, platformHoldings, reconcile, scaleSecrets, startPulumi, stateHoldings, waitUntil } from "../support/stack-at-scale";
import { Steps } from "../support/steps";

jest.setTimeout(900_000);

type Emulator = ReturnType<ReturnType<typeof useEmulator>>;
type Decl = { kind: string; name: string; args: Record<string, unknown>; secretArgs?: Record<string, string> };
type Run = PulumiRun & { output: string };

const clean = { orphans: [], lost: [], duplicateIds: [] };
const nothing = { vault: [], apiKeys: [], gatewayTokens: [] };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectSuccess(step: string, r: Run): Run {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  return r;
}

function expectFailure(step: string, r: Run): Run {
  if (r.code === 0) throw new Error(`${step} should have failed, and succeeded:\n${r.stdout.slice(-4000)}`);
  return r;
}

const stats = async (emu: Emulator) => (await admin(emu, "GET", "/stats")) as Record<string, number>;
const setFaults = (emu: Emulator, faults: Record<string, unknown>) => admin(emu, "PUT", "/faults", faults);
const settled = (emu: Emulator) => waitUntil("the platform has finished every request", async () => (await stats(emu)).inFlight === 0);

/**
 * A stack of the `declared` fixture pointed at one emulator: its resources come from stack config
 * (secret arguments from secret config), and every CLI run's output is kept for the leak check.
 */
class SmallStack {
  /** The output of every CLI run, for the leak check. */
  readonly log: Place[] = [];
  /** Every secret the stack was given or made, named; none may appear in any output or state file. */
  readonly secrets: SecretValue[] = [];

  private constructor(
    private readonly emu: Emulator,
    readonly project: TestProject,
  ) {}

  static async of(emu: Emulator, resources: Decl[]): Promise<SmallStack> {
    const project = await createTestProject({ source: join(repoRoot, "test", "e2e", "fixtures", "declared"), config: stackConfigFor(emu) });
    const stack = new SmallStack(emu, project);
    await stack.declare(resources);
    return stack;
  }

  /**
   * Runs a test on a fresh stack, then what every test ends with: the secrets the platform made
   * are remembered, destroy leaves the platform empty, and no secret reached any output or file.
   */
  static async exercise(emu: Emulator, resources: Decl[], body: (stack: SmallStack) => Promise<void>): Promise<void> {
    const stack = await SmallStack.of(emu, resources);
    try {
      await body(stack);
      await stack.rememberMadeSecrets();
      await stack.destroy();
      expect(await stack.leaked()).toEqual([]);
    } finally {
      await stack.project.cleanup();
    }
  }

  /** Sets (or changes) the declared resources. */
  async declare(resources: Decl[]): Promise<void> {
    const shapes = resources.map((r) => ({ ...r, secretArgs: Object.keys(r.secretArgs ?? {}) }));
    const values = Object.fromEntries(resources.flatMap((r) => Object.entries(r.secretArgs ?? {}).map(([k, v]) => [`${r.name}.${k}`, v])));
    for (const [name, value] of Object.entries(values)) this.secrets.push({ what: `declared ${name}`, value });
    await this.project.stack.setConfig("resources", { value: JSON.stringify(shapes) });
    await this.project.stack.setConfig("secretValues", { value: JSON.stringify(values), secret: true });
  }

  async run(args: string[]): Promise<Run> {
    const r = await runPulumi([...args, "--non-interactive", "--color=never"], { cwd: this.project.dir, env: this.project.env });
    this.log.push(...outputOf(`pulumi ${args[0]}`, r));
    return { ...r, output: r.stdout + r.stderr };
  }

  up = () => this.run(["up", "--yes", "--skip-preview"]);

  /** The platform next to the state: orphans, losses, duplicates. */
  async books() {
    return reconcile(await platformHoldings(this.emu), await stateHoldings(this.project.stack));
  }

  /** Remembers the secrets the platform made (tokens, keys, generated values), from the stack's outputs. */
  async rememberMadeSecrets(): Promise<void> {
    for (const [name, output] of Object.entries(await this.project.stack.outputs())) {
      const v = output.value as Record<string, unknown>;
      const made = { token: v.token, value: v.value, key: "apiKeyId" in v ? v.key : undefined };
      for (const [field, s] of Object.entries(made)) if (typeof s === "string" && s.length >= 8) this.secrets.push({ what: `output ${name}.${field}`, value: s });
    }
  }

  /** Destroys the stack: the platform is then empty. */
  async destroy(): Promise<void> {
    await setFaults(this.emu, {});
    expectSuccess("pulumi destroy", await this.run(["destroy", "--yes", "--skip-preview"]));
    expect(await platformHoldings(this.emu)).toEqual(nothing);
  }

  /** Secrets found in the engine's output, the CLI's export or the backend's files (the history's config record left out, as this check always has), as "what in where". */
  async leaked(): Promise<string[]> {
    return leaksIn(this.secrets, [...this.log, ...(await statePlaces(this.project, { historyConfig: "left out" }))]);
  }
}

/** A few resources besides the one under test, so the stack is not a single create. */
const bystanders = (tag: string): Decl[] => [
  { kind: "EnvironmentVariable", name: "env", args: {}, secretArgs: { value: scaleSecrets(tag).env } },
  { kind: "BearerToken", name: "bearer", args: {} },
];

describe.each([
  { what: "a serverless key create (POST /credentials/api-key)", kind: "ServerlessApiKey", args: {}, pathPrefix: "/credentials/api-key", holding: "apiKeys" as const },
  {
    what: "a gateway token create (POST …/tokens)",
    kind: "aigateway.AuthToken",
    args: { gateway: GATEWAY },
    pathPrefix: `/aigateway/v1/gateways/${GATEWAY}/tokens`,
    holding: "gatewayTokens" as const,
  },
])("six answers in a row lost to $what", ({ kind, args, pathPrefix, holding }) => {
  const emu = useEmulator();

  test("one up completes; the platform holds exactly one, the one the state records", async () => {
    await SmallStack.exercise(emu(), [{ kind, name: "target", args }, ...bystanders(`lost${holding}`)], async (stack) => {
      const before = await stats(emu());
      await setFaults(emu(), { responseLost: { next: 6 }, match: { method: "POST", pathPrefix } });
      expectSuccess("pulumi up", await stack.up());
      expect((await stats(emu())).responseLost - before.responseLost).toBe(6); // each of the six hit
      await setFaults(emu(), {});
      await settled(emu());
      expect(await stack.books()).toEqual(clean);
      const state = await stateHoldings(stack.project.stack);
      expect(state[holding]).toHaveLength(1);
      expect((await platformHoldings(emu()))[holding]).toEqual(state[holding]);
    });
  });
});

describe("a serverless key create answered after the client's 30 s timeout", () => {
  const emu = useEmulator();

  // The README: "one whose request timed out is waited for (up to twice the request timeout) and
  // deleted when it lands". So the up succeeds, later than the late landing, having deleted it.
  test("the up waits for the late key, deletes it, and succeeds with exactly the key it records", async () => {
    await SmallStack.exercise(emu(), [{ kind: "ServerlessApiKey", name: "slow", args: {} }, ...bystanders("late")], async (stack) => {
      const latencyBefore = (await stats(emu())).latency;
      // Only the first create is slow; then the fault set only counts (as `matched`) the deletes
      // of serverless keys, so the test sees the late key being removed.
      await setFaults(emu(), { latencyMs: 35_000, match: { method: "POST", pathPrefix: "/credentials/api-key" } });
      const deletesCounted = (async () => {
        await waitUntil("the first key create has reached the platform", async () => (await stats(emu())).latency > latencyBefore, 300_000);
        await setFaults(emu(), { match: { method: "DELETE", pathPrefix: "/credentials/api-key/" } });
        return (await stats(emu())).matched;
      })();
      const started = Date.now();
      const up = await stack.up();
      const took = Date.now() - started;
      const matchedBefore = await deletesCounted;
      const deletesDuringUp = (await stats(emu())).matched - matchedBefore;
      expectSuccess("pulumi up", up);
      expect(deletesDuringUp).toBe(1); // the late key, which landed while the up waited
      expect(took).toBeGreaterThan(35_000);
      await settled(emu());
      expect(await stack.books()).toEqual(clean);
      expect((await platformHoldings(emu())).apiKeys).toHaveLength(1);
    });
  });
});

describe("a gateway token whose rate limit cannot be set, and whose clean-up fails too", () => {
  const emu = useEmulator();

  test("the up fails naming the token left; the next up leaves exactly one token, rate-limited", async () => {
    const gateway = clientsFor(emu()).aigateway();
    await SmallStack.exercise(emu(), [{ kind: "aigateway.AuthToken", name: "limited", args: { gateway: GATEWAY, requestsPerMinute: 10 } }, ...bystanders("limit")], async (stack) => {
      // PATCH and DELETE of one token share this prefix; the create (POST …/tokens) does not.
      await setFaults(emu(), { error5xx: { rate: 1, status: 500 }, match: { pathPrefix: `/aigateway/v1/gateways/${GATEWAY}/tokens/` } });
      const failed = expectFailure("pulumi up with the token's PATCH and DELETE failing", await stack.up());
      await setFaults(emu(), {});
      const left = await gateway.listTokens(GATEWAY);
      expect(left.map((t) => [t.status, t.rate_limit])).toEqual([["ACTIVE", null]]);
      expect(failed.output).toContain(`(id ${left[0].id})`);
      expect(failed.output).toContain("may still authenticate, with no rate limit");
      expect((await stack.books()).orphans).toEqual([left[0].id]); // the failed create is in no state

      expectSuccess("the next pulumi up", await stack.up());
      const tokens = await gateway.listTokens(GATEWAY);
      expect(tokens.map((t) => [t.name, t.status, t.rate_limit?.requests_per_minute])).toEqual([[left[0].name, "ACTIVE", 10]]);
      expect(tokens[0].id).not.toBe(left[0].id);
      expect(await stack.books()).toEqual(clean);
    });
  });
});

describe("a named gateway token that already exists and no state records", () => {
  const emu = useEmulator();

  test("up fails with the 409 naming adoptExisting and changes nothing; with adoptExisting: true, one new token", async () => {
    const gateway = clientsFor(emu()).aigateway();
    const existing = await gateway.createToken(GATEWAY, "team-fixed");
    const token = { kind: "aigateway.AuthToken", name: "fixed", args: { gateway: GATEWAY, name: "team-fixed" } };
    await SmallStack.exercise(emu(), [token, ...bystanders("named")], async (stack) => {
      stack.secrets.push({ what: "the existing token team-fixed", value: existing.token! });
      const before = await gateway.listTokens(GATEWAY);
      const failed = expectFailure("pulumi up onto an existing token name", await stack.up());
      expect(failed.output).toContain('a token named "team-fixed" already exists on gateway');
      expect(failed.output).toContain("set adoptExisting: true to delete it and make a new one");
      expect(await gateway.listTokens(GATEWAY)).toEqual(before);

      await stack.declare([{ ...token, args: { ...token.args, adoptExisting: true } }, ...bystanders("named")]);
      expectSuccess("pulumi up with adoptExisting: true", await stack.up());
      const after = await gateway.listTokens(GATEWAY);
      expect(after.map((t) => t.name)).toEqual(["team-fixed"]);
      expect(after[0].id).not.toBe(existing.id);
      expect(await stack.books()).toEqual(clean);
    });
  });
});

describe("SIGKILL of `pulumi up` with fixed keys and a fixed token name in flight, then the README's recovery", () => {
  const emu = useEmulator();
  const secrets = scaleSecrets("fixed");
  const fixed: Decl[] = [
    { kind: "EnvironmentVariable", name: "env", args: { key: "FIXED_ENV" }, secretArgs: { value: secrets.env } },
    { kind: "HuggingFaceToken", name: "hf", args: { key: "fixed-hf" }, secretArgs: { value: secrets.hf } },
    { kind: "BearerToken", name: "bearer", args: { key: "fixed-bearer" } },
    { kind: "aigateway.AuthToken", name: "token", args: { gateway: GATEWAY, name: "fixed-token" } },
  ];
  const adopting = fixed.map((r) => ({ ...r, args: { ...r.args, adoptExisting: true } }));
  let stack: SmallStack;
  const steps = new Steps<{ leftovers: Awaited<ReturnType<typeof platformHoldings>>; refused: true; adopted: true }>({
    leftovers: "the killed run leaves every fixed-name create on the platform, none in the state",
    refused: "the documented recovery stops at `already exists` for each leftover, and changes nothing",
    adopted: "with adoptExisting: true the up takes the leftovers over: the platform holds exactly what the state records",
  });

  beforeAll(async () => {
    stack = await SmallStack.of(emu(), fixed);
  });
  afterAll(async () => {
    await stack?.project.cleanup();
  });

  test("the killed run leaves every fixed-name create on the platform, none in the state", async () => {
    // Latency orders the writes: the gateway's token exchange (a POST with nothing before it) is
    // the first, and passes; every create, which follows a read, is then held unanswered.
    await setFaults(emu(), { latencyMs: 2000, holdWritesAfter: 1 });
    const up = startPulumi(["up", "--yes", "--skip-preview", "--non-interactive"], stack.project);
    await waitUntil("the platform holds every create", async () => (await stats(emu())).held === fixed.length);
    await pause(500);
    up.kill();
    const killed = await up.done;
    stack.log.push(...outputOf("killed pulumi up", killed));
    expect(killed.code).not.toBe(0);
    // The held creates now land, as a real platform finishes requests whose client has died.
    await setFaults(emu(), {});
    await settled(emu());
    const leftovers = await platformHoldings(emu());
    expect([leftovers.vault.length, leftovers.gatewayTokens.length]).toEqual([3, 1]);
    expect(await stateHoldings(stack.project.stack)).toEqual(nothing);
    steps.finished("leftovers", leftovers);
  });

  test("the documented recovery stops at `already exists` for each leftover, and changes nothing", async () => {
    const leftovers = steps.after("leftovers");
    expectSuccess("pulumi cancel", await stack.run(["cancel", "--yes"]));
    expectSuccess("pulumi refresh", await stack.run(["refresh", "--yes", "--clear-pending-creates", "--skip-preview"]));
    const refusals = {
      env: /a env_vars item with key "FIXED_ENV" and visibility USER already exists in the vault \(id \d+\); set adoptExisting: true/,
      hf: /a access_tokens item with key "fixed-hf" and visibility USER already exists in the vault \(id \d+\); set adoptExisting: true/,
      bearer: /a bearer_tokens item with key "fixed-bearer" and visibility USER already exists in the vault \(id \d+\); set adoptExisting: true/,
      token: /a token named "fixed-token" already exists on gateway "scale-gateway" and this stack's state does not record it .* set adoptExisting: true/,
    };
    const failedIn = (output: string) => [...output.matchAll(/dynamic\/\S+ (\w+) \*\*creating failed\*\* error: (.*)/g)].map((m) => ({ name: m[1], error: m[2] }));
    // The engine starts no new create after the first failure, so a plain `up` may name only
    // some of the leftovers; each one it names is refused as already there.
    const up = expectFailure("pulumi up after the kill", await stack.up());
    const failed = failedIn(up.output);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.error).toMatch(refusals[f.name as keyof typeof refusals]);
    // With --continue-on-error every create is tried, and every leftover is named.
    const all = expectFailure("pulumi up --continue-on-error after the kill", await stack.run(["up", "--yes", "--skip-preview", "--continue-on-error"]));
    expect(failedIn(all.output).map((f) => f.name).sort()).toEqual(["bearer", "env", "hf", "token"]);
    for (const f of failedIn(all.output)) expect(f.error).toMatch(refusals[f.name as keyof typeof refusals]);
    expect(await platformHoldings(emu())).toEqual(leftovers);
    expect(await stateHoldings(stack.project.stack)).toEqual(nothing);
    steps.finished("refused", true);
  });

  test("with adoptExisting: true the up takes the leftovers over: the platform holds exactly what the state records", async () => {
    const leftovers = steps.after("leftovers");
    steps.after("refused");
    await stack.declare(adopting);
    expectSuccess("pulumi up with adoptExisting: true", await stack.up());
    expect(await stack.books()).toEqual(clean);
    const platform = await platformHoldings(emu());
    expect(platform.vault).toEqual(leftovers.vault); // vault items are taken over as they are
    expect(platform.gatewayTokens).toHaveLength(1); // a token is deleted and made anew
    expect(platform.gatewayTokens).not.toEqual(leftovers.gatewayTokens);
    await stack.rememberMadeSecrets();
    steps.finished("adopted", true);
  });

  test("a preview then finds nothing to do, dropping the flag changes no credential, destroy leaves nothing, no secret reached any output", async () => {
    steps.after("adopted");
    expectSuccess("pulumi preview --expect-no-changes", await stack.run(["preview", "--expect-no-changes"]));
    // Removing the flag afterwards (README): an update of the flag alone, which touches no credential.
    const adopted = await platformHoldings(emu());
    await stack.declare(fixed);
    const unflagged = expectSuccess("pulumi up without adoptExisting", await stack.up());
    expect(unflagged.output).toMatch(/4 updated/);
    expect(unflagged.output).not.toMatch(/replaced|created|deleted/);
    expect(await platformHoldings(emu())).toEqual(adopted);
    expect(await stack.books()).toEqual(clean);
    await stack.destroy();
    expect(await stack.leaked()).toEqual([]);
  });
});

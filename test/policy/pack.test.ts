/**
 * The pack as a whole: every policy is a complete named object, its README entry matches its
 * declaration, a compliant stack is clean, unknown inputs never break a rule, and secret inputs
 * never reach a message.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Policy } from "@pulumi/policy";
import { PACK_NAME, tokenHygienePolicies } from "../../policy/pack";
import { UNKNOWN, secret, type TestResource } from "./harness";
import { compliantResources, NOW, packRunner, resource } from "./fixtures";

const policies = tokenHygienePolicies() as (Policy & { configSchema?: { properties: Record<string, { default?: unknown; description?: string }> } })[];
const readme = readFileSync(path.join(__dirname, "../../policy/README.md"), "utf8");

/** The README section of one policy: from its heading to the next heading. */
function section(name: string): string {
  const start = readme.indexOf(`### \`${name}\``);
  if (start < 0) return "";
  const next = readme.indexOf("\n### ", start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe("the token-hygiene pack", () => {
  it("has its ten rules as thirteen uniquely named policies", () => {
    expect(PACK_NAME).toBe("ccluster-token-hygiene");
    expect(policies.map((p) => p.name)).toEqual([
      "credential-rotation",
      "certificate-validity",
      "key-strength",
      "no-secret-environment-variables",
      "secret-outputs",
      "org-visibility",
      "vault-key-naming",
      "pem-file-protection",
      "unique-credential-targets",
      "gateway-token-limit",
      "create-before-delete",
      "certificate-renewal-due",
      "credential-age",
    ]);
  });

  it.each(policies.map((p) => [p.name, p] as const))("%s is a complete policy object", (name, p) => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(p.description.length).toBeGreaterThan(20);
    expect(p.remediationSteps?.length ?? 0).toBeGreaterThan(40);
    expect(["advisory", "mandatory", "remediate"]).toContain(p.enforcementLevel);
    expect(["low", "medium", "high", "critical"]).toContain(p.severity);
    for (const [prop, s] of Object.entries(p.configSchema?.properties ?? {})) {
      expect([prop, "default" in s, (s.description ?? "").length > 10]).toEqual([prop, true, true]);
    }
  });

  it.each(policies.map((p) => [p.name, p] as const))("README documents %s with its level and every config default", (name, p) => {
    const text = section(name);
    expect(text).not.toBe("");
    expect(text).toContain(`— ${p.enforcementLevel}, severity ${p.severity}`);
    for (const [prop, s] of Object.entries(p.configSchema?.properties ?? {})) {
      expect(text).toContain(`| \`${prop}\` | \`${JSON.stringify(s.default)}\` |`);
    }
  });

  it("loads its defaults as a valid configuration", () => {
    expect(() => packRunner()).not.toThrow();
  });

  it("accepts the README's example config file, and it takes effect", async () => {
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!example) throw new Error("policy/README.md has no ```json config example");
    const runner = packRunner(JSON.parse(example));
    // The example sets credential-rotation's maximum to 30 days: 60 now fails it.
    const result = await runner.analyze(resource("BearerToken", { key: "t", rotationDays: 60 }));
    expect(result.diagnostics.map((d) => d.policyName)).toContain("credential-rotation");
  });

  it("finds nothing wrong with a compliant stack, per resource and for the stack", async () => {
    const runner = packRunner();
    const resources = compliantResources();
    for (const r of resources) expect([r.type, (await runner.analyze(r)).diagnostics]).toEqual([r.type, []]);
    const stack = resources.map((r) => ({ ...r, props: { ...r.props, createdAt: new Date(NOW.getTime() - 86_400_000).toISOString() } }));
    expect((await runner.analyzeStack(stack)).diagnostics).toEqual([]);
  });

  /** Every resource with one input replaced by the unknown sentinel, then with all of them replaced. */
  function withUnknowns(r: TestResource): TestResource[] {
    const keys = Object.keys(r.props);
    const one = keys.map((k) => ({ ...r, props: { ...r.props, [k]: UNKNOWN } }));
    return [...one, { ...r, props: Object.fromEntries(keys.map((k) => [k, UNKNOWN])) }];
  }

  it("never fails or gives up on unknown inputs at preview", async () => {
    const runner = packRunner();
    for (const r of compliantResources().flatMap(withUnknowns)) {
      const result = await runner.analyze(r);
      // The SDK turns a rule that trips over an unknown into this advisory; no rule may.
      expect(result.diagnostics.filter((d) => d.message.includes("can't run"))).toEqual([]);
      expect(result.diagnostics).toEqual([]);
    }
    const stack = await runner.analyzeStack(compliantResources().map((r) => ({ ...r, props: Object.fromEntries(Object.keys(r.props).map((k) => [k, UNKNOWN])) })));
    expect(stack.diagnostics).toEqual([]);
  });

  it("never puts a secret input into a message, whatever fires", async () => {
    const secrets = {
      hf: `hf_${"S".repeat(36)}`,
      pem: "-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----",
      password: "correct-horse-battery-staple",
      token: `sk-proj-${"T".repeat(40)}`,
    };
    const runner = packRunner();
    const bad = [
      resource("EnvironmentVariable", { key: "HF_TOKEN", value: secret(secrets.hf), visibility: "ORG" }, { additionalSecretOutputs: [] }),
      resource("EnvironmentVariable", { key: "Api_Key", value: secret(secrets.token) }),
      resource("HuggingFaceToken", { key: "Bad_Key", value: secret(secrets.hf), visibility: "ORG" }, { deleteBeforeReplace: true }),
      resource("RegistryCredential", { key: "r", username: "u", password: secret(secrets.password), visibility: "ORG" }, { additionalSecretOutputs: [] }),
      resource("PemFile", { path: "client.pem", pem: secret(secrets.pem), filePermission: "0666" }),
      resource("BearerToken", { key: "t", value: secret(secrets.token), rotationDays: 999 }),
    ];
    const results = [...(await Promise.all(bad.map((r) => runner.analyze(r)))), await runner.analyzeStack([...bad, ...bad.map((r) => ({ ...r, name: `${r.name}-2` }))])];
    expect(results.reduce((n, r) => n + r.diagnostics.length, 0)).toBeGreaterThan(10);
    const text = JSON.stringify(results);
    for (const s of Object.values(secrets)) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(s.slice(-10));
    }
  });
});

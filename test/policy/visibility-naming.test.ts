/** Rules 6 and 7: org-visibility (least privilege) and vault-key-naming. */
import { VAULT_KINDS } from "../../policy/types";
import { UNKNOWN } from "./harness";
import { messages, packRunner, resource } from "./fixtures";

describe("org-visibility", () => {
  const RULE = "org-visibility";

  it.each(VAULT_KINDS)("accepts a USER-visible %s and blocks an ORG one that is not allow-listed", async (kind) => {
    const key = kind === "EnvironmentVariable" ? "SHARED" : "shared";
    expect(messages(await packRunner().analyze(resource(kind, { key, visibility: "USER" })), RULE)).toEqual([]);
    const result = await packRunner().analyze(resource(kind, { key, visibility: "ORG" }));
    expect(messages(result, RULE)).toEqual([`${kind} "${key}" is ORG-visible but "${key}" is not on the org allow-list; make it USER-visible.`]);
    expect(result.blocked).toBe(true);
  });

  it("treats an absent visibility as USER", async () => {
    expect(messages(await packRunner().analyze(resource("BearerToken", { key: "t" })), RULE)).toEqual([]);
  });

  it("accepts allow-listed keys: plain, per kind, and with wildcards", async () => {
    const runner = packRunner({ [RULE]: { orgAllowList: ["shared-hf", "BearerToken:team-*"] } });
    expect(messages(await runner.analyze(resource("HuggingFaceToken", { key: "shared-hf", visibility: "ORG" })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("BearerToken", { key: "team-search", visibility: "ORG" })), RULE)).toEqual([]);
    // The wildcard entry is for BearerToken only, and "*" does not make other characters special.
    expect(messages(await runner.analyze(resource("SshKey", { key: "team-search", visibility: "ORG" })), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(resource("HuggingFaceToken", { key: "sharedXhf", visibility: "ORG" })), RULE)).toHaveLength(1);
  });

  it("requires an explicit key for ORG items", async () => {
    const result = await packRunner().analyze(resource("RegistryCredential", { visibility: "ORG" }));
    expect(messages(result, RULE)).toEqual(["RegistryCredential is ORG-visible with an auto-generated key; ORG items need an explicit key on the allow-list."]);
  });

  it("has an empty allow-list by default and rejects a non-list", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ orgAllowList: [] });
    expect(() => packRunner({ [RULE]: { orgAllowList: "shared" } })).toThrow(`${RULE}: orgAllowList: Invalid type. Expected: array, given: string`);
  });

  it("waits for unknown visibility or key", async () => {
    const runner = packRunner();
    expect((await runner.analyze(resource("BearerToken", { key: "t", visibility: UNKNOWN, rotationDays: 30 }))).diagnostics).toEqual([]);
    expect(messages(await runner.analyze(resource("BearerToken", { key: UNKNOWN, visibility: "ORG" })), RULE)).toEqual([]);
  });
});

describe("vault-key-naming", () => {
  const RULE = "vault-key-naming";

  it("accepts lower-kebab keys and POSIX upper-case variable names", async () => {
    const runner = packRunner();
    expect(messages(await runner.analyze(resource("BearerToken", { key: "search-prod-2" })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("EnvironmentVariable", { key: "LOG_LEVEL" })), RULE)).toEqual([]);
  });

  it.each([
    ["BearerToken", "Search_Prod"],
    ["SshKey", "deploy--key"],
    ["Certificate", "-endpoint"],
    ["EnvironmentVariable", "log_level"],
    ["EnvironmentVariable", "9LIVES"],
  ] as const)("reports %s key %j, at advisory level", async (kind, key) => {
    const result = await packRunner().analyze(resource(kind, { key, rotationDays: 30 }));
    expect(messages(result, RULE)).toHaveLength(1);
    expect(messages(result, RULE)[0]).toContain(`${kind} key "${key}" does not match the naming pattern`);
    expect(result.diagnostics.find((d) => d.policyName === RULE)?.enforcementLevel).toBe("advisory");
    expect(result.blocked).toBe(false);
  });

  it("keeps certificate names within a DNS label", async () => {
    const key = "a".repeat(64);
    expect(messages(await packRunner().analyze(resource("Certificate", { key })), RULE)).toEqual([
      `Certificate key "${key}" is 64 characters; it becomes a DNS label, which holds at most 63.`,
    ]);
  });

  it("applies configured and per-kind patterns", async () => {
    const runner = packRunner({ [RULE]: { keyPattern: "^team-[a-z]+$", patternsByKind: { SshKey: "^[a-z]+@[a-z]+$" } } });
    expect(messages(await runner.analyze(resource("BearerToken", { key: "team-search" })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("BearerToken", { key: "search" })), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(resource("SshKey", { key: "alice@laptop" })), RULE)).toEqual([]);
  });

  it("does not check auto-generated or unknown keys", async () => {
    const runner = packRunner();
    expect(messages(await runner.analyze(resource("BearerToken", {})), RULE)).toEqual([]);
    expect((await runner.analyze(resource("BearerToken", { key: UNKNOWN, rotationDays: 30 }))).diagnostics).toEqual([]);
  });

  it("has its defaults and rejects bad patterns and unknown kinds", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ keyPattern: "^[a-z0-9]+(-[a-z0-9]+)*$", envVarKeyPattern: "^[A-Z_][A-Z0-9_]*$", patternsByKind: {} });
    expect(() => packRunner({ [RULE]: { keyPattern: "[a-z" } })).toThrow(`${RULE}: keyPattern: Does not match format 'regex'`);
    expect(() => packRunner({ [RULE]: { patternsByKind: { Kubeconfig: "^x$" } } })).toThrow(`${RULE}: patternsByKind: Additional property Kubeconfig is not allowed`);
  });
});

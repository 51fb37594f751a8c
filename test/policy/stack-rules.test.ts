/** unique-credential-targets and gateway-token-limit (stack), create-before-delete (resource). */
import { TOKEN_KINDS } from "../../policy/types";
import { UNKNOWN, urnOf } from "./harness";
import { messages, of, packRunner, resource } from "./fixtures";

describe("unique-credential-targets", () => {
  const RULE = "unique-credential-targets";

  it("accepts items that differ in key, kind or visibility", async () => {
    const result = await packRunner().analyzeStack([
      resource("BearerToken", { key: "shared" }, {}, "a"),
      resource("BearerToken", { key: "shared", visibility: "ORG" }, {}, "b"),
      resource("SshKey", { key: "shared" }, {}, "c"),
      resource("BearerToken", { key: "other" }, {}, "d"),
    ]);
    expect(messages(result, RULE)).toEqual([]);
  });

  it("blocks two resources writing the same vault item, on each of them", async () => {
    const a = resource("HuggingFaceToken", { key: "hf" }, {}, "a");
    const b = resource("HuggingFaceToken", { key: "hf", visibility: "USER" }, {}, "b");
    const result = await packRunner().analyzeStack([a, b]);
    expect(of(result, RULE).map((d) => [d.urn, d.enforcementLevel])).toEqual([
      [urnOf(a), "mandatory"],
      [urnOf(b), "mandatory"],
    ]);
    expect(messages(result, RULE)[0]).toBe('"a" writes vault item access_tokens "hf" (USER), which "b" also writes.');
  });

  it("blocks two PemFiles writing the same path", async () => {
    const result = await packRunner().analyzeStack([
      resource("PemFile", { path: "certs/client.pem" }, {}, "a"),
      resource("PemFile", { path: "./certs/../certs/client.pem" }, {}, "b"),
      resource("PemFile", { path: "certs/ca.pem" }, {}, "c"),
    ]);
    expect(messages(result, RULE)).toEqual(['"a" writes file certs/client.pem, which "b" also writes.', '"b" writes file certs/client.pem, which "a" also writes.']);
  });

  it("skips resources whose key is not known yet", async () => {
    const result = await packRunner().analyzeStack([resource("BearerToken", { key: UNKNOWN }, {}, "a"), resource("BearerToken", { key: UNKNOWN }, {}, "b")]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe("gateway-token-limit", () => {
  const RULE = "gateway-token-limit";
  const tokens = (gateway: string, n: number, extra: Record<string, unknown> = {}) =>
    Array.from({ length: n }, (_, i) => resource("AuthToken", { gateway, name: `t${i}`, status: "ACTIVE", ...extra }, {}, `${gateway}-t${i}`));

  it("accepts ten active tokens per gateway by default", async () => {
    expect(messages(await packRunner().analyzeStack([...tokens("gw-a", 10), ...tokens("gw-b", 10)]), RULE)).toEqual([]);
  });

  it("blocks the eleventh active token of a gateway", async () => {
    const result = await packRunner().analyzeStack(tokens("gw-a", 11));
    expect(messages(result, RULE)).toHaveLength(1);
    expect(messages(result, RULE)[0]).toMatch(/^AI gateway "gw-a" has 11 active tokens \("gw-a-t0", .*\); the most allowed is 10\.$/);
    expect(result.blocked).toBe(true);
  });

  it("does not count inactive tokens, and counts tokens about to be created", async () => {
    const runner = packRunner({ [RULE]: { maxActiveTokensPerGateway: 2 } });
    expect(messages(await runner.analyzeStack([...tokens("gw", 2), ...tokens("gw", 3, { status: "REVOKED" }).map((t, i) => ({ ...t, name: `r${i}` }))]), RULE)).toEqual([]);
    const pending = [...tokens("gw", 2), resource("AuthToken", { gateway: "gw", name: "new", status: UNKNOWN }, {}, "new")];
    expect(messages(await runner.analyzeStack(pending), RULE)).toHaveLength(1);
  });

  it("has a default of 10 and rejects 0", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ maxActiveTokensPerGateway: 10 });
    expect(() => packRunner({ [RULE]: { maxActiveTokensPerGateway: 0 } })).toThrow(`${RULE}: maxActiveTokensPerGateway: Must be greater than or equal to 1`);
  });

  it("skips tokens whose gateway is unknown", async () => {
    const runner = packRunner({ [RULE]: { maxActiveTokensPerGateway: 1 } });
    expect(messages(await runner.analyzeStack(tokens(UNKNOWN, 3)), RULE)).toEqual([]);
  });
});

describe("create-before-delete", () => {
  const RULE = "create-before-delete";

  // `autoNamed: true` is what the provider's check adds to the inputs the engine sends policies when it generated the name.
  it.each(TOKEN_KINDS)("advises against deleteBeforeReplace on an auto-named %s", async (kind) => {
    const result = await packRunner().analyze(resource(kind, { name: "n-1a2b3c4", key: "k-1a2b3c4", autoNamed: true, gateway: "gw-prod", rotationDays: 30 }, { deleteBeforeReplace: true }));
    expect(of(result, RULE).map((d) => d.enforcementLevel)).toEqual(["advisory"]);
    expect(messages(result, RULE)[0]).toContain("sets deleteBeforeReplace, so every rotation leaves a gap");
    expect(result.blocked).toBe(false);
  });

  it.each(["BearerToken", "HuggingFaceToken", "AuthToken"] as const)("leaves a %s with a fixed name alone (it cannot coexist with its successor)", async (kind) => {
    const result = await packRunner().analyze(resource(kind, { name: "fixed", key: "fixed", gateway: "gw-prod", rotationDays: 30 }, { deleteBeforeReplace: true }));
    expect(messages(result, RULE)).toEqual([]);
    expect(result.notApplicable.find((n) => n.policyName === RULE)?.reason).toContain("cannot coexist with its replacement");
  });

  it("a serverless API key always can coexist (its own id), named or not", async () => {
    const result = await packRunner().analyze(resource("ServerlessApiKey", { name: "fixed", rotationDays: 30 }, { deleteBeforeReplace: true }));
    expect(messages(result, RULE)).toHaveLength(1);
  });

  it("accepts the default order and an explicit false", async () => {
    const runner = packRunner();
    expect(messages(await runner.analyze(resource("AuthToken", { gateway: "gw-prod" })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("AuthToken", { gateway: "gw-prod" }, { deleteBeforeReplace: false })), RULE)).toEqual([]);
  });

  it("checks only the configured kinds", async () => {
    const runner = packRunner({ [RULE]: { kinds: ["Certificate"] } });
    expect(messages(await runner.analyze(resource("BearerToken", { key: "k", autoNamed: true }, { deleteBeforeReplace: true })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("Certificate", { key: "c" }, { deleteBeforeReplace: true })), RULE)).toHaveLength(1);
    expect(() => packRunner({ [RULE]: { kinds: ["Kubeconfig"] } })).toThrow(`${RULE}: kinds.0: kinds.0 must be one of the following:`);
  });
});

/** credential-rotation: tokens expire or rotate. */
import { TOKEN_KINDS } from "../../policy/types";
import { UNKNOWN } from "./harness";
import { messages, of, packRunner, resource } from "./fixtures";

const RULE = "credential-rotation";

describe(RULE, () => {
  it.each(TOKEN_KINDS)("accepts a %s with rotationDays within the maximum", async (kind) => {
    const result = await packRunner().analyze(resource(kind, { name: "n", key: "k", gateway: "gw-prod", rotationDays: 90 }));
    expect(of(result, RULE)).toEqual([]);
  });

  it.each(TOKEN_KINDS)("blocks a %s that neither expires nor rotates", async (kind) => {
    const result = await packRunner().analyze(resource(kind, { gateway: "gw-prod" }));
    expect(of(result, RULE).map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
    expect(result.blocked).toBe(true);
    expect(messages(result, RULE)[0]).toMatch(/neither expires nor rotates: set rotationDays \(at most 90\) or keepers/);
  });

  it("names the credential and the limit when rotationDays is above the maximum", async () => {
    const result = await packRunner().analyze(resource("BearerToken", { key: "ci-token", rotationDays: 91 }));
    expect(messages(result, RULE)).toEqual(['BearerToken "ci-token" has rotationDays 91; the most allowed is 90.']);
  });

  it("accepts keepers instead of rotationDays by default", async () => {
    const result = await packRunner().analyze(resource("ServerlessApiKey", { name: "batch", keepers: { rotated: "2026-05" } }));
    expect(of(result, RULE)).toEqual([]);
  });

  it("does not count empty keepers as rotation", async () => {
    const result = await packRunner().analyze(resource("AuthToken", { gateway: "gw-prod", name: "t1", keepers: {} }));
    expect(messages(result, RULE)).toHaveLength(1);
  });

  it("rejects keepers alone when acceptKeepers is off", async () => {
    const runner = packRunner({ [RULE]: { acceptKeepers: false } });
    const result = await runner.analyze(resource("HuggingFaceToken", { key: "hf", keepers: { v: "1" } }));
    expect(messages(result, RULE)[0]).toMatch(/rotates only through keepers/);
  });

  it("applies a configured maximum", async () => {
    const runner = packRunner({ [RULE]: { maxRotationDays: 30 } });
    expect(messages(await runner.analyze(resource("BearerToken", { key: "t", rotationDays: 31 })), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(resource("BearerToken", { key: "t", rotationDays: 30 })), RULE)).toEqual([]);
  });

  it("uses the default maximum of 90 when not configured", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ maxRotationDays: 90, acceptKeepers: true });
  });

  it.each([
    [{ maxRotationDays: 0 }, "maxRotationDays: Must be greater than or equal to 1"],
    [{ maxRotationDays: 731 }, "maxRotationDays: Must be less than or equal to 730"],
    [{ maxRotationDays: 7.5 }, "maxRotationDays: Invalid type. Expected: integer, given: number"],
    [{ acceptKeepers: "yes" }, "acceptKeepers: Invalid type. Expected: boolean, given: string"],
  ])("rejects config %j", (config, error) => {
    expect(() => packRunner({ [RULE]: config })).toThrow(`${RULE}: ${error}`);
  });

  it("does not decide while rotationDays or keepers are unknown (preview)", async () => {
    const runner = packRunner();
    for (const props of [{ rotationDays: UNKNOWN }, { keepers: UNKNOWN }, { keepers: { v: UNKNOWN } }]) {
      const result = await runner.analyze(resource("BearerToken", { key: "t", ...props }));
      expect(result.diagnostics).toEqual([]);
    }
  });

  it("does not apply to other kinds", async () => {
    const result = await packRunner().analyze(resource("SshKey", { key: "k" }));
    expect(of(result, RULE)).toEqual([]);
    expect(result.notApplicable.map((n) => n.policyName)).toContain(RULE);
  });
});

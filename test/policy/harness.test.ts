/**
 * The harness behaves like the engine: config defaults and validation with the engine's
 * messages, enforcement levels, unknown values as the engine sends them, secrets unwrapped.
 * These use small throwaway policies so they test the harness, not the pack.
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import { UNKNOWN_SENTINELS } from "../../policy/types";
import { PolicyConfigError, PolicyPackRunner, secret, UNKNOWN } from "./harness";

const seen: { config?: unknown; props?: unknown } = {};

const pack: PolicyPackArgs = {
  enforcementLevel: "advisory",
  policies: [
    {
      name: "limit",
      description: "Number must stay under the limit.",
      enforcementLevel: "mandatory",
      configSchema: {
        properties: {
          max: { type: "integer", minimum: 1, maximum: 10, default: 5 },
          mode: { type: "string", enum: ["strict", "lax"], default: "strict" },
          names: { type: "array", items: { type: "string", format: "regex" }, default: [] },
        },
      },
      validateResource: (args, report) => {
        seen.config = args.getConfig();
        seen.props = JSON.parse(JSON.stringify(args.props));
        const { max } = args.getConfig<{ max: number }>();
        // Reads through the SDK's proxy on purpose: an unknown must surface the SDK's way.
        if (args.props.n > max) report(`n is ${args.props.n}`);
      },
    },
    {
      name: "stack-count",
      description: "At most two resources.",
      validateStack: (args, report) => {
        if (args.resources.length > 2) report(`${args.resources.length} resources`);
      },
    },
  ],
};

function runner() {
  return new PolicyPackRunner("harness-test", "1.2.3", pack);
}

const thing = (props: Record<string, unknown>) => ({ type: "test:index:Thing", name: "t", props });

describe("policy test harness", () => {
  it("applies schema defaults when no config is given", async () => {
    await runner().analyze(thing({ n: 1 }));
    expect(seen.config).toEqual({ max: 5, mode: "strict", names: [] });
  });

  it("lets configured values replace defaults and keeps the other defaults", async () => {
    const r = runner();
    r.configure({ limit: { max: 2 } });
    const result = await r.analyze(thing({ n: 3 }));
    expect(seen.config).toEqual({ max: 2, mode: "strict", names: [] });
    expect(result.diagnostics.map((d) => d.message)).toEqual(["Number must stay under the limit.\nn is 3"]);
  });

  it("rejects config that breaks the schema with the engine's messages", () => {
    const r = runner();
    const attempt = () => r.configure({ limit: { max: 11, mode: "loose", names: ["(unclosed"] } });
    expect(attempt).toThrow(PolicyConfigError);
    try {
      attempt();
    } catch (e) {
      expect((e as PolicyConfigError).errors.sort()).toEqual(
        [
          "validating policy config: harness-test 1.2.3  limit: max: Must be less than or equal to 10",
          'validating policy config: harness-test 1.2.3  limit: mode: mode must be one of the following: "strict", "lax"',
          "validating policy config: harness-test 1.2.3  limit: names.0: Does not match format 'regex'",
        ].sort(),
      );
    }
  });

  it("rejects a wrongly typed value and an invalid enforcement level", () => {
    expect(() => runner().configure({ limit: { max: "3" } })).toThrow("limit: max: Invalid type. Expected: integer, given: string");
    expect(() => runner().configure({ limit: "strictest" as never })).toThrow('"strictest" is not a valid enforcement level');
  });

  it("keeps the previous config when a new one is rejected", async () => {
    const r = runner();
    r.configure({ limit: { max: 3 } });
    expect(() => r.configure({ limit: { max: 0 } })).toThrow(PolicyConfigError);
    expect(r.configOf("limit").properties.max).toBe(3);
  });

  it("runs each policy at its default level, and at the configured one", async () => {
    const r = runner();
    expect((await r.analyze(thing({ n: 9 }))).blocked).toBe(true);
    r.configure({ limit: "advisory" });
    const advisory = await r.analyze(thing({ n: 9 }));
    expect(advisory.diagnostics[0].enforcementLevel).toBe("advisory");
    expect(advisory.blocked).toBe(false);
    r.configure({ all: "disabled" });
    expect((await r.analyze(thing({ n: 9 }))).diagnostics).toEqual([]);
  });

  it("delivers an unknown value as the SDK expects it: touching it yields the SDK's advisory, not a crash", async () => {
    const result = await runner().analyze(thing({ n: UNKNOWN }));
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0].enforcementLevel).toBe("advisory");
    expect(result.diagnostics[0].message).toContain("can't run policy 'limit' from policy pack 'harness-test@v1.2.3' during preview: string value at .n can't be known during preview");
  });

  it("delivers secret inputs to policies as their plain value, as the engine does", async () => {
    await runner().analyze(thing({ n: 1, password: secret("s3cr3t"), nested: { token: secret("t0k3n") } }));
    expect(seen.props).toEqual({ n: 1, password: "s3cr3t", nested: { token: "t0k3n" } });
  });

  it("runs stack validations over all resources", async () => {
    const result = await runner().analyzeStack([thing({}), { ...thing({}), name: "u" }, { ...thing({}), name: "v" }]);
    expect(result.diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([["stack-count", "advisory"]]);
  });

  it("uses the same unknown sentinels as @pulumi/policy", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("@pulumi/policy/proxy");
    expect(UNKNOWN).toBe(sdk.unknownStringValue);
    expect(UNKNOWN_SENTINELS).toEqual({
      boolean: sdk.unknownBooleanValue,
      number: sdk.unknownNumberValue,
      string: sdk.unknownStringValue,
      array: sdk.unknownArrayValue,
      asset: sdk.unknownAssetValue,
      archive: sdk.unknownArchiveValue,
      object: sdk.unknownObjectValue,
    });
  });
});

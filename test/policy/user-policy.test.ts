/**
 * The SDK classes are first-class for policies users write themselves: `validateResourceOfType`
 * with a class matches that kind by its type token and reports every other resource as not
 * applicable, exactly as for a provider's own resources.
 */
import { validateResourceOfType, type PolicyPackArgs } from "@pulumi/policy";
import * as ccluster from "../../sdk";
import { PolicyPackRunner } from "./harness";
import { resource } from "./fixtures";

const userPack: PolicyPackArgs = {
  policies: [
    {
      name: "short-lived-bearer-tokens",
      description: "Bearer tokens rotate within a week.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(ccluster.BearerToken, (token, _args, report) => {
        if (!(typeof token.rotationDays === "number" && token.rotationDays <= 7)) report(`bearer token "${token.key}" must rotate within 7 days`);
      }),
    },
    {
      name: "gateway-tokens-rate-limited",
      description: "Gateway tokens have a rate limit.",
      enforcementLevel: "advisory",
      validateResource: validateResourceOfType(ccluster.aigateway.AuthToken, (token, _args, report) => {
        if (token.requestsPerMinute === undefined) report(`gateway token "${token.name}" has no rate limit`);
      }),
    },
  ],
};

const runner = () => new PolicyPackRunner("user-pack", "0.0.1", userPack);

test("a policy on ccluster.BearerToken sees its inputs typed, and blocks", async () => {
  const result = await runner().analyze(resource("BearerToken", { key: "inference", rotationDays: 30 }));
  expect(result.diagnostics.map((d) => [d.policyName, d.message.split("\n").pop()])).toEqual([["short-lived-bearer-tokens", 'bearer token "inference" must rotate within 7 days']]);
  expect(result.blocked).toBe(true);
  expect((await runner().analyze(resource("BearerToken", { key: "inference", rotationDays: 7 }))).diagnostics).toEqual([]);
});

test("a policy on ccluster.aigateway.AuthToken matches the gateway module's type token", async () => {
  const result = await runner().analyze(resource("AuthToken", { gateway: "gw-one", name: "team-a" }));
  expect(result.diagnostics.map((d) => [d.policyName, d.message.split("\n").pop()])).toEqual([["gateway-tokens-rate-limited", 'gateway token "team-a" has no rate limit']]);
});

test("other kinds are not applicable to either policy", async () => {
  const result = await runner().analyze(resource("HuggingFaceToken", { key: "hf", value: "hf_x" }));
  expect(result.diagnostics).toEqual([]);
  expect(result.notApplicable.map((n) => n.policyName).sort()).toEqual(["gateway-tokens-rate-limited", "short-lived-bearer-tokens"]);
});

/** gateway-token-limit (a stack policy): a bounded number of active tokens per AI gateway. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema } from "../rule-kit";
import { isKind, Props, type KindProps } from "../types";

/** Configuration of {@link gatewayTokenLimit}. */
export interface GatewayTokenLimitConfig {
  maxActiveTokensPerGateway: number;
}

const schema = configSchema<GatewayTokenLimitConfig>({
  maxActiveTokensPerGateway: {
    type: "integer",
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: "Most AuthTokens one gateway may have whose status is ACTIVE (or not yet known, i.e. about to be created).",
  },
});

/** Statuses that authenticate; a token not created yet counts as active too. */
const ACTIVE = "ACTIVE";

/**
 * `gateway-token-limit`: at most `maxActiveTokensPerGateway` active `aigateway.AuthToken`s per
 * gateway in a stack, so tokens are shared deliberately rather than sprawling.
 */
export const gatewayTokenLimit: StackValidationPolicy = {
  name: "gateway-token-limit",
  description: "Each AI gateway may have only a bounded number of active tokens.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Remove tokens nobody uses, or share one token between callers of the same trust level. If the gateway really needs more, raise " +
    "`maxActiveTokensPerGateway` for this stack in the policy configuration.",
  configSchema: schema,
  validateStack: (args, report) => {
    const { maxActiveTokensPerGateway: max } = configOf(args, schema);
    const byGateway = new Map<string, string[]>();
    for (const r of args.resources) {
      if (!isKind(r.type, "AuthToken")) continue;
      const props = new Props<KindProps["AuthToken"]>(r.props);
      const gateway = props.string("gateway");
      if (gateway.state !== "known") continue;
      const status = props.string("status");
      if (status.state === "known" && status.value !== ACTIVE) continue;
      byGateway.set(gateway.value, [...(byGateway.get(gateway.value) ?? []), r.name]);
    }
    for (const [gateway, names] of byGateway) {
      if (names.length > max) {
        report(`AI gateway "${gateway}" has ${names.length} active tokens (${names.map((n) => `"${n}"`).join(", ")}); the most allowed is ${max}.`);
      }
    }
  },
};

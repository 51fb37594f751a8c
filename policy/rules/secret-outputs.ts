/** secret-outputs: sensitive outputs stay secret. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, labelOf } from "../rule-kit";
import { isPackageModuleType, isPluginType, kindOfType, SECRET_OUTPUTS } from "../types";

/** Configuration of {@link secretOutputs}. */
export interface SecretOutputsConfig {
  flagUnknownKinds: boolean;
}

const schema = configSchema<SecretOutputsConfig>({
  flagUnknownKinds: {
    type: "boolean",
    default: true,
    description: "Also report dynamic resources in the ccluster/aigateway modules that this pack has no secret-output entry for.",
  },
});

/**
 * `secret-outputs`: a policy cannot see whether a value is secret, but it sees the resource
 * options; every kind must keep the outputs listed in {@link SECRET_OUTPUTS} in
 * `additionalSecretOutputs`, so a regression in the SDK or a hand-rolled resource with the same
 * type cannot write them to state in plain text. Resources of the provider plugin
 * (`ccluster:index:*`, from YAML, Python, Go) need no option: the plugin marks them secret itself.
 */
export const secretOutputs: ResourceValidationPolicy = {
  name: "secret-outputs",
  description: "Credential resources must list their sensitive outputs in additionalSecretOutputs.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create the resource through the pulumi-ccluster SDK class (it sets additionalSecretOutputs), or add the missing names to the " +
    "`additionalSecretOutputs` resource option. For a new kind, add its secret outputs to SECRET_OUTPUTS in policy/types.ts.",
  configSchema: schema,
  validateResource: (args, report) => {
    if (isPluginType(args.type)) return args.notApplicable("The provider plugin marks these outputs secret itself");
    const kind = kindOfType(args.type);
    if (kind === undefined) {
      if (!isPackageModuleType(args.type)) return args.notApplicable("Policy only applies to pulumi-ccluster resources");
      if (configOf(args, schema).flagUnknownKinds) {
        report(`${args.type} is not a kind this policy pack knows, so its secret outputs cannot be verified.`);
      }
      return;
    }
    const declared = new Set(args.opts.additionalSecretOutputs ?? []);
    const missing = SECRET_OUTPUTS[kind].filter((o) => !declared.has(o));
    if (missing.length > 0) {
      report(`${labelOf(kind, args.props)} does not list ${missing.map((m) => `"${m}"`).join(", ")} in additionalSecretOutputs, so state could hold it in plain text.`);
    }
  },
};

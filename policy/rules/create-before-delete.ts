/** Rule 9: rotation creates the new credential before deleting the old one. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, labelOf } from "../rule-kit";
import { ALL_KINDS, kindOfType, TOKEN_KINDS, type Kind } from "../types";

/** Configuration of {@link createBeforeDelete}. */
export interface CreateBeforeDeleteConfig {
  kinds: Kind[];
}

const schema = configSchema<CreateBeforeDeleteConfig>({
  kinds: {
    type: "array",
    items: { type: "string", enum: [...ALL_KINDS] },
    uniqueItems: true,
    default: [...TOKEN_KINDS],
    description: "Kinds on which `deleteBeforeReplace: true` is reported.",
  },
});

/**
 * `create-before-delete`: tokens can coexist with their replacement (serverless keys and gateway
 * tokens have their own ids; vault items get a new key or the provider itself orders a
 * same-key replacement delete-first), so `deleteBeforeReplace: true` only adds a window in which
 * callers hold a token that no longer works.
 */
export const createBeforeDelete: ResourceValidationPolicy = {
  name: "create-before-delete",
  description: "Rotating a token should create its replacement before deleting it.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Remove the `deleteBeforeReplace: true` resource option. The provider already deletes first where the platform requires it " +
    "(a vault item replaced under the same key).",
  configSchema: schema,
  validateResource: (args, report) => {
    const kind = kindOfType(args.type);
    const { kinds } = configOf(args, schema);
    if (kind === undefined || !kinds.includes(kind)) return args.notApplicable(`Policy only applies to ${kinds.join(", ")}`);
    if (args.opts.deleteBeforeReplace === true) {
      report(`${labelOf(kind, args.props)} sets deleteBeforeReplace, so every rotation leaves a gap in which the old token is gone and the new one does not exist yet.`);
    }
  },
};

/** create-before-delete: rotation creates the new credential before deleting the old one. */
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
 * Set in the checked inputs (which the engine hands to policies) when the provider generated the
 * item's name: such an item gets a new name when replaced, so old and new can coexist.
 */
const AUTO_NAMED = "autoNamed";

/** Kinds whose platform identity is a name the user may fix (vault key, gateway token name). */
const NAMED_KINDS: readonly Kind[] = ["BearerToken", "HuggingFaceToken", "AuthToken"];

/**
 * `create-before-delete`: where a token can coexist with its replacement (serverless keys have
 * their own ids; auto-named items get a new name), `deleteBeforeReplace: true` only adds a
 * window in which callers hold a token that no longer works. A token with a fixed name cannot
 * coexist with its successor, so the provider deletes it first anyway: not applicable.
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
    if (NAMED_KINDS.includes(kind) && args.props[AUTO_NAMED] !== true)
      return args.notApplicable("A token with a fixed name cannot coexist with its replacement; the provider deletes it first.");
    if (args.opts.deleteBeforeReplace === true) {
      report(`${labelOf(kind, args.props)} sets deleteBeforeReplace, so every rotation leaves a gap in which the old token is gone and the new one does not exist yet.`);
    }
  },
};

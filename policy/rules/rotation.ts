/** credential-rotation: every token-like credential expires or rotates. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, forKinds, labelOf } from "../rule-kit";
import { TOKEN_KINDS } from "../types";

/** Configuration of {@link credentialRotation}. */
export interface CredentialRotationConfig {
  maxRotationDays: number;
  acceptKeepers: boolean;
}

const schema = configSchema<CredentialRotationConfig>({
  maxRotationDays: {
    type: "integer",
    minimum: 1,
    maximum: 730,
    default: 90,
    description: "Largest `rotationDays` allowed.",
  },
  acceptKeepers: {
    type: "boolean",
    default: true,
    description: "Accept non-empty `keepers` (rotation on demand) in place of `rotationDays`.",
  },
});

/**
 * `credential-rotation`: BearerToken, ServerlessApiKey, HuggingFaceToken and AI-gateway AuthToken
 * declare `rotationDays` (at most `maxRotationDays`) or `keepers`.
 */
export const credentialRotation: ResourceValidationPolicy = {
  name: "credential-rotation",
  description: "Tokens, API keys, Hugging Face tokens and AI-gateway tokens must expire or rotate.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set `rotationDays` (for example 30, at most the configured maximum) so the credential is replaced once it is that old on a plain `pulumi up`, " +
    "or set `keepers` and change one of them whenever you rotate.",
  configSchema: schema,
  validateResource: forKinds(TOKEN_KINDS, ({ kind, props, args }, report) => {
    const cfg = configOf(args, schema);
    const who = labelOf(kind, args.props);
    const rotation = props.number("rotationDays");
    if (rotation.state === "unknown") return; // decided again with real values at `up`
    if (rotation.state === "known") {
      if (rotation.value > cfg.maxRotationDays) {
        report(`${who} has rotationDays ${rotation.value}; the most allowed is ${cfg.maxRotationDays}.`);
      }
      return;
    }
    const keepers = props.record("keepers");
    if (keepers.state === "unknown") return;
    const hasKeepers = keepers.state === "known" && Object.keys(keepers.value).length > 0;
    if (hasKeepers && cfg.acceptKeepers) return;
    report(
      hasKeepers
        ? `${who} rotates only through keepers, which this pack is configured not to accept; set rotationDays (at most ${cfg.maxRotationDays}).`
        : `${who} neither expires nor rotates: set rotationDays (at most ${cfg.maxRotationDays})${cfg.acceptKeepers ? " or keepers" : ""}.`,
    );
  }),
};

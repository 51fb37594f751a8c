/**
 * The token-hygiene policy pack: its name and its policies, kept apart from `index.ts` (which
 * starts serving the pack the moment it is loaded) so tests and tools can import them.
 */
import type { Policies, PolicyPackArgs } from "@pulumi/policy";
import { certificateValidity } from "./rules/certificate-validity";
import { createBeforeDelete } from "./rules/create-before-delete";
import { noSecretEnvironmentVariables } from "./rules/env-var-secrets";
import { gatewayTokenLimit } from "./rules/gateway-token-limit";
import { keyStrength } from "./rules/key-strength";
import { vaultKeyNaming } from "./rules/naming";
import { pemFileProtection } from "./rules/pem-file";
import { credentialRotation } from "./rules/rotation";
import { secretOutputs } from "./rules/secret-outputs";
import { uniqueCredentialTargets } from "./rules/stack-uniqueness";
import { certificateRenewalDue, credentialAge, type Clock } from "./rules/state-checks";
import { orgVisibility } from "./rules/visibility";
import { rejectUnknownConfig } from "./rule-kit";

/** The name the engine shows for this pack. */
export const PACK_NAME = "ccluster-token-hygiene";

/** Options for {@link tokenHygienePolicies}. */
export interface TokenHygieneOptions {
  /** Time source of the state checks (certificate-renewal-due, credential-age); the system clock by default. */
  clock?: Clock;
}

/**
 * Every policy of the pack, in issue order (rules 1–10).
 *
 * @example new PolicyPack(PACK_NAME, { policies: tokenHygienePolicies() })
 */
export function tokenHygienePolicies(options: TokenHygieneOptions = {}): Policies {
  return [
    credentialRotation,
    certificateValidity,
    keyStrength,
    noSecretEnvironmentVariables,
    secretOutputs,
    orgVisibility,
    vaultKeyNaming,
    pemFileProtection,
    uniqueCredentialTargets,
    gatewayTokenLimit,
    createBeforeDelete,
    certificateRenewalDue(options.clock),
    credentialAge(options.clock),
  ];
}

/** The pack's arguments as `new PolicyPack` takes them. */
export function tokenHygienePackArgs(options: TokenHygieneOptions = {}): PolicyPackArgs {
  return {
    description: "Token hygiene for pulumi-ccluster credentials: rotation, short-lived strong certificates, no secrets in plain sight.",
    displayName: "pulumi-ccluster token hygiene",
    provider: "ccluster",
    tags: ["security", "credentials"],
    // Each policy carries its own level; this only covers a policy that forgets to.
    enforcementLevel: "advisory",
    // A misspelt config property is refused rather than silently leaving the default in force.
    policies: tokenHygienePolicies(options).map(rejectUnknownConfig),
  };
}

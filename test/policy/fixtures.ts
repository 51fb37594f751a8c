/** Compliant example resources of every kind, and a runner for the token-hygiene pack. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PACK_NAME, tokenHygienePackArgs } from "../../policy/pack";
import { RESOURCE_TYPES, SECRET_OUTPUTS, type Kind } from "../../policy/types";
import { PolicyPackRunner, secret, type AnalysisResult, type Diagnostic, type PackConfig, type ResourceOptions, type TestResource } from "./harness";

/** The instant the state-check tests treat as "now". */
export const NOW = new Date("2026-06-01T12:00:00.000Z");

/** The pack's version, from policy/package.json (what the engine reports). */
export const PACK_VERSION: string = JSON.parse(readFileSync(path.join(__dirname, "../../policy/package.json"), "utf8")).version;

/** A runner for the token-hygiene pack with a fixed clock. */
export function packRunner(config?: PackConfig): PolicyPackRunner {
  const runner = new PolicyPackRunner(PACK_NAME, PACK_VERSION, tokenHygienePackArgs({ clock: () => NOW }));
  if (config) runner.configure(config);
  return runner;
}

/** A resource of a kind, with the resource options the SDK class sets (its secret outputs). */
export function resource(kind: Kind, props: Record<string, unknown>, opts: ResourceOptions = {}, name = `my-${kind.toLowerCase()}`): TestResource {
  return { type: RESOURCE_TYPES[kind], name, props, opts: { additionalSecretOutputs: [...SECRET_OUTPUTS[kind]], ...opts } };
}

/** A valid OpenSSH ed25519 public key line (a throwaway test key). */
export const ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOhVCiMFOvL9M2znozRMs/BoRdDU7igYInel6ce1txoG test@example";

/** Inputs of one compliant resource of every kind. */
export function compliantResources(): TestResource[] {
  return [
    resource("BearerToken", { key: "endpoint-token", visibility: "USER", rotationDays: 30 }),
    resource("ServerlessApiKey", { name: "batch-jobs", rotationDays: 60 }),
    resource("HuggingFaceToken", { key: "hf-gated-models", value: secret(`hf_${"a".repeat(34)}`), keepers: { rotated: "2026-05" } }),
    resource("AuthToken", { gateway: "gw-prod", name: "token-user01", rotationDays: 90 }),
    resource("EnvironmentVariable", { key: "LOG_LEVEL", value: secret("debug") }),
    resource("SshKey", { key: "deploy-key", publicKey: ED25519_KEY }),
    resource("RegistryCredential", { key: "ghcr-pull", username: "bot", password: secret("hunter2-but-longer"), server: "ghcr.io" }),
    resource("Certificate", { key: "private-endpoint", algorithm: "ECDSA_P384", validityDays: 365, earlyRenewalDays: 30, domain: "example.com" }),
    resource("PemFile", { path: "/tmp/ccluster-policy-test/private-endpoint.pem", pem: secret("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"), filePermission: "0600" }),
  ];
}

/** The diagnostics of one policy. */
export function of(result: AnalysisResult, policyName: string): Diagnostic[] {
  return result.diagnostics.filter((d) => d.policyName === policyName);
}

/** The violation texts of one policy (the SDK puts the description first; this keeps the part after it). */
export function messages(result: AnalysisResult, policyName: string): string[] {
  return of(result, policyName).map((d) => d.message.slice(d.message.indexOf("\n") + 1));
}

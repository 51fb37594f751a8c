/** Helpers that shape outputs into the platform's deployment request fields. */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentVariable } from "./resources";

/**
 * The deployment field `env_vars` (`{NAME: value}`) from environment variables, in order (a name
 * given twice keeps the last value). A secret, as their values are.
 *
 * @example
 * const logLevel = new ccluster.EnvironmentVariable("log-level", { key: "LOG_LEVEL", value: "info" });
 * export const env_vars = ccluster.envVars(logLevel);
 */
export function envVars(...variables: EnvironmentVariable[]): pulumi.Output<Record<string, string>> {
  const pairs = variables.map((v) => pulumi.all([v.key, v.value]));
  return pulumi.secret(pulumi.all(pairs).apply((entries) => Object.fromEntries(entries)));
}

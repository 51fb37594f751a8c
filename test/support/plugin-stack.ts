/**
 * What the provider-plugin e2e tests (YAML, TypeScript, Python, moving from dynamic resources)
 * share: the plugin's `ccluster:*` settings for the emulator, the CLI run against the test stack,
 * and the change summary without "same". The secret search is test/support/secret-search.ts.
 */
import type { Emulator } from "../../emulator";
import { runPulumi, type PulumiRun } from "../harness/engine";
import type { TestProject } from "./pulumi-project";

type StackConfig = Record<string, { value: string; secret?: boolean }>;

/**
 * The plugin's settings pointing at the emulator, as a user sets them (`ccluster:*`, the AI
 * gateway's inside the same namespace). `plainGatewaySecret`: the gateway's client secret is set
 * without `--secret`, to prove the schema still keeps it encrypted.
 */
export function pluginConfigFor(emu: Emulator, options: { plainGatewaySecret?: boolean } = {}): StackConfig {
  const i = emu.info;
  return {
    "ccluster:apiUrl": { value: i.apiUrl },
    "ccluster:token": { value: i.token, secret: true },
    "ccluster:aigatewayApiUrl": { value: i.aigatewayUrl },
    "ccluster:aigatewayClientId": { value: i.aigatewayServiceAccount.clientId },
    "ccluster:aigatewayClientSecret": { value: i.aigatewayServiceAccount.clientSecret, secret: !options.plainGatewaySecret },
  };
}

/** Runs the CLI on the project's `test` stack, without prompts or colour. */
export async function pulumiOn(project: TestProject, args: string[]): Promise<PulumiRun & { output: string }> {
  const run = await runPulumi([...args, "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env: project.env });
  return { ...run, output: run.stdout + run.stderr };
}

/** Only what a change summary would do beyond "same". */
export function changes(summary: Record<string, number | undefined> | undefined): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n));
}

/**
 * What the provider-plugin e2e tests (YAML, TypeScript, Python, moving from dynamic resources)
 * share: the plugin's `ccluster:*` settings for the emulator, the CLI run against the test stack,
 * the change summary without "same", and the texts a secret must never appear in (the backend's
 * files, which the crash tests search too).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
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

/** Every file below a folder (paths). */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A text a secret could reach, and where it came from (what a leak report names). */
export interface Place {
  where: string;
  text: string;
}

/**
 * The CLI's export as a user runs it (first), and every file of the backend, each named. The
 * update history records the stack config as it was set (as Pulumi.<stack>.yaml does): that
 * record is left out.
 */
export async function statePlaces(project: TestProject): Promise<Place[]> {
  const exported = await runPulumi(["stack", "export", "--stack", project.stack.name, "--non-interactive"], { cwd: project.dir, env: project.env });
  if (exported.code !== 0) throw new Error(`pulumi stack export exited ${exported.code}: ${exported.stderr}`);
  const backendDir = project.env.PULUMI_BACKEND_URL.replace("file://", "");
  const withoutConfig = (f: string) => (f.endsWith(".history.json") ? JSON.stringify({ ...JSON.parse(readFileSync(f, "utf8")), config: undefined }) : readFileSync(f, "utf8"));
  return [
    { where: `pulumi stack export (${project.stack.name})`, text: exported.stdout },
    ...listFiles(backendDir).map((f) => ({ where: `backend file ${relative(backendDir, f)}`, text: withoutConfig(f) })),
  ];
}

/** The texts of {@link statePlaces}. */
export async function stateTexts(project: TestProject): Promise<string[]> {
  return (await statePlaces(project)).map((p) => p.text);
}

/** The values of `secrets` that appear in any of the texts. */
export function leakedFrom(secrets: Iterable<string>, texts: string[]): string[] {
  return [...secrets].filter((s) => texts.some((t) => t.includes(s)));
}

/**
 * What points a Pulumi program at a running emulator: the provider settings that its start-up
 * record answers (the platform's URL and alice's token, the AI gateway's URL and service
 * account), as stack config, as `pulumi config set` commands and as environment variables. The
 * names come from the provider's settings table, so they cannot drift from what it reads.
 */
import { pluginConfigKey, settingDeclarations, type SettingDeclaration, type SettingName } from "../provider/client/settings";

/** The parts of the start-up record (`EmulatorInfo`) that a program needs. */
export interface EmulatorEndpoints {
  apiUrl: string;
  token: string;
  aigatewayUrl: string;
  aigatewayServiceAccount: { clientId: string; clientSecret: string };
}

/** Each provider setting the emulator answers, with its value. */
export function emulatorSettings(info: EmulatorEndpoints): { name: SettingName; setting: SettingDeclaration; value: string }[] {
  const values: [SettingName, string][] = [
    ["apiUrl", info.apiUrl],
    ["token", info.token],
    ["aigatewayApiUrl", info.aigatewayUrl],
    ["aigatewayClientId", info.aigatewayServiceAccount.clientId],
    ["aigatewayClientSecret", info.aigatewayServiceAccount.clientSecret],
  ];
  return values.map(([name, value]) => ({ name, setting: settingDeclarations[name], value }));
}

/** Stack config that points a program at the emulator (for the Automation API's `setAllConfig`). */
export function emulatorStackConfig(info: EmulatorEndpoints): Record<string, { value: string; secret?: boolean }> {
  return Object.fromEntries(emulatorSettings(info).map(({ setting, value }) => [setting.configKey, { value, ...(setting.secret ? { secret: true } : {}) }]));
}

/**
 * The `pulumi config set` commands, secrets with `--secret`, to run in the project's folder. The
 * TypeScript dynamic resources read the AI gateway's settings as `aigateway:*`; the provider
 * plugin (YAML, Python, Go, TypeScript on the plugin) gets only the `ccluster:` namespace.
 */
export function pulumiConfigCommands(info: EmulatorEndpoints, front: "dynamic" | "plugin" = "dynamic"): string[] {
  return emulatorSettings(info).map(({ name, setting, value }) => {
    const key = front === "plugin" ? pluginConfigKey(name) : setting.configKey;
    return `pulumi config set ${setting.secret ? "--secret " : ""}${key} ${shellWord(value)}`;
  });
}

/** The same settings as one `export` line, for a program run without stack config. */
export function environmentExports(info: EmulatorEndpoints): string {
  return `export ${emulatorSettings(info)
    .map(({ setting, value }) => `${setting.env[0]}=${shellWord(value)}`)
    .join(" ")}`;
}

/** A value as one shell word: as it is when it holds nothing the shell would read, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

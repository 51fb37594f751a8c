/**
 * The provider plugin's configuration. A plugin named `ccluster` receives only the `ccluster:*`
 * stack config, so every setting lives there under its setting name: `ccluster:apiUrl`,
 * `ccluster:token`, ... and the AI gateway's as `ccluster:aigatewayApiUrl`,
 * `ccluster:aigatewayToken`, ... (the dynamic resources keep reading `aigateway:*`). The
 * environment variables and defaults are the same for both (provider/client/settings.ts).
 */
import { pluginConfigKey, settingDeclarations, type ConfigSource, type SettingDeclaration, type SettingName } from "../client/settings";

/** One setting as the plugin reads it. */
export interface PluginSetting {
  /** The property name in the provider's config and schema: the setting's name, e.g. `aigatewayApiUrl`. */
  name: SettingName;
  /** As users set it: `ccluster:aigatewayApiUrl`. */
  configKey: string;
  declaration: SettingDeclaration;
}

/** Every setting, in the order of the settings table. */
export const pluginSettings: readonly PluginSetting[] = (Object.entries(settingDeclarations) as [SettingName, SettingDeclaration][]).map(([name, declaration]) => ({
  name,
  configKey: pluginConfigKey(name),
  declaration,
}));

/** Config keys the engine itself adds to a provider's inputs. */
const engineKeys = new Set(["version", "pluginDownloadURL"]);

/** The settings the engine's provider config holds, for `resolveSettings` (which asks by the dynamic config key). */
export function configSourceOf(args: Record<string, unknown>): ConfigSource {
  const byDynamicKey = new Map(pluginSettings.map((s) => [s.declaration.configKey, s.name]));
  return {
    get(key) {
      const name = byDynamicKey.get(key);
      const v = name === undefined ? undefined : args[name];
      if (v === undefined || v === null) return undefined;
      return typeof v === "string" ? v : JSON.stringify(v);
    },
  };
}

/** Names in the provider config that are not settings: typos, most likely. */
export function unknownSettings(args: Record<string, unknown>): string[] {
  const known = new Set<string>(pluginSettings.map((s) => s.name));
  return Object.keys(args).filter((k) => !known.has(k) && !engineKeys.has(k));
}

/** The settings that hold credentials: kept secret in the provider's state even when set without `--secret`. */
export const secretSettingNames: readonly string[] = pluginSettings.filter((s) => s.declaration.secret).map((s) => s.name);

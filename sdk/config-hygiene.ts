/**
 * A credential in plain stack config is recorded unencrypted: the engine keeps the stack config
 * in the state of the dynamic provider that reads it. Programs say so once, at their start.
 */
import * as pulumi from "@pulumi/pulumi";
import { settingDeclarations } from "../provider/client/settings";

let warned = false;

/** Warns (once per program) about each credential setting given as plain, not secret, config. */
export function warnAboutPlainCredentialConfig(): void {
  if (warned) return;
  warned = true;
  // Not in @pulumi/pulumi's type declarations, but exported by its runtime since 3.x.
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?(key: string): boolean }).isConfigSecret;
  if (!isConfigSecret) return;
  for (const setting of Object.values(settingDeclarations)) {
    if (!setting.secret || pulumi.runtime.getConfig(setting.configKey) === undefined || isConfigSecret(setting.configKey)) continue;
    void pulumi.log.warn(
      `${setting.configKey} is plain stack config, so the Pulumi state records it unencrypted. ` +
        `Set it as a secret: pulumi config set --secret ${setting.configKey} <value>`,
    );
  }
}

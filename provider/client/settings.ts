/**
 * Where the provider finds its endpoint and credentials: stack config (`ccluster:*`,
 * `aigateway:*`), then this package's environment variables (`CCLUSTER_*`, `AIGATEWAY_*`), then
 * the platform CLI's own names (`CENTML_*`), then defaults. This table is the one declaration
 * of every setting; the README's configuration section is generated from it.
 */
import { ErrorCodes, PlatformError } from "./errors";

export interface SettingDeclaration {
  /** Stack config key, e.g. `ccluster:apiUrl`. */
  configKey: string;
  /** Environment variables, first match wins. */
  env: string[];
  secret: boolean;
  default?: string;
  description: string;
}

export const settingDeclarations = {
  apiUrl: {
    configKey: "ccluster:apiUrl",
    env: ["CCLUSTER_API_URL", "CENTML_PLATFORM_API_URL"],
    secret: false,
    default: "https://api.centml.com",
    description: "Base URL of the CCluster (CentML) platform API.",
  },
  token: {
    configKey: "ccluster:token",
    env: ["CCLUSTER_TOKEN"],
    secret: true,
    description: "A bearer token for the platform API. Use this or a service account.",
  },
  serviceAccountId: {
    configKey: "ccluster:serviceAccountId",
    env: ["CCLUSTER_SERVICE_ACCOUNT_ID", "CENTML_SERVICE_ACCOUNT_ID"],
    secret: false,
    description: "Service account client id (OAuth2 client credentials), as CI uses.",
  },
  serviceAccountSecret: {
    configKey: "ccluster:serviceAccountSecret",
    env: ["CCLUSTER_SERVICE_ACCOUNT_SECRET", "CENTML_SERVICE_ACCOUNT_SECRET"],
    secret: true,
    description: "Service account client secret.",
  },
  tokenUrl: {
    configKey: "ccluster:tokenUrl",
    env: ["CCLUSTER_TOKEN_URL", "CENTML_SERVICE_ACCOUNT_TOKEN_URL"],
    secret: false,
    default: "https://signin.centml.com/oauth2/token",
    description: "OAuth2 token URL for the service account exchange.",
  },
  retryTimeoutSeconds: {
    configKey: "ccluster:retryTimeoutSeconds",
    env: ["CCLUSTER_RETRY_TIMEOUT_SECONDS"],
    secret: false,
    default: "60",
    description:
      "How long one API call (the platform's or the AI gateway's) keeps retrying 429s, 502/503/504s and network failures, with backoff and Retry-After, before it fails; 0 retries nothing.",
  },
  aigatewayApiUrl: {
    configKey: "aigateway:apiUrl",
    env: ["AIGATEWAY_API_URL"],
    secret: false,
    description: "Base URL of the AI gateway's management API (required for aigateway resources).",
  },
  aigatewayToken: {
    configKey: "aigateway:token",
    env: ["AIGATEWAY_TOKEN"],
    secret: true,
    description: "A bearer token for the AI gateway API. Use this or a service account.",
  },
  aigatewayClientId: {
    configKey: "aigateway:clientId",
    env: ["AIGATEWAY_CLIENT_ID"],
    secret: false,
    description: "AI gateway service account client id (HTTP Basic client credentials).",
  },
  aigatewayClientSecret: {
    configKey: "aigateway:clientSecret",
    env: ["AIGATEWAY_CLIENT_SECRET"],
    secret: true,
    description: "AI gateway service account client secret.",
  },
  aigatewayTokenUrl: {
    configKey: "aigateway:tokenUrl",
    env: ["AIGATEWAY_TOKEN_URL"],
    secret: false,
    description: "AI gateway token URL (default: `<aigateway:apiUrl>/v2/auth/token`, assumed).",
  },
} satisfies Record<string, SettingDeclaration>;

export type SettingName = keyof typeof settingDeclarations;
export type Settings = Partial<Record<SettingName, string>>;

/** Anything with `get(key)`: Pulumi's dynamic-provider config, or a plain map in tests. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Resolves every setting from config, then the environment, then the default. */
export function resolveSettings(config?: ConfigSource, env: NodeJS.ProcessEnv = process.env): Settings {
  const out: Settings = {};
  for (const [name, decl] of Object.entries(settingDeclarations) as [SettingName, SettingDeclaration][]) {
    const fromConfig = config?.get(decl.configKey);
    const fromEnv = decl.env.map((e) => env[e]).find((v) => v !== undefined && v !== "");
    const value = fromConfig || fromEnv || decl.default;
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}

/** Where a URL setting is set, for errors about a URL that could not be reached: `ccluster:apiUrl / CCLUSTER_API_URL / ... (default ...)`. */
export function settingSource(name: SettingName): string {
  const d: SettingDeclaration = settingDeclarations[name];
  return [d.configKey, ...d.env].join(" / ") + (d.default ? ` (default ${d.default})` : "");
}

/** The time budget of one call, in milliseconds, from the `retryTimeoutSeconds` setting (undefined when unset). */
export function retryBudgetMs(settings: Settings): number | undefined {
  const raw = settings.retryTimeoutSeconds;
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    const d = settingDeclarations.retryTimeoutSeconds;
    throw new PlatformError(`${d.configKey} (or ${d.env.join("/")}) must be a number of seconds, 0 or more; it is "${raw}"`, { code: ErrorCodes.CONFIG });
  }
  return seconds * 1000;
}

/**
 * A setting's key in the provider plugin's config: `ccluster:<setting name>`, the AI gateway's
 * too (`ccluster:aigatewayApiUrl`), since a plugin named ccluster gets only the `ccluster:` namespace.
 */
export function pluginConfigKey(name: SettingName): string {
  return `ccluster:${name}`;
}

/** The error users see when credentials are missing: it says every place they can put them. */
export function missingCredentials(service: "ccluster" | "aigateway"): PlatformError {
  const d = settingDeclarations;
  const text =
    service === "ccluster"
      ? `set \`pulumi config set --secret ${d.token.configKey} ...\` (or ${d.token.env.join("/")}), or a service account with ` +
        `${d.serviceAccountId.configKey} + ${d.serviceAccountSecret.configKey} (or ${d.serviceAccountId.env.join("/")} + ${d.serviceAccountSecret.env.join("/")})`
      : `set ${d.aigatewayApiUrl.configKey} and either ${d.aigatewayToken.configKey} or ${d.aigatewayClientId.configKey} + ${d.aigatewayClientSecret.configKey} ` +
        `(or ${d.aigatewayApiUrl.env[0]} with ${d.aigatewayToken.env[0]} or ${d.aigatewayClientId.env[0]} + ${d.aigatewayClientSecret.env[0]}); ` +
        `on the provider plugin (YAML, Python, Go) the config keys are ${pluginConfigKey("aigatewayApiUrl")}, ${pluginConfigKey("aigatewayToken")}, ` +
        `${pluginConfigKey("aigatewayClientId")} and ${pluginConfigKey("aigatewayClientSecret")}`;
  return new PlatformError(`no credentials for the ${service === "ccluster" ? "CCluster platform" : "AI gateway"}: ${text}`, {
    code: ErrorCodes.CONFIG,
  });
}

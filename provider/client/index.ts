/**
 * The platform client: one object per API, built from resolved settings.
 *
 * @example
 * const clients = createClients(resolveSettings());
 * const items = await clients.vault().list({ type: "bearer_tokens" });
 */
import { Dispatcher } from "undici";
import { AiGatewayApi, gatewayPaths } from "./aigateway";
import { ClientCredentialsToken, StaticToken, TokenSource } from "./auth";
import { HttpClient } from "./http";
import type { ConcurrencyLimit, RetryPolicy } from "./retry";
import { ServerlessKeysApi } from "./serverless";
import { missingCredentials, retryBudgetMs, Settings } from "./settings";
import { VaultApi } from "./vault";

export * from "./errors";
export * from "./models";
export * from "./settings";
export { VaultApi } from "./vault";
export { ServerlessKeysApi } from "./serverless";
export { createOnce, type CreateOnceSteps } from "./create-once";
export { AiGatewayApi, gatewayPaths, gatewayNamePattern } from "./aigateway";
export { ClientCredentialsToken, StaticToken, type TokenSource } from "./auth";
export { HttpClient } from "./http";
export { ConcurrencyLimit, defaultRetryPolicy, DEFAULT_MAX_CONCURRENT_REQUESTS, type RetryPolicy } from "./retry";

export interface ClientOptions {
  timeoutMs?: number;
  /** Overrides of the retry policy; `budgetMs` wins over the `retryTimeoutSeconds` setting. */
  retry?: Partial<RetryPolicy>;
  /** The cap on requests in flight; by default the one this whole process shares. */
  concurrency?: ConcurrencyLimit;
  dispatcher?: Dispatcher;
}

export interface Clients {
  /** The vault API; throws CONFIG errors lazily, when first used without credentials. */
  vault(): VaultApi;
  serverless(): ServerlessKeysApi;
  aigateway(): AiGatewayApi;
}

/** Builds the clients lazily, so a stack that only uses the vault needs no gateway settings. */
export function createClients(settings: Settings, clientOptions: ClientOptions = {}): Clients {
  let platform: HttpClient | undefined;
  let gateway: HttpClient | undefined;
  // Read when first used, so a bad retryTimeoutSeconds fails the operations that call out, not the others.
  const options = (): ClientOptions => ({
    ...clientOptions,
    retry: { ...clientOptions.retry, budgetMs: clientOptions.retry?.budgetMs ?? retryBudgetMs(settings) },
  });
  const platformHttp = () => {
    if (platform) return platform;
    const o = options();
    return (platform = new HttpClient({ ...o, service: "ccluster", baseUrl: settings.apiUrl!, auth: platformAuth(settings, o) }));
  };
  const gatewayHttp = () => {
    if (!settings.aigatewayApiUrl) throw missingCredentials("aigateway");
    if (gateway) return gateway;
    const o = options();
    return (gateway = new HttpClient({ ...o, service: "aigateway", baseUrl: settings.aigatewayApiUrl, auth: gatewayAuth(settings, o) }));
  };
  return {
    vault: () => new VaultApi(platformHttp()),
    serverless: () => new ServerlessKeysApi(platformHttp()),
    aigateway: () => new AiGatewayApi(gatewayHttp()),
  };
}

function platformAuth(s: Settings, o: ClientOptions): TokenSource {
  if (s.token) return new StaticToken(s.token);
  if (s.serviceAccountId && s.serviceAccountSecret)
    return new ClientCredentialsToken({
      service: "ccluster",
      style: "form",
      tokenUrl: s.tokenUrl!,
      clientId: s.serviceAccountId,
      clientSecret: s.serviceAccountSecret,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      concurrency: o.concurrency,
      dispatcher: o.dispatcher,
    });
  throw missingCredentials("ccluster");
}

function gatewayAuth(s: Settings, o: ClientOptions): TokenSource {
  if (s.aigatewayToken) return new StaticToken(s.aigatewayToken);
  if (s.aigatewayClientId && s.aigatewayClientSecret)
    return new ClientCredentialsToken({
      service: "aigateway",
      style: "basic",
      tokenUrl: s.aigatewayTokenUrl ?? s.aigatewayApiUrl!.replace(/\/+$/, "") + gatewayPaths.authToken,
      clientId: s.aigatewayClientId,
      clientSecret: s.aigatewayClientSecret,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      concurrency: o.concurrency,
      dispatcher: o.dispatcher,
    });
  throw missingCredentials("aigateway");
}

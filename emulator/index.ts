/**
 * A local, faithful stand-in for the CCluster platform API and the AI gateway, for the demo
 * and the tests (never for production stacks). The contract is `emulator/README.md`.
 *
 * @example
 * const emu = await startEmulator();
 * const answer = await fetch(`${emu.info.apiUrl}/user_vault`, { headers: { authorization: `Bearer ${emu.info.token}` } });
 * await emu.stop();
 */
import { promises as fs } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { adminRoutes } from "./admin";
import { AIGATEWAY_PATHS, aigatewayRoutes, GatewayRateLimiter } from "./aigateway";
import { platformAuthRoutes, type TokenLifetimes } from "./auth";
import { endpointRoutes, ENDPOINT_PATHS, privateEndpointRoutes } from "./endpoints";
import { FaultController, parseFaultConfig, type FaultConfig, type FaultConfigInput } from "./faults";
import { createDispatcher } from "./http";
import { serverlessRoutes } from "./serverless";
import { Store } from "./store";
import { createServerCredentials, type ServerCredentials } from "./tls";
import { vaultRoutes } from "./vault";

export type { FaultConfig, FaultConfigInput, FaultStats } from "./faults";

/** How to start the emulator. Every field is optional. */
export interface EmulatorOptions {
  /** Folder of the persistent state; without it a fresh temporary folder is used and removed on stop. */
  dataDir?: string;
  /** The fault set in force from the start (see the README's "Faults"). */
  faults?: FaultConfigInput;
  /** Lifetime of issued access tokens, both the platform's and the AI gateway's (defaults 3600 and 7200). */
  accessTokenTtlSeconds?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port of the HTTP server; default 0 (any free port). */
  port?: number;
  /** Port of the private endpoint's HTTPS server; default 0 (any free port). */
  tlsPort?: number;
}

/** The start-up record: where everything is and the credentials of the seeded tenants. */
export interface EmulatorInfo {
  apiUrl: string;
  /** Static bearer token of user alice. */
  token: string;
  users: Record<string, { token: string; org: string }>;
  tokenUrl: string;
  serviceAccount: { clientId: string; clientSecret: string; user: string };
  aigatewayUrl: string;
  aigatewayTokenUrl: string;
  aigatewayServiceAccount: { clientId: string; clientSecret: string };
  dedicatedEndpointUrl: string;
  serverlessEndpointUrl: string;
  privateEndpointUrl: string;
  /** PEM of the CA that signed the private endpoint's server certificate. */
  privateEndpointCaPem: string;
  gatewayChatUrl: string;
  adminUrl: string;
  adminToken: string;
  dataDir: string;
}

/** A running emulator. */
export interface Emulator {
  info: EmulatorInfo;
  /** Stops both servers; removes the data folder if the emulator made it. */
  stop(): Promise<void>;
  /**
   * Stops and starts again on the same ports and data folder, as a restarted process would:
   * the state is read back from disk; faults return to those given at start and counts to zero.
   */
  restart(options?: { downForMs?: number }): Promise<void>;
}

interface Running {
  store: Store;
  servers: (http.Server | https.Server)[];
  port: number;
  tlsPort: number;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function launch(
  options: EmulatorOptions,
  initialFaults: FaultConfig,
  dataDir: string,
  tls: ServerCredentials,
  ports: { port: number; tlsPort: number },
): Promise<Running> {
  const store = await Store.open(dataDir);
  const faults = new FaultController(initialFaults);
  const lifetimes: TokenLifetimes = {
    platformSeconds: options.accessTokenTtlSeconds ?? 3600,
    aigatewaySeconds: options.accessTokenTtlSeconds ?? 7200,
  };
  const rateLimiter = new GatewayRateLimiter();
  const apiServer = http.createServer(
    createDispatcher(
      [
        ...platformAuthRoutes(store, lifetimes),
        ...vaultRoutes(store),
        ...serverlessRoutes(store),
        ...aigatewayRoutes(store, lifetimes),
        ...endpointRoutes(store, rateLimiter),
        ...adminRoutes(store, faults),
      ],
      faults,
    ),
  );
  // Any client certificate is let through the handshake; each request is then judged against
  // the CA stored under its path's certificate name, which the handshake cannot know.
  const privateServer = https.createServer(
    { key: tls.keyPem, cert: tls.certPem, requestCert: true, rejectUnauthorized: false },
    createDispatcher(privateEndpointRoutes(store), faults),
  );
  const host = options.host ?? "127.0.0.1";
  const port = await listen(apiServer, ports.port, host);
  const tlsPort = await listen(privateServer, ports.tlsPort, host).catch(async (error: unknown) => {
    await close(apiServer);
    throw error;
  });
  return { store, servers: [apiServer, privateServer], port, tlsPort };
}

async function shutdown(running: Running): Promise<void> {
  await Promise.all(running.servers.map(close));
  await running.store.close();
}

/** The host to put in URLs: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function startupRecord(running: Running, host: string, tls: ServerCredentials, dataDir: string): EmulatorInfo {
  const state = running.store.state;
  const apiUrl = `http://${urlHost(host)}:${running.port}`;
  return {
    apiUrl,
    token: state.users.alice.token,
    users: structuredClone(state.users),
    tokenUrl: `${apiUrl}/oauth2/token`,
    serviceAccount: { ...state.serviceAccount },
    aigatewayUrl: `${apiUrl}${AIGATEWAY_PATHS.base}`,
    aigatewayTokenUrl: `${apiUrl}${AIGATEWAY_PATHS.authToken}`,
    aigatewayServiceAccount: { ...state.aigatewayServiceAccount },
    dedicatedEndpointUrl: `${apiUrl}${ENDPOINT_PATHS.dedicatedBase}`,
    serverlessEndpointUrl: `${apiUrl}${ENDPOINT_PATHS.serverlessBase}`,
    privateEndpointUrl: `https://${urlHost(host)}:${running.tlsPort}${ENDPOINT_PATHS.privateBase}`,
    privateEndpointCaPem: tls.caPem,
    gatewayChatUrl: `${apiUrl}${AIGATEWAY_PATHS.chatBase}`,
    adminUrl: `${apiUrl}/_admin`,
    adminToken: state.adminToken,
    dataDir,
  };
}

/**
 * Starts the emulator on loopback (ports chosen by the system unless given).
 * @example
 * const emu = await startEmulator({ faults: { error5xx: { next: 1 } } });
 * // ... emu.info.apiUrl, emu.info.token ...
 * await emu.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const initialFaults = parseFaultConfig(options.faults);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = path.resolve(options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "ccluster-emulator-"))));
  const host = options.host ?? "127.0.0.1";
  const tls = await createServerCredentials();
  let running: Running | undefined = await launch(options, initialFaults, dataDir, tls, { port: options.port ?? 0, tlsPort: options.tlsPort ?? 0 });
  const info = startupRecord(running, host, tls, dataDir);

  return {
    info,
    async stop() {
      if (running) await shutdown(running);
      running = undefined;
      if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
    async restart(restartOptions: { downForMs?: number } = {}) {
      if (!running) throw new Error("the emulator was stopped; start a new one instead");
      const ports = { port: running.port, tlsPort: running.tlsPort };
      await shutdown(running);
      running = undefined;
      // An outage: connections are refused meanwhile, as during a platform deploy.
      if (restartOptions.downForMs) await new Promise((r) => setTimeout(r, restartOptions.downForMs));
      running = await launch(options, initialFaults, dataDir, tls, ports);
    },
  };
}

#!/usr/bin/env node
/**
 * `ccluster-emulator`: runs the emulator until SIGINT/SIGTERM.
 *
 * The first stdout line is the start-up record as one JSON object (it holds the seeded
 * credentials, so it goes to stdout only); human-readable lines follow.
 *
 * @example
 * npx ccluster-emulator --port 0 --data-dir .emulator --faults '{"error5xx":{"next":1}}'
 */
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorOptions } from "./index";
import { environmentExports, pulumiConfigCommands } from "./stack-config";

const USAGE = `usage: ccluster-emulator [--port N] [--tls-port N] [--host ADDR] [--data-dir DIR] [--faults JSON] [--access-token-ttl SECONDS]`;

function fail(message: string): never {
  process.stderr.write(`ccluster-emulator: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function portNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) fail(`${flag} must be a port number (0 picks a free one), not ${JSON.stringify(text)}`);
  return value;
}

/** Turns the command line into emulator options, or exits with a usage message. */
function parseOptions(argv: string[]): EmulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        "tls-port": { type: "string" },
        host: { type: "string" },
        "data-dir": { type: "string" },
        faults: { type: "string" },
        "access-token-ttl": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  let faults: EmulatorOptions["faults"];
  if (values.faults !== undefined) {
    try {
      faults = JSON.parse(values.faults) as EmulatorOptions["faults"];
    } catch {
      fail("--faults must be a JSON object");
    }
  }
  let accessTokenTtlSeconds: number | undefined;
  if (values["access-token-ttl"] !== undefined) {
    accessTokenTtlSeconds = Number(values["access-token-ttl"]);
    if (!Number.isInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds < 1) fail("--access-token-ttl must be a whole number of seconds, at least 1");
  }
  return {
    port: portNumber("--port", values.port),
    tlsPort: portNumber("--tls-port", values["tls-port"]),
    host: values.host,
    dataDir: values["data-dir"],
    faults,
    accessTokenTtlSeconds,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const emulator = await startEmulator(options).catch((error: unknown) => fail((error as Error).message));
  const { info } = emulator;
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdout.write(`ccluster emulator: platform API ${info.apiUrl}, private endpoint ${info.privateEndpointUrl}, data in ${info.dataDir}\n`);
  // So nobody has to work out which field of the record feeds which setting.
  process.stdout.write(`ccluster emulator: to point a stack at it, run in the Pulumi project's folder:\n`);
  for (const command of pulumiConfigCommands(info)) process.stdout.write(`  ${command}\n`);
  process.stdout.write(`ccluster emulator: on the provider plugin (YAML, Python, Go, TypeScript on the plugin) the AI gateway's keys are in the ccluster namespace:\n`);
  for (const command of pulumiConfigCommands(info, "plugin")) process.stdout.write(`  ${command}\n`);
  process.stdout.write(`ccluster emulator: or, instead of stack config, set the environment:\n  ${environmentExports(info)}\n`);
  process.stdout.write(`ccluster emulator: stop with Ctrl-C (SIGINT) or SIGTERM\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`ccluster emulator: ${signal}, stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ccluster-emulator: could not stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();

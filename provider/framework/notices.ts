/**
 * Telling the user what the provider did on their behalf (a leftover of an interrupted run
 * removed and made anew). A dynamic provider (or the provider plugin) has no logger of its own, but the
 * engine starts it with the engine's gRPC address as its last argument, and the engine's `Log` call shows a
 * warning under the resource in `pulumi up`'s output. Outside the engine (tests, libraries) the
 * notice goes to stderr. Never pass a secret here.
 */
import { dirname } from "node:path";

type EngineLog = (message: string, urn: string | undefined) => Promise<void>;
let engineLog: EngineLog | null | undefined;

/** The engine's `Log` call, when this process was started by the engine; null otherwise. */
function connectToEngine(): EngineLog | null {
  // The address comes last, after any logging flags the engine forwards (`-v=9 --logtostderr`).
  const address = process.argv.slice(2).reverse().find((a) => /^[\w.-]+:\d+$/.test(a));
  if (!address) return null;
  try {
    // The generated stubs and grpc-js come with @pulumi/pulumi; resolve them from there, and only
    // when a provider process has an engine to talk to.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const { LogRequest, LogSeverity } = require("@pulumi/pulumi/proto/engine_pb");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new EngineClient(address, grpc.credentials.createInsecure());
    return (message, urn) =>
      new Promise((resolve) => {
        const req = new LogRequest().setSeverity(LogSeverity.WARNING).setMessage(message);
        if (urn) req.setUrn(urn);
        client.log(req, () => resolve()); // a notice that cannot be shown must not fail the operation
      });
  } catch {
    return null;
  }
}

/** Shows `message` as a warning on resource `urn` (or on the stack). */
export async function warnUser(message: string, urn?: string): Promise<void> {
  if (engineLog === undefined) engineLog = connectToEngine();
  if (engineLog) return engineLog(message, urn);
  process.stderr.write(`warning: ${message}\n`);
}

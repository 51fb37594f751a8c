/**
 * The provider plugin `pulumi-resource-ccluster`: the engine's `ResourceProvider` gRPC service,
 * served on the stubs that @pulumi/pulumi ships, around the very per-kind providers the dynamic
 * resources run ({@link makeResourceProvider}). This file adds the protocol only: type tokens,
 * the provider config under `ccluster:*`, secrets in and out, the URN that `check` derives names
 * from, and errors as gRPC errors. It is what YAML, Python, Go (and `pulumi import`) reach.
 *
 * @pulumi/pulumi's own `provider.main` is made for component providers (it drops the config,
 * fails an import's Read and hands secrets to the code wrapped), so this serves the service itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { ProviderError, ProviderErrorCodes } from "../errors";
import { pluginTypeToken, secretOutputNames, type KindDeclaration } from "../framework/declaration";
import { makeResourceProvider, type KindProvider } from "../framework/lifecycle";
import { resourceNameOf } from "../framework/ownership";
import { kinds } from "../registry";
import { configSourceOf, secretSettingNames, unknownSettings } from "./config";
import { markSecrets, revealSecrets, type PropertyBag } from "./properties";

// The generated stubs and their runtime (grpc-js, google-protobuf) come with @pulumi/pulumi; load
// them from there, so the messages and the server agree on one copy.
/* eslint-disable @typescript-eslint/no-require-imports */
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const struct: typeof structTypes = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const proto: typeof providerPb = require("@pulumi/pulumi/proto/provider_pb");
const { ResourceProviderService } = require("@pulumi/pulumi/proto/provider_grpc_pb");
const { PluginInfo } = require("@pulumi/pulumi/proto/plugin_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/** The package's root: where schema.json and package.json are, from provider/plugin or dist/provider/plugin. */
function packageRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "schema.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  throw new ProviderError(ProviderErrorCodes.PLUGIN, `pulumi-resource-ccluster: cannot find schema.json above ${__dirname}`);
}

/** One kind as the plugin serves it. */
interface Served {
  decl: KindDeclaration;
  provider: KindProvider;
  /** Declared secret, whatever the program passed: marked secret in every answer. */
  secrets: ReadonlySet<string>;
}

type Call<Req> = { request: Req };
type Callback<Res> = (error: grpcTypes.ServiceError | null, value?: Res) => void;

/** A handler from an async function: its result is the answer, a thrown error's message the gRPC error. */
function unary<Req, Res>(handle: (req: Req) => Promise<Res>) {
  return (call: Call<Req>, callback: Callback<Res>) => {
    handle(call.request).then(
      (res) => callback(null, res),
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        callback(Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata: new grpc.Metadata() }));
      },
    );
  };
}

const toBag = (s: structTypes.Struct | undefined): PropertyBag => (s ? (s.toJavaScript() as PropertyBag) : {});
// Through JSON: nested `undefined`s (absent optional fields) are dropped, as Struct cannot hold them.
const toStruct = (bag: PropertyBag): structTypes.Struct => struct.Struct.fromJavaScript(JSON.parse(JSON.stringify(bag)));

/** The type token of a URN: `urn:pulumi:<stack>::<project>::<parent$...$>type::<name>`. */
function typeOfUrn(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** The `ResourceProvider` service of the plugin. `version` is the package's. */
export function providerService(version: string) {
  const served = new Map<string, Served>(
    kinds.map((decl) => [pluginTypeToken(decl), { decl, provider: makeResourceProvider(decl), secrets: new Set(secretOutputNames(decl)) }]),
  );
  const kindOf = (req: { getUrn(): string; getType(): string }): Served => {
    const token = req.getType() || typeOfUrn(req.getUrn());
    const k = served.get(token);
    if (!k) throw new ProviderError(ProviderErrorCodes.UNKNOWN_KIND, `pulumi-resource-ccluster has no resource type ${token} (known: ${[...served.keys()].join(", ")})`);
    return k;
  };
  /** Answers mark secret what the kind declares secret and whatever arrived secret. */
  const secretOut = (k: Served, bag: PropertyBag, arrivedSecret: Iterable<string>) => markSecrets(bag, new Set([...k.secrets, ...arrivedSecret]));

  return {
    getPluginInfo: unary(async () => new PluginInfo().setVersion(version)),

    getSchema: unary(async (req: providerPb.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new ProviderError(ProviderErrorCodes.PLUGIN, `unsupported schema version ${req.getVersion()}`);
      return new proto.GetSchemaResponse().setSchema(readFileSync(join(packageRoot(), "schema.json"), "utf8"));
    }),

    checkConfig: unary(async (req: providerPb.CheckRequest) => {
      const news = toBag(req.getNews());
      const failures = unknownSettings(news).map((k) =>
        new proto.CheckFailure().setProperty(k).setReason(`ccluster:${k} is not a setting of the ccluster provider (see its schema's config, e.g. ccluster:apiUrl, ccluster:aigatewayApiUrl)`),
      );
      // A credential set without --secret still reaches the provider's state only encrypted.
      return new proto.CheckResponse().setInputs(toStruct(markSecrets(news, secretSettingNames))).setFailuresList(failures);
    }),

    // A changed setting changes how the provider talks to the platform, never the credentials it made: update, no replacement.
    diffConfig: unary(async (req: providerPb.DiffRequest) => {
      const olds = revealSecrets(toBag(req.getOlds())).values;
      const news = revealSecrets(toBag(req.getNews())).values;
      const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
      const changes = changed.length ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE;
      return new proto.DiffResponse().setChanges(changes).setDiffsList(changed);
    }),

    configure: unary(async (req: providerPb.ConfigureRequest) => {
      const config = configSourceOf(revealSecrets(toBag(req.getArgs())).values);
      for (const k of served.values()) await k.provider.configure({ config });
      // No preview support: at preview the engine shows the inputs and leaves computed outputs unknown.
      return new proto.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(false);
    }),

    check: unary(async (req: providerPb.CheckRequest) => {
      const k = kindOf(req);
      const olds = revealSecrets(toBag(req.getOlds())).values;
      const news = revealSecrets(toBag(req.getNews()));
      // As the dynamic SDK passes them: the URN names the resource's platform objects, the name prefixes auto-names.
      const given: PropertyBag = { ...news.values, resourceUrn: req.getUrn() };
      if (k.decl.autoName) given.autoNamePrefix = resourceNameOf(req.getUrn());
      const result = await k.provider.check(olds, given);
      const failures = (result.failures ?? []).map((f) => new proto.CheckFailure().setProperty(f.property).setReason(f.reason));
      return new proto.CheckResponse().setInputs(toStruct(secretOut(k, result.inputs ?? given, news.secret))).setFailuresList(failures);
    }),

    diff: unary(async (req: providerPb.DiffRequest) => {
      const k = kindOf(req);
      const result = await k.provider.diff(req.getId(), revealSecrets(toBag(req.getOlds())).values, revealSecrets(toBag(req.getNews())).values);
      return new proto.DiffResponse()
        .setChanges(result.changes ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE)
        .setReplacesList(result.replaces ?? [])
        .setDeletebeforereplace(result.deleteBeforeReplace ?? false)
        .setDiffsList(result.diffs);
    }),

    create: unary(async (req: providerPb.CreateRequest) => {
      const k = kindOf(req);
      const inputs = revealSecrets(toBag(req.getProperties()));
      const { id, outs } = await k.provider.create(inputs.values);
      return new proto.CreateResponse().setId(id).setProperties(toStruct(secretOut(k, outs ?? {}, inputs.secret)));
    }),

    read: unary(async (req: providerPb.ReadRequest) => {
      const k = kindOf(req);
      const state = revealSecrets(toBag(req.getProperties()));
      const inputs = revealSecrets(toBag(req.getInputs()));
      // No properties: `pulumi import`, which also wants the inputs (secret ones are left out of them).
      const result = await k.provider.read(req.getId(), state.values);
      const res = new proto.ReadResponse().setId(result.id ?? "").setProperties(toStruct(secretOut(k, result.props ?? {}, state.secret)));
      if (result.inputs) res.setInputs(toStruct(secretOut(k, result.inputs, inputs.secret)));
      return res;
    }),

    update: unary(async (req: providerPb.UpdateRequest) => {
      const k = kindOf(req);
      const olds = revealSecrets(toBag(req.getOlds()));
      const news = revealSecrets(toBag(req.getNews()));
      const { outs } = await k.provider.update(req.getId(), olds.values, news.values);
      return new proto.UpdateResponse().setProperties(toStruct(secretOut(k, outs ?? {}, [...olds.secret, ...news.secret])));
    }),

    delete: unary(async (req: providerPb.DeleteRequest) => {
      const k = kindOf(req);
      await k.provider.delete(req.getId(), revealSecrets(toBag(req.getProperties())).values);
      return new Empty();
    }),

    // Nothing runs in the background that a cancel could stop; each call ends on its own.
    cancel: unary(async () => new Empty()),
  };
}

/** The package's version, which the plugin reports. */
export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version;
}

/**
 * Serves the plugin on a free loopback port and prints the port on stdout, which is how the
 * engine learns where to connect. Every other method of the service answers UNIMPLEMENTED.
 */
export async function serve(): Promise<grpcTypes.Server> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(ResourceProviderService, providerService(packageVersion()) as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.stdout.write(`${port}\n`);
  return server;
}

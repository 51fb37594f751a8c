/**
 * The provider plugin's gRPC service against the emulator, called as the engine calls it (the
 * same stubs, over a real connection): config under `ccluster:*` (the AI gateway's too), secrets
 * unwrapped on the way in and marked on the way out, the URN in check, diffs, and `pulumi
 * import`'s Read. Under the real engine with YAML: test/e2e/plugin-yaml.test.ts.
 */
import { dirname } from "node:path";
import { readFileSync } from "node:fs";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { serve } from "../../provider/plugin/server";
import { resetOwnership } from "../../provider/framework/ownership";
import { clientsFor, settingsFor, useEmulator } from "../support/emulator";

// The generated stubs and their runtime from @pulumi/pulumi's own copy, as the server loads them.
/* eslint-disable @typescript-eslint/no-require-imports */
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc: typeof grpcTypes = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const { Struct }: typeof structTypes = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }));
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] }));
const proto: typeof providerPb = require("@pulumi/pulumi/proto/provider_pb");
const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const emu = useEmulator();
let server: grpcTypes.Server;
let client: any;

beforeAll(async () => {
  // serve() prints the port on stdout, as the engine expects; read it back from there.
  const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  server = await serve();
  const port = String(write.mock.calls[0][0]).trim();
  write.mockRestore();
  client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});
afterAll(() => {
  client?.close();
  server?.forceShutdown();
});
beforeEach(() => resetOwnership());

/** Calls one method and resolves with its answer; rejects with the gRPC error. */
function call<Res>(method: string, req: unknown): Promise<Res> {
  return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res))));
}
const struct = (o: Record<string, unknown>) => Struct.fromJavaScript(o as never);
const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;
const urnOf = (type: string, name: string) => `urn:pulumi:test::plugin::${type}::${name}`;

/** Configures the plugin as the engine does after CheckConfig: provider inputs, credentials secret. */
async function configure(): Promise<void> {
  const s = settingsFor(emu());
  const args = {
    apiUrl: s.apiUrl,
    token: secret(s.token),
    aigatewayApiUrl: s.aigatewayApiUrl,
    aigatewayClientId: s.aigatewayClientId,
    aigatewayClientSecret: secret(s.aigatewayClientSecret),
    version: "0.1.0",
  };
  const res = await call<providerPb.ConfigureResponse>("configure", new proto.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true));
  expect(res.getAcceptsecrets()).toBe(true);
}

async function check(type: string, name: string, news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
  const res = await call<providerPb.CheckResponse>("check", new proto.CheckRequest().setUrn(urnOf(type, name)).setType(type).setOlds(struct(olds)).setNews(struct(news)));
  return { inputs: res.getInputs()!.toJavaScript() as Record<string, any>, failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
}

async function create(type: string, name: string, inputs: Record<string, unknown>) {
  const res = await call<providerPb.CreateResponse>("create", new proto.CreateRequest().setUrn(urnOf(type, name)).setType(type).setProperties(struct(inputs)));
  return { id: res.getId(), outs: res.getProperties()!.toJavaScript() as Record<string, any> };
}

async function importRead(type: string, name: string, id: string) {
  const res = await call<providerPb.ReadResponse>("read", new proto.ReadRequest().setId(id).setUrn(urnOf(type, name)).setType(type));
  return { id: res.getId(), props: res.getProperties()!.toJavaScript() as Record<string, any>, inputs: res.getInputs()?.toJavaScript() as Record<string, any> | undefined };
}

test("GetPluginInfo reports the package's version and GetSchema serves schema.json with the plugin's tokens", async () => {
  const info = await call<any>("getPluginInfo", new Empty());
  expect(info.getVersion()).toBe(JSON.parse(readFileSync(require.resolve("../../package.json"), "utf8")).version);
  const schema = await call<providerPb.GetSchemaResponse>("getSchema", new proto.GetSchemaRequest());
  expect(schema.getSchema()).toBe(readFileSync(require.resolve("../../schema.json"), "utf8"));
  expect(Object.keys(JSON.parse(schema.getSchema()).resources)).toEqual(expect.arrayContaining(["ccluster:index:BearerToken", "ccluster:aigateway:AuthToken"]));
});

test("CheckConfig keeps credentials secret even when set without --secret, and names a setting that does not exist", async () => {
  const req = new proto.CheckRequest().setUrn("urn:pulumi:test::plugin::pulumi:providers:ccluster::default").setNews(struct({ apiUrl: "http://x", token: "plain-token", aigatewayClientSecret: "plain-secret", apiURL: "typo" }));
  const res = await call<providerPb.CheckResponse>("checkConfig", req);
  const inputs = res.getInputs()!.toJavaScript() as Record<string, unknown>;
  expect(inputs.apiUrl).toBe("http://x");
  expect(inputs.token).toEqual(secret("plain-token"));
  expect(inputs.aigatewayClientSecret).toEqual(secret("plain-secret"));
  expect(res.getFailuresList().map((f) => [f.getProperty(), f.getReason()])).toEqual([["apiURL", expect.stringContaining("ccluster:apiURL is not a setting")]]);
});

test("check passes the URN and the resource name, unwraps secrets and marks the secret inputs secret again", async () => {
  const type = "ccluster:index:EnvironmentVariable";
  const { inputs, failures } = await check(type, "db-url", { value: secret("postgres://u:p@db/x") });
  expect(failures).toEqual([]);
  expect(inputs).toMatchObject({ resourceUrn: urnOf(type, "db-url"), autoNamePrefix: "db-url", autoNamed: true, visibility: "USER", value: secret("postgres://u:p@db/x") });
  // A failure names the rule and never the secret.
  const bad = await check(type, "bad", { key: "1BAD", value: "v" });
  expect(bad.failures).toEqual([{ property: "key", reason: expect.stringContaining("EnvironmentVariable.key must be a POSIX environment variable name") }]);
});

test("create, diff and import of a bearer token: secrets marked, defaults filled, the secret input left out of an import's inputs", async () => {
  await configure();
  const type = "ccluster:index:BearerToken";
  const { inputs } = await check(type, "inference", { rotationDays: 30 });
  const { id, outs } = await create(type, "inference", inputs);
  expect(isSecret(outs.value)).toBe(true);
  expect(outs).toMatchObject({ key: expect.stringMatching(/^inference-[0-9a-f]{8}$/), length: 32, rotationDays: 30 });

  const same = await call<providerPb.DiffResponse>("diff", new proto.DiffRequest().setId(id).setUrn(urnOf(type, "inference")).setType(type).setOlds(struct(outs)).setNews(struct(inputs)));
  expect(same.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_NONE);
  const changed = { ...inputs, visibility: "ORG", rotationDays: 7 };
  const diff = await call<providerPb.DiffResponse>("diff", new proto.DiffRequest().setId(id).setUrn(urnOf(type, "inference")).setType(type).setOlds(struct(outs)).setNews(struct(changed)));
  expect(diff.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_SOME);
  expect(diff.getReplacesList()).toEqual(["visibility"]);
  expect(diff.getDiffsList().sort()).toEqual(["rotationDays", "visibility"]);
  expect(diff.getDeletebeforereplace()).toBe(false);

  const imported = await importRead(type, "adopted", id);
  expect(imported.id).toBe(id);
  expect(imported.inputs).toEqual({ key: outs.key, visibility: "USER", adoptExisting: false, length: 32 });
  expect(isSecret(imported.props.value)).toBe(true);
  expect(imported.props.value.value).toBe(outs.value.value);

  await call("delete", new proto.DeleteRequest().setId(id).setUrn(urnOf(type, "inference")).setType(type).setProperties(struct(outs)));
  expect(await clientsFor(emu()).vault().find(Number(id))).toBeUndefined();
});

test("import of an item made elsewhere: every vault kind's inputs hold no secret, and the wrong kind or a missing id is refused", async () => {
  await configure();
  const vault = clientsFor(emu()).vault();
  const env = await vault.upsert({ type: "env_vars", key: "IMPORTED", value: "imported-env-secret", visibility: "ORG" });
  const reg = await vault.upsert({ type: "registry_credentials", key: "imported-reg", value: JSON.stringify({ username: "bob", password: "imported-reg-secret", server: "ghcr.io" }), visibility: "USER" });

  const e = await importRead("ccluster:index:EnvironmentVariable", "env", String(env.id));
  expect(e.inputs).toEqual({ key: "IMPORTED", visibility: "ORG", adoptExisting: false });
  expect(e.props.value).toEqual(secret("imported-env-secret"));
  const r = await importRead("ccluster:index:RegistryCredential", "reg", String(reg.id));
  expect(r.inputs).toEqual({ key: "imported-reg", visibility: "USER", adoptExisting: false, username: "bob" });
  expect(JSON.stringify(r.inputs)).not.toContain("imported-reg-secret");
  expect(r.props.password).toEqual(secret("imported-reg-secret"));
  expect(r.props.imagePullSecretCredentials).toEqual(secret({ username: "bob", password: "imported-reg-secret" }));

  // The check that follows an import explains why the secret is missing and what to do.
  const after = await check("ccluster:index:EnvironmentVariable", "env", e.inputs!, e.inputs!);
  expect(after.failures).toEqual([{ property: "", reason: expect.stringContaining("`pulumi import` leaves it out of the generated code because it is secret") }]);

  await expect(importRead("ccluster:index:BearerToken", "wrong", String(env.id))).rejects.toThrow(/BearerToken cannot be imported: nothing with id "\d+" \(vault item, type `bearer_tokens`\) is visible/);
  await expect(importRead("ccluster:index:SshKey", "missing", "999999")).rejects.toThrow(/SshKey cannot be imported: nothing with id "999999"/);
});

test("kinds whose secret was shown once refuse import, saying why and what to do", async () => {
  await configure();
  await expect(importRead("ccluster:index:ServerlessApiKey", "k", "any")).rejects.toThrow(/ServerlessApiKey cannot be imported: its secret is shown only when the key is created.*Declare a new ServerlessApiKey/);
  await expect(importRead("ccluster:aigateway:AuthToken", "t", "any")).rejects.toThrow(/aigateway.AuthToken cannot be imported: its secret is shown only when the token is made.*adoptExisting: true/);
});

test("the AI gateway's settings come from the ccluster namespace (ccluster:aigateway*)", async () => {
  await configure();
  const type = "ccluster:aigateway:AuthToken";
  const { inputs } = await check(type, "gw-token", { gateway: "gw-plugin" });
  const { id, outs } = await create(type, "gw-token", inputs);
  expect(isSecret(outs.token)).toBe(true);
  expect(outs.status).toBe("ACTIVE");
  await call("delete", new proto.DeleteRequest().setId(id).setUrn(urnOf(type, "gw-token")).setType(type).setProperties(struct(outs)));
});

test("an unknown type and a thrown error come back as gRPC errors carrying the message", async () => {
  await expect(check("ccluster:index:Nope", "x", {})).rejects.toThrow(/has no resource type ccluster:index:Nope/);
});

test("without the AI gateway's settings, a gateway token's create says which ccluster:aigateway* keys the plugin reads", async () => {
  const s = settingsFor(emu());
  await call("configure", new proto.ConfigureRequest().setArgs(struct({ apiUrl: s.apiUrl, token: secret(s.token) })).setAcceptsecrets(true));
  const type = "ccluster:aigateway:AuthToken";
  const { inputs } = await check(type, "no-config", { gateway: "gw-plugin" });
  await expect(create(type, "no-config", inputs)).rejects.toThrow(/no credentials for the AI gateway: .*on the provider plugin \(YAML, Python, Go\) the config keys are ccluster:aigatewayApiUrl, ccluster:aigatewayToken/);
});

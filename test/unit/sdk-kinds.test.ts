/**
 * The SDK reads its kinds from sdk/kinds.ts, plain data generated from the declarations, so that a
 * Pulumi program loads neither zod nor the provider's code (the HTTP client, the certificate
 * library): the program process makes no HTTP call unless it looks something up.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { secretOutputNames } from "../../provider/framework/declaration";
import { kinds } from "../../provider/registry";
import { renderSdkKinds, sdkProperties } from "../../scripts/sdk-kinds";
import { renderSdkResources } from "../../scripts/sdk-resources";

const root = join(__dirname, "..", "..");

test("sdk/kinds.ts is what the declarations generate (run `npm run docs` after changing a kind)", () => {
  expect(readFileSync(join(root, "sdk", "kinds.ts"), "utf8")).toBe(renderSdkKinds());
});

test("sdk/resources.ts is what the declarations generate (run `npm run docs` after changing a kind)", () => {
  expect(readFileSync(join(root, "sdk", "resources.ts"), "utf8")).toBe(renderSdkResources());
});

/** Each class of sdk/resources.ts: its base and its members (`declare readonly x: pulumi.Output<...>`), with the TSDoc above each, those it inherits included. */
function classesOfSource(): Map<string, { base: string; members: Map<string, string> }> {
  const source = readFileSync(join(root, "sdk", "resources.ts"), "utf8");
  const classes = new Map<string, { base: string; members: Map<string, string> }>();
  for (const [, name, base, body] of source.matchAll(/export (?:abstract )?class (\w+) extends ([\w.]+) \{([\s\S]*?)\n\}/g)) {
    const members = new Map(classes.get(base)?.members);
    // A member's TSDoc is the block right above it (none: the empty string).
    for (const [, doc, member] of body.matchAll(/(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?declare readonly (\w+): pulumi\.Output/g)) {
      members.set(member, (doc ?? "").replace(/^\s*\* ?/gm, "").replace(/\s+/g, " ").trim());
    }
    classes.set(name, { base, members });
  }
  return classes;
}

test("every class in sdk/resources.ts declares exactly its kind's properties (but a hash-only input), each with TSDoc that says Secret. exactly for the secret ones", () => {
  const classes = classesOfSource();
  expect([...classes.keys()].filter((c) => c !== "VaultItemResource").sort()).toEqual(kinds.map((d) => d.typeName).sort());
  for (const d of kinds) {
    const members = classes.get(d.typeName)!.members;
    const expected = sdkProperties(d).filter((p) => !d.storeHashOnly?.includes(p));
    expect({ [d.typeName]: [...members.keys()].sort() }).toEqual({ [d.typeName]: expected.sort() });
    const secrets = secretOutputNames(d);
    for (const [member, doc] of members) {
      expect({ [`${d.typeName}.${member}`]: doc.length > 0 }).toEqual({ [`${d.typeName}.${member}`]: true });
      expect({ [`${d.typeName}.${member}`]: /\bSecret\./.test(doc) }).toEqual({ [`${d.typeName}.${member}`]: secrets.includes(member) });
    }
  }
});

test("loading the SDK loads no HTTP client, no zod and no provider code; a lookup loads them when it runs", () => {
  const built = join(root, "dist", "sdk", "index.js");
  for (const source of ["index.ts", "resources.ts", "sdk-alternatives.ts", "base.ts", "kinds.ts", "lookups.ts"]) {
    if (statSync(join(root, "sdk", source)).mtimeMs > statSync(built).mtimeMs) throw new Error(`dist/ is older than sdk/${source}: run \`npm run build\``);
  }
  const script = `
    const before = new Set(Object.keys(require.cache));
    const sdk = require(${JSON.stringify(built)});
    const loaded = (f) => Object.keys(require.cache).filter((k) => !before.has(k) && k.includes(f)).map((k) => k.slice(k.indexOf(f)));
    const atStart = ["node_modules/undici/", "node_modules/zod/", "dist/provider/"].flatMap(loaded);
    require(${JSON.stringify(join(root, "dist", "provider", "lookups.js"))});
    console.log(JSON.stringify({ atStart, byLookups: loaded("node_modules/undici/").length > 0, exports: Object.keys(sdk).length }));`;
  const result = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }));
  // Setting declarations only: which config keys hold credentials (for the plain-config warning).
  expect(result.atStart.filter((f: string) => !/^dist\/provider\/(framework\/declaration|client\/settings|client\/errors)\.js$/.test(f))).toEqual([]);
  expect(result.byLookups).toBe(true);
  expect(result.exports).toBeGreaterThan(5);
});

test("every output a resource class declares is on an object made with only the required inputs", async () => {
  const pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) }, "project", "stack", false);
  const sdk = await import("../../sdk");
  // The members each class declares (`declare readonly x: pulumi.Output<...>`), read from its source, with those it inherits.
  const source = readFileSync(join(root, "sdk", "resources.ts"), "utf8");
  const declared = new Map<string, string[]>();
  for (const [, name, base, body] of source.matchAll(/export (?:abstract )?class (\w+) extends ([\w.]+) \{([\s\S]*?)\n\}/g)) {
    declared.set(name, [...(declared.get(base) ?? []), ...[...body.matchAll(/declare readonly (\w+): pulumi\.Output/g)].map((m) => m[1])]);
  }
  const made: Record<string, object> = {
    BearerToken: new sdk.BearerToken("b"),
    HuggingFaceToken: new sdk.HuggingFaceToken("h", { value: "hf_x" }),
    EnvironmentVariable: new sdk.EnvironmentVariable("e", { value: "x" }),
    SshKey: new sdk.SshKey("s", { publicKey: "ssh-ed25519 AAAA" }),
    RegistryCredential: new sdk.RegistryCredential("r", { username: "u", password: "p" }),
    ServerlessApiKey: new sdk.ServerlessApiKey("k"),
    AuthToken: new sdk.aigateway.AuthToken("t", { gateway: "a-gateway" }),
    Certificate: new sdk.Certificate("c"),
    PemFile: new sdk.PemFile("p", { pem: "-----BEGIN CERTIFICATE-----", path: "x.pem" }),
  };
  expect([...declared.keys()].filter((c) => c !== "VaultItemResource").sort()).toEqual(Object.keys(made).sort());
  await Promise.all(Object.values(made).map((r) => new Promise((resolve) => (r as { urn: { apply(f: (u: string) => void): void } }).urn.apply(resolve))));
  for (const [cls, resource] of Object.entries(made)) {
    const missing = declared.get(cls)!.filter((member) => !pulumi.Output.isInstance((resource as Record<string, unknown>)[member]));
    expect({ cls, missing }).toEqual({ cls, missing: [] });
  }
});

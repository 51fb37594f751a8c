/**
 * schema.json and the README's tables are generated from the kind declarations; this fails on
 * drift. (Its validity against Pulumi's metaschema, which comes with the engine's Go modules, is
 * checked in the e2e lane: test/engine/schema.test.ts.)
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as sdk from "../../sdk";
import { pluginTypeToken, secretOutputNames, typeToken } from "../../provider/framework/declaration";
import { kinds } from "../../provider/registry";
import { buildSchema, docFiles, renderReadme } from "../../scripts/docs";
import { renderSdkArgs } from "../../scripts/sdk-args";

test("schema.json is what the declarations generate (run `npm run docs` after changing a kind)", () => {
  expect(JSON.parse(readFileSync(docFiles.schema, "utf8"))).toEqual(buildSchema());
});

test("README's resource, configuration and error-code tables are what the declarations, the settings and the error catalogue generate", () => {
  const readme = readFileSync(docFiles.readme, "utf8");
  expect(renderReadme(readme)).toBe(readme);
});

test("every kind has an SDK class with its dynamic type token and a schema resource with its plugin token, and every secret output is declared secret in the schema", () => {
  const classes: Record<string, { __pulumiType: string }> = { ...sdk, ...sdk.aigateway } as never;
  type Props = Record<string, { secret?: boolean }>;
  const schema = buildSchema() as { resources: Record<string, { properties: Props; inputProperties: Props }> };
  for (const d of kinds) {
    expect(classes[d.typeName]?.__pulumiType).toBe(typeToken(d));
    const resource = schema.resources[pluginTypeToken(d)];
    for (const name of secretOutputNames(d)) {
      // A hash-only input (a .pem file's content) is never an output; it is a secret input.
      const where = d.storeHashOnly?.includes(name) ? resource.inputProperties : resource.properties;
      expect({ [name]: where[name]?.secret }).toEqual({ [name]: true });
    }
  }
});

test("sdk/args.ts is what the declarations generate (run `npm run docs` after changing a kind)", () => {
  expect(readFileSync(docFiles.sdkArgs, "utf8")).toBe(renderSdkArgs());
});

test("the package's public declarations (dist/sdk/index.d.ts and what it imports) reach only @pulumi/pulumi: no zod, no provider code", () => {
  const dist = join(__dirname, "..", "..", "dist", "sdk");
  const seen = new Set<string>();
  const outside: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\``);
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, ""); // not the TSDoc examples
    for (const [, spec] of code.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
      if (spec.startsWith(".")) {
        const target = join(dirname(file), `${spec}.d.ts`);
        if (!target.startsWith(dist)) outside.push(`${file.slice(dist.length + 1)} → ${spec}`);
        else visit(target);
      } else if (spec !== "@pulumi/pulumi" && !spec.startsWith("@pulumi/pulumi/")) outside.push(`${file.slice(dist.length + 1)} → ${spec}`);
    }
  };
  visit(join(dist, "index.d.ts"));
  expect(outside).toEqual([]);
  expect([...seen].map((f) => f.slice(dist.length + 1)).sort()).toEqual(expect.arrayContaining(["args.d.ts", "index.d.ts", "lookups.d.ts", "resources.d.ts"]));
});

/**
 * Generates schema.json and the README's resource, configuration and error-code tables from the
 * one declaration per kind (provider/kinds), the settings table (provider/client/settings) and
 * the error catalogue (provider/errors.ts), and writes the SDK's generated files (sdk/args.ts,
 * sdk/kinds.ts, sdk/resources.ts: see scripts/sdk-args.ts, sdk-kinds.ts and sdk-resources.ts).
 * `npm run docs` writes them; test/unit/docs.test.ts and test/unit/sdk-kinds.test.ts fail when the checked-in copies drift.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { errorCatalogue, type CclusterErrorCode } from "../provider/errors";
import { pluginTypeToken, secretOutputNames, type KindDeclaration } from "../provider/framework/declaration";
import { pluginSettings } from "../provider/plugin/config";
import { kinds } from "../provider/registry";
import { renderSdkArgs } from "./sdk-args";
import { renderSdkKinds } from "./sdk-kinds";
import { renderSdkResources } from "./sdk-resources";

/** The repository root, whether this runs from scripts/ (ts) or dist/scripts/ (js). */
function findRoot(dir: string): string {
  while (!existsSync(join(dir, "README.md")) || !existsSync(join(dir, "package.json"))) {
    if (dirname(dir) === dir) throw new Error("cannot find the repository root above " + __dirname);
    dir = dirname(dir);
  }
  return dir;
}
const root = findRoot(__dirname);
const internal = (description?: string) => description?.startsWith("@internal") ?? false;

type JsonSchema = { type?: string; description?: string; enum?: string[]; default?: unknown; items?: JsonSchema; additionalProperties?: JsonSchema | boolean };

/** A Pulumi schema property from a JSON-schema property (zod's `toJSONSchema`). */
function pulumiProperty(p: JsonSchema, secret: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.type === "object") {
    out.type = "object";
    out.additionalProperties = { type: "string" };
  } else out.type = p.type ?? "string";
  if (p.description) out.description = p.enum ? `${p.description} One of: ${p.enum.map((e) => `\`${e}\``).join(", ")}.` : p.description;
  if (p.default !== undefined) out.default = p.default;
  if (secret) out.secret = true;
  return out;
}

function inputSchema(d: KindDeclaration): { properties: Record<string, JsonSchema>; required: string[] } {
  const js = z.toJSONSchema(d.inputs, { io: "input", unrepresentable: "any" }) as { properties: Record<string, JsonSchema>; required?: string[] };
  const properties = Object.fromEntries(Object.entries(js.properties).filter(([, p]) => !internal(p.description)));
  return { properties, required: (js.required ?? []).filter((r) => r in properties) };
}

/** The npm name of the Node.js SDK generated from schema.json (sdk/nodejs). */
export const NODEJS_SDK_PACKAGE = "@pulumi-ccluster/plugin-sdk";

export function buildSchema(): Record<string, unknown> {
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const resources: Record<string, unknown> = {};
  for (const d of kinds) {
    const { properties, required } = inputSchema(d);
    const secrets = new Set(secretOutputNames(d));
    const inputProperties = Object.fromEntries(Object.entries(properties).map(([n, p]) => [n, pulumiProperty(p, d.secretInputs.includes(n))]));
    const outputProperties = Object.fromEntries(
      Object.entries(d.outputs).map(([n, o]) => [n, pulumiProperty({ type: o.type === "object" ? "object" : o.type, description: o.description }, secrets.has(n))]),
    );
    const storedInputs = Object.fromEntries(Object.entries(inputProperties).filter(([n]) => !d.storeHashOnly?.includes(n)));
    resources[pluginTypeToken(d)] = {
      description: `${d.description}\n\nStored as: ${d.platformObject}.`,
      inputProperties,
      requiredInputs: required,
      properties: { ...storedInputs, ...outputProperties },
    };
  }
  return {
    name: "ccluster",
    displayName: "CCluster credentials",
    version,
    description:
      "ML-platform credentials (CentML / NVIDIA CCluster vault, AI gateway tokens) as Pulumi resources, served by the provider plugin `pulumi-resource-ccluster` (npm package `pulumi-ccluster`).",
    keywords: ["pulumi", "ccluster", "centml", "credentials", "kind/native"],
    license: "Apache-2.0",
    // The generated SDKs (`npm run sdks`) are packages of their own: a go.mod, a setup.py with this version.
    meta: { supportPack: true },
    // The generated Node.js SDK's package name (`npm run sdks` writes it into sdk/nodejs); not Pulumi's @pulumi scope.
    language: { nodejs: { packageName: NODEJS_SDK_PACKAGE, packageDescription: "The pulumi-ccluster provider plugin's resources for TypeScript/JavaScript (generated from schema.json)." } },
    // The plugin's config, named as users write it after `ccluster:` (provider/plugin/config.ts).
    config: {
      variables: Object.fromEntries(
        pluginSettings.map(({ name, configKey, declaration: s }) => [
          name,
          {
            type: "string",
            description: `\`${configKey}\`: ${s.description} Environment: ${s.env.join(", ")}.`,
            ...(s.secret ? { secret: true } : {}),
            ...(s.default ? { default: s.default } : {}),
          },
        ]),
      ),
    },
    // An explicit provider (`new ccluster.Provider(...)`, a YAML `pulumi:providers:ccluster` resource) takes the same
    // settings as inputs. No defaults here: an SDK would send them, and a setting left out must still fall back to its
    // environment variable, then its default, as the plugin resolves it.
    provider: {
      description:
        "The provider plugin with settings of its own, for resources that name it in their `provider` option. A setting left out falls back to its environment variable, then its default; the stack's `ccluster:*` config is for the default provider only.",
      inputProperties: Object.fromEntries(
        pluginSettings.map(({ name, declaration: s }) => [
          name,
          {
            type: "string",
            description: `${s.description} Environment: ${s.env.join(", ")}.${s.default ? ` Default: \`${s.default}\`.` : ""}`,
            ...(s.secret ? { secret: true } : {}),
          },
        ]),
      ),
    },
    resources,
  };
}

const mark = (name: string) => [`<!-- ${name}:start (generated by npm run docs) -->`, `<!-- ${name}:end -->`] as const;

export function resourceTable(): string {
  const lines = ["| Resource | Stored as | Inputs (**required**, _replaces on change_, **`a`** or **`b`**: one of the two) | Outputs (🔒 secret) |", "|---|---|---|---|"];
  for (const d of kinds) {
    const { properties, required } = inputSchema(d);
    const alternatives = Object.entries(d.sdkAlternatives ?? {});
    const ins = Object.keys(properties)
      .map((n) => {
        const cell = (name: string) => {
          let s = `\`${name}\``;
          if (required.includes(n)) s = `**${s}**`;
          if (d.replaceOnChange.includes(n) || n === "keepers") s = `_${s}_`;
          return d.secretInputs.includes(name) ? `${s} 🔒` : s;
        };
        // An input the SDK class also takes in another form: either one satisfies it.
        return [...alternatives.filter(([, a]) => a.instead === n).map(([alt]) => cell(alt)), cell(n)].join(" or ");
      })
      .join(", ");
    const secrets = new Set(secretOutputNames(d));
    const outs = Object.keys(d.outputs)
      .map((n) => (secrets.has(n) ? `\`${n}\` 🔒` : `\`${n}\``))
      .join(", ");
    const cls = d.module === "aigateway" ? `aigateway.${d.typeName}` : d.typeName;
    lines.push(`| \`${cls}\` | ${d.platformObject} | ${ins} | ${outs} |`);
  }
  return lines.join("\n");
}

export function configTable(): string {
  const lines = [
    "| Stack config (TypeScript dynamic resources) | Stack config (provider plugin) | Environment (first match wins) | Secret | Default | Meaning |",
    "|---|---|---|---|---|---|",
  ];
  for (const { configKey, declaration: s } of pluginSettings) {
    const env = s.env.map((e) => `\`${e}\``).join(", ");
    lines.push(`| \`${s.configKey}\` | \`${configKey}\` | ${env} | ${s.secret ? "yes" : ""} | ${s.default ? `\`${s.default}\`` : ""} | ${s.description} |`);
  }
  return lines.join("\n");
}

/** Every stable error code with what it means and what to do (the README's troubleshooting codes). */
export function errorTable(): string {
  const lines = ["| Code | It means | Do |", "|---|---|---|"];
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  for (const [code, { meaning, action }] of Object.entries(errorCatalogue) as [CclusterErrorCode, { meaning: string; action: string }][]) {
    lines.push(`| \`${code}\` | ${cell(meaning)} | ${cell(action)} |`);
  }
  return lines.join("\n");
}

/** The README with its generated sections replaced. */
export function renderReadme(current: string): string {
  let out = current;
  for (const [name, body] of [
    ["resources", resourceTable()],
    ["config", configTable()],
    ["errors", errorTable()],
  ] as const) {
    const [start, end] = mark(name);
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    out = out.slice(0, i + start.length) + "\n" + body + "\n" + out.slice(j);
  }
  return out;
}

export const docFiles = {
  schema: join(root, "schema.json"),
  readme: join(root, "README.md"),
  sdkArgs: join(root, "sdk", "args.ts"),
  sdkKinds: join(root, "sdk", "kinds.ts"),
  sdkResources: join(root, "sdk", "resources.ts"),
};

if (require.main === module) {
  writeFileSync(docFiles.schema, JSON.stringify(buildSchema(), null, 2) + "\n");
  writeFileSync(docFiles.readme, renderReadme(readFileSync(docFiles.readme, "utf8")));
  writeFileSync(docFiles.sdkArgs, renderSdkArgs());
  writeFileSync(docFiles.sdkKinds, renderSdkKinds());
  writeFileSync(docFiles.sdkResources, renderSdkResources());
  console.log("wrote schema.json, README.md's generated tables, sdk/args.ts, sdk/kinds.ts and sdk/resources.ts");
}

/**
 * Generates `sdk/resources.ts`: the resource class of each kind, from its declaration
 * (provider/kinds): its TSDoc (the kind's description and example), its type token, one member per
 * property the resource object exposes (sdk/kinds.ts's `properties`, typed and documented from the
 * output or input it is) and its constructor. `npm run docs` writes the file;
 * test/unit/sdk-kinds.test.ts fails when it drifts.
 *
 * A kind with SDK-only alternatives (`sdkAlternatives`) turns its Args into the provider's inputs
 * in hand-written code, `<kind>Inputs` in sdk/sdk-alternatives.ts: that is behaviour, not data.
 */
import { z } from "zod";
import { vaultItemInputs, vaultItemOutputs } from "../provider/framework/common-inputs";
import { secretOutputNames, type KindDeclaration, type OutputDeclaration } from "../provider/framework/declaration";
import { kinds } from "../provider/registry";
import { argsMayBeOmitted, inputJsonSchema, tsdoc, tsType } from "./sdk-args";
import { sdkProperties, variableName } from "./sdk-kinds";

/** What the members of a class are made from: a kind's declaration, or the part all vault kinds share. */
type MemberSource = Pick<KindDeclaration, "typeName" | "inputs" | "autoName" | "outputs" | "storeHashOnly">;

/** A member of a resource class: `declare readonly <name>: pulumi.Output<<type>>`, with its TSDoc. */
export interface SdkMember {
  name: string;
  type: string;
  doc: string[];
}

const outputTypes: Record<Exclude<OutputDeclaration["type"], "object">, string> = { string: "string", number: "number", boolean: "boolean" };

/** The TypeScript type of an output: its `sdkType`, else its `type` (an object must name its fields). */
function outputType(o: OutputDeclaration, where: string): string {
  if (o.sdkType) return o.sdkType;
  if (o.type === "object") throw new Error(`${where}: an object output needs an sdkType naming its fields`);
  return outputTypes[o.type];
}

/**
 * The members of a class: every property the resource object exposes (sdk/kinds.ts's
 * `properties`), but an input kept only as a hash (a `.pem` file's content), which has no value
 * on the object. An output is documented by its declaration, an input by its `.describe()` text;
 * the secret ones say "Secret.".
 */
export function sdkMembers(d: MemberSource, secrets: readonly string[]): SdkMember[] {
  const inputs = inputJsonSchema(d).properties;
  return sdkProperties(d)
    .filter((name) => !d.storeHashOnly?.includes(name))
    .map((name) => {
      const where = `${d.typeName}.${name}`;
      const output = d.outputs[name];
      const [type, description] = output ? [outputType(output, where), output.description] : [tsType(inputs[name], where), inputs[name].description ?? ""];
      return { name, type, doc: [secrets.includes(name) ? `${description} Secret.` : description] };
    });
}

/** The members all vault kinds have (their shared inputs and outputs; each auto-names its `key`): VaultItemResource's. */
const vaultItem: MemberSource = { typeName: "VaultItemResource", inputs: z.strictObject(vaultItemInputs), outputs: vaultItemOutputs, autoName: { property: "key", style: "kebab" } };
export const vaultItemMembers = sdkMembers(vaultItem, []);

/** Whether a kind's class extends VaultItemResource: it has the inputs and outputs all vault kinds share. */
export function isVaultItem(d: KindDeclaration): boolean {
  return Object.keys(vaultItemInputs).every((n) => n in d.inputs.shape) && Object.keys(vaultItemOutputs).every((n) => n in d.outputs);
}

const sameMember = (a: SdkMember, b: SdkMember) => JSON.stringify(a) === JSON.stringify(b);

/** Whether the class turns its Args into the provider's inputs through `<kind>Inputs` (sdk/sdk-alternatives.ts). */
const hasSdkAlternatives = (d: KindDeclaration) => Object.keys(d.sdkAlternatives ?? {}).length > 0;

function memberLines(members: readonly SdkMember[]): string[] {
  return members.flatMap((m) => [...tsdoc(m.doc), `  declare readonly ${m.name}: pulumi.Output<${m.type}>;`]);
}

function resourceClass(d: KindDeclaration): string[] {
  const vault = isVaultItem(d);
  // A vault kind inherits the shared members it has as they are; it declares the others and those it documents or types its own way.
  const members = sdkMembers(d, secretOutputNames(d)).filter((m) => !(vault && vaultItemMembers.some((v) => sameMember(v, m))));
  const kind = variableName(d);
  const args = hasSdkAlternatives(d) ? `${kind}Inputs(name, args)` : "args";
  return [
    ...tsdoc([d.description, "@example", ...d.example.split("\n")], ""),
    `export class ${d.typeName} extends ${vault ? "VaultItemResource" : "pulumi.dynamic.Resource"} {`,
    `  static readonly __pulumiType = typeToken(${kind});`,
    ...memberLines(members),
    `  constructor(name: string, args: ${d.typeName}Args${argsMayBeOmitted(d) ? " = {}" : ""}, opts?: pulumi.CustomResourceOptions) {`,
    `    super(...credentialResourceParts(${kind}, name, ${args}, opts));`,
    "  }",
    "}",
  ];
}

/** The text of `sdk/resources.ts`. */
export function renderSdkResources(): string {
  const names = kinds.map(variableName).sort();
  const alternatives = kinds.filter(hasSdkAlternatives).map((d) => `${variableName(d)}Inputs`);
  const lines = [
    "/**",
    " * The resource classes users declare. Each is a Pulumi dynamic resource whose inputs, secrets",
    " * and replacement rules come from its kind's declaration in `provider/kinds/`.",
    " *",
    " * Generated by `npm run docs` from the kind declarations in provider/kinds/: do not edit",
    " * (see scripts/sdk-resources.ts).",
    " */",
    'import * as pulumi from "@pulumi/pulumi";',
    "// The kinds as plain data: a program loads neither zod nor the provider's code.",
    `import { ${names.join(", ")} } from "./kinds";`,
    `import type { ${kinds.map((d) => `${d.typeName}Args`).sort().join(", ")} } from "./args";`,
    'import { credentialResourceParts, typeToken } from "./base";',
    ...(alternatives.length ? [`import { ${alternatives.join(", ")} } from "./sdk-alternatives";`] : []),
  ];
  if (kinds.some(isVaultItem)) {
    lines.push("", "/** The members every vault item has. */", "export abstract class VaultItemResource extends pulumi.dynamic.Resource {", ...memberLines(vaultItemMembers), "}");
  }
  for (const d of kinds) lines.push("", ...resourceClass(d));
  return lines.join("\n") + "\n";
}

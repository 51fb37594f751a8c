/**
 * Generates `sdk/args.ts`: each kind's Args as a plain TypeScript interface, from its declaration
 * (provider/kinds). A program's compilation then reads no zod types: zod's declarations need
 * `esModuleInterop` or `skipLibCheck`, which the tsconfig of `pulumi new typescript` has neither of.
 * `npm run docs` writes the file; test/unit/docs.test.ts fails when it drifts, and
 * sdk/args-match.ts fails the build when an interface and its declaration disagree.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { KindDeclaration } from "../provider/framework/declaration";
import type { authToken } from "../provider/kinds/aigateway/auth-token";
import type { bearerToken } from "../provider/kinds/bearer-token";
import type { certificate } from "../provider/kinds/certificate";
import type { environmentVariable } from "../provider/kinds/environment-variable";
import type { huggingFaceToken } from "../provider/kinds/huggingface-token";
import type { pemFile } from "../provider/kinds/pem-file";
import type { registryCredential } from "../provider/kinds/registry-credential";
import type { serverlessApiKey } from "../provider/kinds/serverless-api-key";
import type { sshKey } from "../provider/kinds/ssh-key";
import { kinds } from "../provider/registry";
import type * as args from "../sdk/args";
import type { Certificate } from "../sdk/resources";

type JsonSchema = { type?: string; description?: string; enum?: unknown[]; const?: unknown; default?: unknown; additionalProperties?: JsonSchema | boolean };

/** The TypeScript type of a JSON-schema property (as zod's `toJSONSchema` writes the declarations). */
export function tsType(p: JsonSchema, where: string): string {
  if (p.enum) return p.enum.map((e) => JSON.stringify(e)).join(" | ");
  if (p.const !== undefined) return JSON.stringify(p.const);
  switch (p.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      if (typeof p.additionalProperties === "object" && p.additionalProperties.type === "string") return "Record<string, string>";
  }
  // A kind with a new shape of input must teach this generator (and sdk/args-match.ts checks it).
  throw new Error(`${where}: no TypeScript type for the JSON schema ${JSON.stringify(p)}`);
}

/** One TSDoc block, indented by two spaces (a member's) unless told. */
export function tsdoc(lines: string[], indent = "  "): string[] {
  const text = lines.filter(Boolean).map((l) => l.replace(/\*\//g, "*\\/"));
  return [`${indent}/**`, ...text.map((l) => `${indent} * ${l}`), `${indent} */`];
}

/** A kind's inputs as JSON schema (zod's `toJSONSchema`), as a program gives them. */
export function inputJsonSchema(d: Pick<KindDeclaration, "inputs">): { properties: Record<string, JsonSchema>; required?: string[] } {
  return z.toJSONSchema(d.inputs, { io: "input", unrepresentable: "any" }) as { properties: Record<string, JsonSchema>; required?: string[] };
}

/** The properties of a kind's Args: its inputs but the internal ones, each optional unless required and without an SDK-only alternative. */
function argsProperties(d: KindDeclaration): { name: string; p: JsonSchema; optional: boolean; insteadOf: string[] }[] {
  const js = inputJsonSchema(d);
  return Object.entries(js.properties)
    .filter(([, p]) => !p.description?.startsWith("@internal"))
    .map(([name, p]) => {
      const insteadOf = Object.entries(d.sdkAlternatives ?? {})
        .filter(([, a]) => a.instead === name)
        .map(([alt]) => `\`${alt}\``);
      return { name, p, optional: insteadOf.length > 0 || !(js.required ?? []).includes(name), insteadOf };
    });
}

/** Whether a program may leave out a kind's Args altogether (`= {}`): none of its properties is required. */
export function argsMayBeOmitted(d: KindDeclaration): boolean {
  return argsProperties(d).every((a) => a.optional);
}

/** The Args interface of one kind. */
function argsInterface(d: KindDeclaration): string[] {
  const cls = d.module === "ccluster" ? d.typeName : `${d.module}.${d.typeName}`;
  const out = [`/** The inputs of \`${cls}\`. */`, `export interface ${d.typeName}Args {`];
  for (const [name, alt] of Object.entries(d.sdkAlternatives ?? {})) {
    out.push(...tsdoc([alt.description]), `  ${name}?: ${alt.sdkType};`);
  }
  for (const { name, p, optional, insteadOf } of argsProperties(d)) {
    const notes = [
      p.description ?? "",
      insteadOf.length ? `Give this or ${insteadOf.join(" or ")}.` : "",
      d.secretInputs.includes(name) ? "Secret: the SDK wraps it in `pulumi.secret`." : "",
      d.replaceOnChange.includes(name) && !/replaces/i.test(p.description ?? "") ? "Changing it replaces the resource." : "",
      p.default !== undefined ? `@defaultValue ${JSON.stringify(p.default)}` : "",
    ];
    out.push(...tsdoc(notes), `  ${name}${optional ? "?" : ""}: pulumi.Input<${tsType(p, `${d.typeName}.${name}`)}>;`);
  }
  out.push("}");
  return out;
}

/** The text of `sdk/args.ts`. */
export function renderSdkArgs(): string {
  const sdkTypes = [...new Set(kinds.flatMap((d) => Object.values(d.sdkAlternatives ?? {}).map((a) => a.sdkType)))].sort();
  const lines = [
    "/**",
    " * The inputs of each resource class, as plain interfaces.",
    " *",
    " * Generated by `npm run docs` from the kind declarations in provider/kinds/: do not edit.",
    " * Plain interfaces rather than types derived from the zod schemas, so that a program's",
    " * compilation reads no zod declarations (see scripts/sdk-args.ts).",
    " */",
    'import type * as pulumi from "@pulumi/pulumi";',
    ...(sdkTypes.length ? [`import type { ${sdkTypes.join(", ")} } from "./resources";`] : []),
  ];
  for (const d of kinds) lines.push("", ...argsInterface(d));
  return lines.join("\n") + "\n";
}

// The check of the generated interfaces against the declarations, by the compiler: `npm run build`
// (and so `npm test`) fails when an interface differs from its kind's zod input type, beyond
// writing `pulumi.Input<T>` for `pulumi.Input<T | undefined>` on an optional input.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
/** A kind's inputs as its schema types them, in the shape of a generated interface. */
type Declared<S extends z.ZodObject> = Flat<{ [K in keyof Omit<z.input<S>, "autoNamePrefix">]: pulumi.Input<Exclude<z.input<S>[K], undefined>> }>;
/** `K` made optional: the SDK class takes an alternative to it (`sdkAlternatives`). */
type Replaceable<T, K extends keyof T> = Flat<Omit<T, K> & Partial<Pick<T, K>>>;

export const argsMatchDeclarations: [
  Equal<Flat<args.BearerTokenArgs>, Declared<typeof bearerToken.inputs>>,
  Equal<Flat<args.ServerlessApiKeyArgs>, Declared<typeof serverlessApiKey.inputs>>,
  Equal<Flat<args.RegistryCredentialArgs>, Declared<typeof registryCredential.inputs>>,
  Equal<Flat<args.EnvironmentVariableArgs>, Declared<typeof environmentVariable.inputs>>,
  Equal<Flat<args.HuggingFaceTokenArgs>, Declared<typeof huggingFaceToken.inputs>>,
  Equal<Flat<args.SshKeyArgs>, Declared<typeof sshKey.inputs>>,
  Equal<Flat<args.CertificateArgs>, Declared<typeof certificate.inputs>>,
  Equal<Flat<Omit<args.PemFileArgs, "certificate">>, Replaceable<Declared<typeof pemFile.inputs>, "pem">>,
  Equal<args.PemFileArgs["certificate"], Certificate | undefined>,
  Equal<Flat<args.AuthTokenArgs>, Declared<typeof authToken.inputs>>,
] = [true, true, true, true, true, true, true, true, true, true];

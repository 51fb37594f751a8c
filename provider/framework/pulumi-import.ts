/**
 * `pulumi import` through the provider plugin: reading an existing object by id as state and as
 * the inputs the generated code declares, and explaining the secret inputs that code lacks.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ProviderError, ProviderErrorCodes } from "../errors";
import { className, type KindDeclaration, type OperationContext, type State } from "./declaration";
import { dropUndefined, RESOURCE_URN } from "./markers";
import type { CheckFailure } from "./validation";

/**
 * The object with this id as state, and the inputs that declare it. The inputs are what the
 * platform reports, with the kind's defaults filled in as `check` fills them, so the imported
 * resource, declared as the generated code shows it, previews with no changes. Secret inputs are
 * left out: the engine writes the inputs into the generated code (marking them secret does not
 * stop that), while the state keeps the value, encrypted, among the outputs.
 */
export async function importObject(decl: KindDeclaration, id: string, ctx: OperationContext): Promise<dynamic.ReadResult> {
  if (decl.notImportable) throw new ProviderError(ProviderErrorCodes.IMPORT, `${className(decl)} cannot be imported: ${decl.notImportable}`);
  const live = await decl.operations.read(id, {}, ctx);
  if (!live)
    throw new ProviderError(
      ProviderErrorCodes.IMPORT,
      `${className(decl)} cannot be imported: nothing with id ${JSON.stringify(id)} (${decl.platformObject}) is visible with these credentials`,
    );
  const leftOut = new Set(["autoNamePrefix", ...decl.secretInputs, ...(decl.storeHashOnly ?? [])]);
  const declared = Object.entries(decl.inputs.shape).filter(([n]) => !leftOut.has(n));
  const reported = Object.fromEntries(declared.filter(([n]) => live[n] !== undefined).map(([n]) => [n, live[n]]));
  // Each input through its own rule, as the kind's schema would parse them (defaults filled in).
  const parsed = declared.map(([n, rule]) => [n, rule.safeParse(live[n])] as const);
  // What the platform holds may break a rule of this kind (an item made elsewhere): check reports it after the import.
  const valid = parsed.every(([, r]) => r.success);
  const inputs = dropUndefined(valid ? Object.fromEntries(parsed.map(([n, r]) => [n, r.data])) : reported);
  return { id, props: dropUndefined({ ...inputs, ...live }), inputs };
}

/**
 * A required secret input that an imported resource lacks: `pulumi import` left it out of the
 * generated code on purpose, so say so and how to declare it, instead of a bare "is required".
 * Imported inputs are recognisable: they hold what the platform reports, and no resource URN.
 */
export function explainImportedSecret(decl: KindDeclaration, olds: State | undefined, news: State, f: CheckFailure): CheckFailure {
  const imported = olds !== undefined && Object.keys(olds).length > 0 && olds[RESOURCE_URN] === undefined;
  if (!imported || !decl.secretInputs.includes(f.property) || news[f.property] !== undefined || olds[f.property] !== undefined) return f;
  return {
    property: f.property,
    reason:
      `${decl.typeName}.${f.property} is required; \`pulumi import\` leaves it out of the generated code because it is secret. ` +
      `Declare it from secret config (\`pulumi config set --secret <name> ...\`, then read that config into ${f.property})`,
  };
}

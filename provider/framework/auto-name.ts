/**
 * Auto-names: the name a kind's `autoName` input gets when the user leaves it out. `check` marks
 * the inputs, and `create` derives the name from the resource's URN (see ownership.ts); a stack
 * whose SDK passes no URN gets a random name in `check`, as before derived names existed.
 */
import { randomBytes } from "node:crypto";
import { className, type KindDeclaration, type OperationContext } from "./declaration";
import type { Inputs } from "./feature";
import { AUTO_NAMED } from "./markers";
import { baseName, describeResource, freeGeneration, idsBeingReplaced, isGenerationOf, nameStem, type NameStyle } from "./ownership";
import { warnUser } from "./notices";

/** `check`: marks `parsed` as auto-named and, where the name is settled already, sets it. */
export function nameAtCheck(decl: KindDeclaration, parsed: Inputs, olds: Inputs | undefined, urn: string | undefined): void {
  if (!decl.autoName || parsed[decl.autoName.property] !== undefined) return;
  if (decl.features?.some((f) => f.keepsPlatformName?.(parsed))) return;
  const { property, style } = decl.autoName;
  parsed[AUTO_NAMED] = true;
  if (!urn) parsed[property] = randomName(style, parsed.autoNamePrefix, olds?.[property], olds?.autoNamePrefix);
  // A name chosen before names were derived stays as it is.
  else if (olds?.[AUTO_NAMED] === true && typeof olds[property] === "string" && olds.autoNamePrefix === parsed.autoNamePrefix) parsed[property] = olds[property];
}

/**
 * The auto-name of a new object: the lowest free generation of the resource's derived name.
 * Objects of earlier generations that no state records (an interrupted create left them, or a
 * replaced object whose delete never ran) are removed first, and the user is told: a vault item
 * could be taken over, but a name alone cannot tell a leftover from the object a targeted replace
 * (`--target-replace`, which the provider never sees in `diff`) still needs, and removing it is
 * always safe for the state, while taking it over is not.
 */
export async function claimDerivedName(decl: KindDeclaration, style: NameStyle, inputs: Inputs, urn: string, ctx: OperationContext): Promise<string> {
  const stem = nameStem(style, inputs.autoNamePrefix, urn);
  const listed = (await decl.operations.listByNamePrefix?.(stem, inputs, ctx)) ?? [];
  const family = listed.filter((o) => isGenerationOf(style, stem, o.name));
  const live = idsBeingReplaced(urn);
  const leftovers = family.filter((o) => !live.has(o.id));
  for (const o of leftovers) {
    await decl.operations.delete(o.id, inputs, ctx);
    await warnUser(
      `${describeResource(urn)}: removed ${className(decl)} "${o.name}" (id ${o.id}), left on the platform by an interrupted create that no state records; a new one is made in its place`,
      urn,
    );
  }
  return freeGeneration(style, stem, new Set(family.filter((o) => live.has(o.id)).map((o) => o.name)));
}

/** The name a stack without resource URNs gets (an SDK older than derived names): random, as before. */
function randomName(style: NameStyle, prefix: unknown, oldName: unknown, oldPrefix: unknown): string {
  // Keep the name across updates as long as the resource name is the same.
  if (typeof oldName === "string" && oldPrefix === prefix) return oldName;
  const suffix = randomBytes(4).toString("hex").slice(0, 7);
  return style === "posix" ? `${baseName(style, prefix)}_${suffix.toUpperCase()}` : `${baseName(style, prefix)}-${suffix}`;
}

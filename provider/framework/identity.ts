/**
 * A kind's platform identity: the inputs that name one object on the platform (vault key and
 * visibility, gateway and token name, a file path). Two resources may not declare the same one,
 * and a replacement that keeps it must delete the old object first.
 */
import { isDeepStrictEqual } from "node:util";
import { className, type KindDeclaration, type State } from "./declaration";
import type { Inputs } from "./feature";
import { AUTO_NAMED } from "./markers";
import { claimIdentity, describeResource } from "./ownership";

/** The inputs that name the kind's objects: declared, or given by a feature; none for kinds without. */
export function identityOf(decl: KindDeclaration): readonly string[] {
  return decl.identity ?? decl.features?.find((f) => f.identity)?.identity ?? [];
}

/**
 * Refuses a second resource of this command that declares the same platform object as another:
 * they would share it, and destroying either would delete it under the other.
 */
export function claimConflict(decl: KindDeclaration, inputs: Inputs, urn: string): string | undefined {
  const identity = identityOf(decl);
  const values = identity.map((p) => inputs[p]);
  if (values.length === 0 || values.some((v) => typeof v !== "string")) return undefined; // auto-named, adopted by id, or not known yet
  const holder = claimIdentity(JSON.stringify([decl.module, decl.typeName, ...values]), urn);
  if (!holder) return undefined;
  const what = identity.map((p, i) => `${p} ${JSON.stringify(values[i])}`).join(", ");
  return (
    `${describeResource(urn)} declares the same ${className(decl)} (${what}) as ${describeResource(holder)}: ` +
    "two resources would share one platform object, and destroying either would delete it under the other. Give one of them another " +
    `${identity.filter((p) => p !== "visibility").join(" or ")}`
  );
}

/** Would the replacement take the same platform identity as the old object (the platform keeps one per identity)? */
export function replacementCollides(decl: KindDeclaration, olds: State, news: Inputs): boolean {
  if (decl.deleteBeforeReplace === "never" || news[AUTO_NAMED] === true) return false;
  const identity = identityOf(decl);
  const defaults = Object.fromEntries((decl.features ?? []).flatMap((f) => Object.entries(f.identityDefaults ?? {})));
  const withDefaults = (s: State): State => ({ ...defaults, ...s });
  return identity.length > 0 && identity.every((p) => isDeepStrictEqual(withDefaults(olds)[p], withDefaults(news)[p]));
}

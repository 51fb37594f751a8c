/**
 * Keeping track of what a stack owns on the platform, so that nothing it made is ever lost:
 *
 * - **Derived names.** An auto-named credential gets a name derived from its resource's URN
 *   (`<resource name>-<8 hex of sha256(urn)>`, then `-1`, `-2`, ... for later generations), not a
 *   fresh random suffix. A create that was interrupted after the platform made the object (a killed
 *   `pulumi up`, an answer that never arrived) left it under a name the next run derives again, so
 *   the next create finds it, removes it and makes the credential anew.
 * - **Exclusive claims.** Two resources of one stack that name the same platform object (type, key
 *   and visibility; gateway and token name; a file path) would silently share it. `check` records
 *   each claim for the life of the provider process (one per `pulumi` command) and refuses the
 *   second, naming both resources, before anything is written.
 * - **Replacements in flight.** When `diff` decides to replace a resource, the object it replaces
 *   is still live and in state: the create of its successor must not mistake it for a leftover.
 */
import { createHash } from "node:crypto";

export type NameStyle = "kebab" | "posix";

/** Room for the suffix within the strictest name limit of the kinds (gateway tokens: 64). */
const MAX_BASE_LENGTH = 40;

/** A resource name cleaned up for the platform: kebab (lower case and `-`) or POSIX (upper case and `_`). */
export function baseName(style: NameStyle, name: unknown): string {
  const base = typeof name === "string" && name ? name : "item";
  if (style === "posix") return base.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[0-9]/, "_$&").toUpperCase();
  return base.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "item";
}

/** The stem every generation of a resource's auto-name shares: base name plus a hash of its URN. */
export function nameStem(style: NameStyle, resourceName: unknown, urn: string): string {
  const base = baseName(style, resourceName).slice(0, MAX_BASE_LENGTH).replace(/-+$/, "");
  const hash = createHash("sha256").update(urn).digest("hex").slice(0, 8);
  return style === "posix" ? `${base}_${hash.toUpperCase()}` : `${base}-${hash}`;
}

/** The name of generation `generation` (0, 1, 2, ...) of a stem. */
export function generationName(style: NameStyle, stem: string, generation: number): string {
  if (generation === 0) return stem;
  return `${stem}${style === "posix" ? "_" : "-"}${generation}`;
}

/** Whether `name` is some generation of `stem`. */
export function isGenerationOf(style: NameStyle, stem: string, name: string): boolean {
  if (name === stem) return true;
  const sep = style === "posix" ? "_" : "-";
  return name.startsWith(stem + sep) && /^[1-9][0-9]*$/.test(name.slice(stem.length + 1));
}

/** The lowest generation whose name none of `taken` has. */
export function freeGeneration(style: NameStyle, stem: string, taken: ReadonlySet<string>): string {
  for (let g = 0; ; g++) {
    const name = generationName(style, stem, g);
    if (!taken.has(name)) return name;
  }
}

/** The resource name in a URN (`urn:pulumi:<stack>::<project>::<parent types $ ...>type::<name>`). */
export function resourceNameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** A resource as a person reads it in a message: `EnvironmentVariable "db-url"`. */
export function describeResource(urn: string): string {
  const parts = urn.split("::");
  const name = resourceNameOf(urn) || urn;
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  // As users write the class: `BearerToken`, `aigateway.AuthToken`.
  const shortType = type
    .replace(/^pulumi-nodejs:dynamic\//, "")
    .replace(/^ccluster:(index:)?/, "")
    .replace(/^aigateway:/, "aigateway.");
  return shortType ? `${shortType} "${name}"` : `"${name}"`;
}

/**
 * Claims of one provider process (one `pulumi` command): which resource declared which platform
 * identity. Module state on purpose: every kind's provider object shares it.
 */
const claimsByIdentity = new Map<string, string>();
const identityByUrn = new Map<string, string>();

/**
 * Records that `urn` declares `identity`. Returns the URN of another resource that already
 * declared it in this command, or undefined when the claim is free (or already this resource's).
 */
export function claimIdentity(identity: string, urn: string): string | undefined {
  const holder = claimsByIdentity.get(identity);
  if (holder !== undefined && holder !== urn) return holder;
  // A resource that changed its key gives up its former claim.
  const previous = identityByUrn.get(urn);
  if (previous !== undefined && previous !== identity) claimsByIdentity.delete(previous);
  claimsByIdentity.set(identity, urn);
  identityByUrn.set(urn, identity);
  return undefined;
}

/** Platform ids that are being replaced in this command: live, in state, and deleted after their successor exists. */
const replacedIds = new Map<string, Set<string>>();

/** Notes, from `diff`, that the object `id` of resource `urn` is about to be replaced. */
export function noteReplacement(urn: string, id: string): void {
  const ids = replacedIds.get(urn) ?? new Set<string>();
  ids.add(id);
  replacedIds.set(urn, ids);
}

/** The ids of `urn`'s objects that a replacement in this command still needs (not leftovers). */
export function idsBeingReplaced(urn: string): ReadonlySet<string> {
  return replacedIds.get(urn) ?? new Set();
}

/** For tests: forgets every claim and replacement of this process. @internal */
export function resetOwnership(): void {
  claimsByIdentity.clear();
  identityByUrn.clear();
  replacedIds.clear();
}

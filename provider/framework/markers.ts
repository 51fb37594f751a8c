/**
 * Bookkeeping the lifecycle keeps among a resource's inputs, next to what the dynamic-provider
 * runtime adds (`__provider`). None of it is user input: it is dropped before validation and
 * from what `create` and `update` store as outputs.
 */

/**
 * Marks checked inputs whose name the provider chooses. `create` derives the name from the
 * resource's URN (see ownership.ts), so a re-run finds what an interrupted create left behind.
 */
export const AUTO_NAMED = "autoNamed";

/** The resource's URN, which the SDK passes so the provider can derive names and name claimants. */
export const RESOURCE_URN = "resourceUrn";

const runtimeKeys = new Set(["__provider", AUTO_NAMED, RESOURCE_URN]);

/** The resource's URN, when the inputs carry it. */
export function urnOf(inputs: Record<string, unknown> | undefined): string | undefined {
  const urn = inputs?.[RESOURCE_URN];
  return typeof urn === "string" ? urn : undefined;
}

export function withoutRuntimeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !runtimeKeys.has(k)));
}

export function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Property values between the engine and the provider plugin. The plugin tells the engine it
 * accepts secrets, so a secret arrives as `{[specialSigKey]: specialSecretSig, value}`: the
 * kinds' code gets plain values, and the plugin marks secret again what leaves it (the engine
 * copies no secretness on its own for a provider that accepts secrets).
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export type PropertyBag = Record<string, unknown>;

function isSecret(v: unknown): v is { value: unknown } {
  return v !== null && typeof v === "object" && (v as PropertyBag)[specialSigKey] === specialSecretSig;
}

function containsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsSecret);
  return false;
}

function reveal(v: unknown): unknown {
  if (isSecret(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

/**
 * The plain values of a property bag, and the names of its top-level properties that were (or
 * held) a secret, so the answer can mark them secret again.
 */
export function revealSecrets(bag: PropertyBag | undefined): { values: PropertyBag; secret: Set<string> } {
  const values: PropertyBag = {};
  const secret = new Set<string>();
  for (const [k, v] of Object.entries(bag ?? {})) {
    if (containsSecret(v)) secret.add(k);
    values[k] = reveal(v);
  }
  return { values, secret };
}

/** The bag with each named top-level property that has a value wrapped as a secret. */
export function markSecrets(bag: PropertyBag, names: Iterable<string>): PropertyBag {
  const out = { ...bag };
  for (const k of names) {
    if (out[k] !== undefined && out[k] !== null && !isSecret(out[k])) out[k] = { [specialSigKey]: specialSecretSig, value: out[k] };
  }
  return out;
}

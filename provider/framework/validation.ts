/**
 * `check`'s validation: a kind's zod schema applied to the inputs, and zod's issues turned into
 * failures that name the property and the rule. Values still unknown at preview are left alone.
 *
 * The engine prints the value of the property a failure names (`property ... value ... has a
 * problem`), so {@link safeFailures} takes the property off every failure about a secret and
 * says what was wrong with the secret without showing it.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { z } from "zod";
import type { KindDeclaration } from "./declaration";

/** What `check` returns to the engine for one problem. `property: ""` prints the reason alone. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** Appended to a reason about a secret input, so the user knows why the value is not shown. */
const SECRET_NOT_SHOWN = "the value is secret and not shown";

/** A PEM or OpenSSH private key block, or a PuTTY key file: key material wherever it appears. */
const PRIVATE_KEY_MARKER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----|PuTTY-User-Key-File-\d/;

/** Shorter secrets are not searched for in reasons: they would match ordinary words. */
const MIN_REDACTED_LENGTH = 6;

/**
 * Validates inputs with the kind's schema. Values still unknown at preview (computed by other
 * resources) are not judged now; they are checked again when known. Each failure names the
 * top-level input (the one the engine can look up); pass the failures through
 * {@link safeFailures} before returning them.
 */
export function validateInputs(decl: KindDeclaration, news: Record<string, unknown>): {
  parsed: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const unknownKeys = Object.keys(news).filter((k) => containsUnknown(news[k]));
  const known = Object.fromEntries(Object.entries(news).filter(([k]) => !unknownKeys.includes(k)));
  const schema = unknownKeys.length ? decl.inputs.omit(Object.fromEntries(unknownKeys.filter((k) => k in decl.inputs.shape).map((k) => [k, true])) as never) : decl.inputs;
  const result = schema.safeParse(known);
  if (!result.success) {
    return { parsed: news, failures: result.error.issues.flatMap((i) => failuresOfIssue(decl, known, i)) };
  }
  const parsed = result.data as Record<string, unknown>;
  for (const k of unknownKeys) parsed[k] = news[k];
  return { parsed, failures: [] };
}

/**
 * Makes failures safe to hand to the engine. A failure about a secret input (the kind's
 * `secretInputs`) or about a value holding a private key loses its `property`, so the engine
 * does not print the value, and its reason says the value is secret and describes it without
 * showing it ("got 45 characters, ending in a newline"). No secret input's value survives in
 * any reason.
 */
export function safeFailures(decl: KindDeclaration, inputs: Record<string, unknown>, failures: readonly CheckFailure[]): CheckFailure[] {
  const secretValues = Object.entries(inputs)
    .filter(([name, value]) => isSecretInput(decl, name, value))
    .flatMap(([, value]) => stringsIn(value))
    .filter((s) => s.length >= MIN_REDACTED_LENGTH);
  return failures.map((f) => {
    const property = topLevel(f.property);
    let reason = secretValues.reduce((r, s) => r.split(s).join("[secret]"), f.reason);
    if (!property || !isSecretInput(decl, property, inputs[property])) return { property, reason };
    if (inputs[property] !== undefined && !reason.includes(SECRET_NOT_SHOWN)) reason += ` (${secretShape(inputs[property])}; ${SECRET_NOT_SHOWN})`;
    return { property: "", reason };
  });
}

/** Whether an input's value must never be printed: declared secret, or holding key material. */
export function isSecretInput(decl: KindDeclaration, property: string, value: unknown): boolean {
  return decl.secretInputs.includes(property) || holdsPrivateKey(value);
}

/** True when a value (or anything nested in it) contains a private key. */
export function holdsPrivateKey(value: unknown): boolean {
  return stringsIn(value).some((s) => PRIVATE_KEY_MARKER.test(s));
}

function failuresOfIssue(decl: KindDeclaration, inputs: Record<string, unknown>, i: z.core.$ZodIssue): CheckFailure[] {
  const where = (path: readonly PropertyKey[]) => `${decl.typeName}.${path.map(String).join(".")}`;
  if (i.code === "unrecognized_keys") {
    // No property: the value of a misspelt `vaule` may well be a secret.
    return i.keys.map((key) => {
      const near = nearestInput(decl, key);
      return { property: "", reason: `${where([...i.path, key])} is not a property of ${decl.typeName}${near ? `; did you mean ${near}?` : ""}` };
    });
  }
  const property = i.path.length ? String(i.path[0]) : "";
  const value = valueAt(inputs, i.path);
  const secret = property !== "" && isSecretInput(decl, property, inputs[property]);
  const rule = describeIssue(decl, i, value);
  // The type is named when it was the problem (`the string "30"`), not for 1.5 where a whole number belongs.
  const wrongType = i.code === "invalid_type" && !(typeof value === "number" && (i.expected === "int" || i.expected === "number"));
  const given = value === undefined ? "" : secret ? ` (${secretShape(value)}; ${SECRET_NOT_SHOWN})` : ` (got ${shown(value, wrongType)})`;
  return [{ property, reason: `${i.path.length ? where(i.path) : decl.typeName} ${rule}${given}` }];
}

/** zod's issue in words that name the rule ("must be one of …", "must be at least 1"). */
function describeIssue(decl: KindDeclaration, i: z.core.$ZodIssue, value: unknown): string {
  // zod's own messages start like this; a message written in a kind's schema is used as it is.
  const zodDefault = /^(Invalid|Too (small|big)|Unrecognized)/.test(i.message);
  switch (i.code) {
    case "invalid_type":
      // zod v4 issues do not carry the input, so absence is judged from the inputs themselves.
      if (value === undefined) return "is required";
      return `must be ${expectedType(decl, i)}`;
    case "invalid_value":
      return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (!zodDefault) return i.message;
      return i.origin === "string" ? `must be at least ${i.minimum} characters` : `must be at least ${i.minimum}`;
    case "too_big":
      if (!zodDefault) return i.message;
      return i.origin === "string" ? `must be at most ${i.maximum} characters` : `must be at most ${i.maximum}`;
    case "invalid_format":
      return zodDefault && i.format === "regex" && "pattern" in i ? `must match ${String(i.pattern)}` : i.message;
    default:
      return i.message;
  }
}

const typeWords: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  record: "an object",
  array: "a list",
};

function expectedType(decl: KindDeclaration, i: z.core.$ZodIssueInvalidType): string {
  const schema = i.path.length === 1 ? innerSchema(decl.inputs.shape[String(i.path[0])]) : undefined;
  // `z.int()` reports a string or boolean as "expected number": say what the schema wants.
  if (i.expected === "number" && schema?.isInt === true) return typeWords.int;
  if (i.expected === "record" && schema?._zod.def.valueType?._zod.def.type === "string") return "an object of string values";
  return typeWords[i.expected] ?? `a ${i.expected}`;
}

type SchemaInternals = { isInt?: boolean; _zod: { def: { type: string; innerType?: unknown; valueType?: SchemaInternals } } };

/** The schema inside `.optional()` and `.default()`, where the type and its checks are. */
function innerSchema(schema: unknown): SchemaInternals | undefined {
  let s = schema as SchemaInternals | undefined;
  while (s?._zod && ["optional", "default", "nullable"].includes(s._zod.def.type)) s = s._zod.def.innerType as SchemaInternals;
  return s;
}

/** A non-secret value, briefly: `"abc"`, `1.5`, `a string of 900 characters`; with its type when the type was wrong. */
function shown(value: unknown, withType: boolean): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      if (value.length > 64 || /[\r\n]/.test(value)) return `a string of ${value.length} characters`;
      return withType ? `the string ${JSON.stringify(value)}` : JSON.stringify(value);
    case "number":
    case "boolean":
      return withType ? `the ${typeof value} ${value}` : String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

/** What a secret value looks like, without any of its characters: length and stray whitespace. */
function secretShape(value: unknown): string {
  if (typeof value !== "string") return `got ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`}`;
  const traits: string[] = [];
  if (PRIVATE_KEY_MARKER.test(value)) traits.push("holding a private key");
  if (/^\s/.test(value)) traits.push("starting with whitespace");
  if (/\n$/.test(value)) traits.push("ending in a newline");
  else if (/\s$/.test(value)) traits.push("ending in whitespace");
  if (/\S\s+\S/.test(value) && !PRIVATE_KEY_MARKER.test(value)) traits.push("with whitespace inside");
  return `got ${value.length} characters${traits.length ? `, ${traits.join(", ")}` : ""}`;
}

/** A declared input whose name is the misspelt one's up to case or two edits, for "did you mean". */
function nearestInput(decl: KindDeclaration, key: string): string | undefined {
  const names = Object.keys(decl.inputs.shape).filter((n) => n !== "autoNamePrefix");
  return names.find((n) => n.toLowerCase() === key.toLowerCase()) ?? names.find((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= 2);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function valueAt(inputs: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let v: unknown = inputs;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** `keepers.a` → `keepers`: the engine looks the property up among the top-level inputs. */
function topLevel(property: string): string {
  return property.split(".")[0];
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** False for a value still unknown at preview (an output of a resource not created yet), or holding one. */
export function isKnown(v: unknown): boolean {
  return !containsUnknown(v);
}

function containsUnknown(v: unknown): boolean {
  if (v === unknownValue) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

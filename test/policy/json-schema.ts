/**
 * The part of JSON Schema that policy config schemas use, validated the way the Pulumi engine
 * does it (gojsonschema): same checks, same message texts, same "field: message" form. A keyword
 * this file does not implement makes validation throw, so a schema can never pass unchecked.
 */

/** A JSON schema node, as far as this validator reads it. */
export type Schema = boolean | { [keyword: string]: unknown };

const IMPLEMENTED = new Set([
  "type",
  "enum",
  "const",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
  // Annotations: no effect on validity.
  "default",
  "description",
  "title",
]);

/** Formats gojsonschema checks, by the checker it uses. */
const FORMATS: Record<string, (s: string) => boolean> = {
  // gojsonschema compiles with Go's RE2; JavaScript's engine is the nearest available here.
  regex: (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
};

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v; // string, boolean, object
}

function typeMatches(expected: string, v: unknown): boolean {
  const t = jsonType(v);
  return expected === t || (expected === "number" && t === "integer");
}

function quoted(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Validates a value; returns gojsonschema-style errors, `"<field>: <message>"`, where field is the
 * dotted path from the root (`(root)` for the document itself).
 */
export function validateJsonSchema(schema: Schema, value: unknown, field = "(root)"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${field}: False always fails validation`];
  for (const k of Object.keys(schema)) {
    if (!IMPLEMENTED.has(k)) throw new Error(`test/policy/json-schema.ts does not implement the JSON-schema keyword "${k}" (at ${field}); add it before relying on it`);
  }
  const errors: string[] = [];
  const err = (m: string) => errors.push(`${field}: ${m}`);
  const name = field; // gojsonschema names the whole path in enum/const messages

  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => typeMatches(t, value))) {
      err(`Invalid type. Expected: ${types.join("/")}, given: ${jsonType(value)}`);
      return errors; // gojsonschema stops at a type mismatch
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
    err(`${name} must be one of the following: ${quoted(schema.enum)}`);
  }
  if ("const" in schema && !deepEqual(schema.const, value)) err(`${name} does not match: ${JSON.stringify(schema.const)}`);

  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) err(`Must be greater than or equal to ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) err(`Must be less than or equal to ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) err(`Must be greater than ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) err(`Must be less than ${schema.exclusiveMaximum}`);
    if (typeof schema.multipleOf === "number" && !Number.isInteger(value / schema.multipleOf)) err(`Must be a multiple of ${schema.multipleOf}`);
  }

  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) err(`String length must be greater than or equal to ${schema.minLength}`);
    if (typeof schema.maxLength === "number" && length > schema.maxLength) err(`String length must be less than or equal to ${schema.maxLength}`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value)) err(`Does not match pattern '${schema.pattern}'`);
    if (typeof schema.format === "string") {
      const check = FORMATS[schema.format];
      if (!check) throw new Error(`test/policy/json-schema.ts does not implement the format "${schema.format}"`);
      if (!check(value)) err(`Does not match format '${schema.format}'`);
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) err(`Array must have at least ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) err(`Array must have at most ${schema.maxItems} items`);
    if (schema.uniqueItems === true) {
      outer: for (let i = 0; i < value.length; i++) {
        for (let j = i + 1; j < value.length; j++) {
          if (deepEqual(value[i], value[j])) {
            err(`array items[${i},${j}] must be unique`);
            break outer;
          }
        }
      }
    }
    if (schema.items !== undefined) {
      if (Array.isArray(schema.items)) throw new Error("test/policy/json-schema.ts does not implement tuple `items`");
      value.forEach((item, i) => errors.push(...validateJsonSchema(schema.items as Schema, item, childField(field, String(i)))));
    }
  }

  if (jsonType(value) === "object") {
    const obj = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const req of (schema.required ?? []) as string[]) {
      if (!(req in obj)) err(`${req} is required`);
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k in properties) errors.push(...validateJsonSchema(properties[k], v, childField(field, k)));
      else if (schema.additionalProperties === false) err(`Additional property ${k} is not allowed`);
      else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
        errors.push(...validateJsonSchema(schema.additionalProperties as Schema, v, childField(field, k)));
      }
    }
  }
  return errors;
}

function childField(parent: string, key: string): string {
  return parent === "(root)" ? key : `${parent}.${key}`;
}

/**
 * Request validation with zod, answered the way FastAPI (pydantic v2) answers it:
 * 422 `{"detail": [{"type", "loc", "msg", "ctx"?}]}`.
 *
 * pydantic also echoes the offending `input`; the emulator leaves it out on purpose, because
 * for a vault `value` that would put a secret into an error body.
 * @internal
 */
import { z } from "zod";
import { HttpError } from "./http";

/** Where a validated value came from; the first element of every `loc`. */
export type Location = "body" | "query" | "path";

/** One entry of a FastAPI validation error. */
export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  ctx?: Record<string, unknown>;
}

/**
 * An integer the way pydantic's lax mode takes it: a JSON number without fraction, or a string
 * of digits (always the case for path parameters). Its errors carry pydantic's own type.
 */
export function laxInt() {
  return z.unknown().transform((value, ctx) => {
    const candidate = typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof candidate === "number" && Number.isInteger(candidate)) return candidate;
    const [type, message] =
      typeof candidate === "number"
        ? ["int_from_float", "Input should be a valid integer, got a number with a fractional part"]
        : typeof candidate === "string"
          ? ["int_parsing", "Input should be a valid integer, unable to parse string as an integer"]
          : ["int_type", "Input should be a valid integer"];
    ctx.addIssue({ code: "custom", message, params: { pydanticType: type } });
    return z.NEVER;
  });
}

function valueAt(input: unknown, pathSegments: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of pathSegments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Translates one zod issue into pydantic's wording and error type. */
function toDetail(issue: z.core.$ZodIssue, input: unknown, where: Location): ValidationDetail {
  const loc = [where, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
  const value = valueAt(input, issue.path);
  if (value === undefined || (value === null && issue.path.length === 0)) return { type: "missing", loc, msg: "Field required" };
  switch (issue.code) {
    case "invalid_type":
      switch (issue.expected) {
        case "string":
          return { type: "string_type", loc, msg: "Input should be a valid string" };
        case "int":
          return typeof value === "number"
            ? { type: "int_from_float", loc, msg: "Input should be a valid integer, got a number with a fractional part" }
            : typeof value === "string"
              ? { type: "int_parsing", loc, msg: "Input should be a valid integer, unable to parse string as an integer" }
              : { type: "int_type", loc, msg: "Input should be a valid integer" };
        case "number":
          return { type: "float_type", loc, msg: "Input should be a valid number" };
        case "boolean":
          return { type: "bool_type", loc, msg: "Input should be a valid boolean" };
        case "array":
          return { type: "list_type", loc, msg: "Input should be a valid list" };
        case "object":
          return { type: "model_attributes_type", loc, msg: "Input should be a valid dictionary or object to extract fields from" };
        default:
          return { type: "type_error", loc, msg: `Input should be a valid ${issue.expected}` };
      }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return { type: "string_too_short", loc, msg: `String should have at least ${plural(min, "character")}`, ctx: { min_length: min } };
      if (issue.origin === "array")
        return { type: "too_short", loc, msg: `List should have at least ${plural(min, "item")} after validation`, ctx: { min_length: min } };
      return issue.inclusive
        ? { type: "greater_than_equal", loc, msg: `Input should be greater than or equal to ${min}`, ctx: { ge: min } }
        : { type: "greater_than", loc, msg: `Input should be greater than ${min}`, ctx: { gt: min } };
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string")
        return { type: "string_too_long", loc, msg: `String should have at most ${plural(max, "character")}`, ctx: { max_length: max } };
      if (issue.origin === "array")
        return { type: "too_long", loc, msg: `List should have at most ${plural(max, "item")} after validation`, ctx: { max_length: max } };
      return issue.inclusive
        ? { type: "less_than_equal", loc, msg: `Input should be less than or equal to ${max}`, ctx: { le: max } }
        : { type: "less_than", loc, msg: `Input should be less than ${max}`, ctx: { lt: max } };
    }
    case "invalid_value": {
      const expected = quoteList(issue.values);
      return issue.values.length === 1
        ? { type: "literal_error", loc, msg: `Input should be ${expected}`, ctx: { expected } }
        : { type: "enum", loc, msg: `Input should be ${expected}`, ctx: { expected } };
    }
    case "invalid_format":
      if (issue.format === "regex" && "pattern" in issue)
        return { type: "string_pattern_mismatch", loc, msg: `String should match pattern '${String(issue.pattern)}'`, ctx: { pattern: String(issue.pattern) } };
      return { type: "value_error", loc, msg: `Value error, ${issue.message}` };
    case "custom":
      if (typeof issue.params?.pydanticType === "string") return { type: issue.params.pydanticType, loc, msg: issue.message };
      return { type: "value_error", loc, msg: `Value error, ${issue.message}` };
    default:
      return { type: "value_error", loc, msg: `Value error, ${issue.message}` };
  }
}

/** The FastAPI answer for a list of validation problems. */
export function validationError(detail: ValidationDetail[]): HttpError {
  return new HttpError(422, { detail });
}

/**
 * Parses `input` with `schema`, or throws the 422 FastAPI would answer.
 * @example const body = validate(UpsertRequest, await ctx.readJson(), "body");
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, where: Location): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error.issues.map((issue) => toDetail(issue, input, where)));
}

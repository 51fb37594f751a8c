/**
 * `check`'s validation: a kind's zod schema applied to the inputs, and zod's issues turned into
 * failures that name the property and the rule. Values still unknown at preview are left alone.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { z } from "zod";
import type { KindDeclaration } from "./declaration";

/**
 * Validates inputs with the kind's schema. Values still unknown at preview (computed by other
 * resources) are not judged now; they are checked again when known.
 */
export function validateInputs(decl: KindDeclaration, news: Record<string, unknown>): {
  parsed: Record<string, unknown>;
  failures: { property: string; reason: string }[];
} {
  const unknownKeys = Object.keys(news).filter((k) => containsUnknown(news[k]));
  const known = Object.fromEntries(Object.entries(news).filter(([k]) => !unknownKeys.includes(k)));
  const schema = unknownKeys.length ? decl.inputs.omit(Object.fromEntries(unknownKeys.filter((k) => k in decl.inputs.shape).map((k) => [k, true])) as never) : decl.inputs;
  const result = schema.safeParse(known);
  if (!result.success) {
    return {
      parsed: news,
      failures: result.error.issues.map((i) => ({
        property: i.path.join(".") || "(inputs)",
        reason: `${decl.typeName}.${i.path.join(".") || "inputs"} ${describeIssue(i)}`,
      })),
    };
  }
  const parsed = result.data as Record<string, unknown>;
  for (const k of unknownKeys) parsed[k] = news[k];
  return { parsed, failures: [] };
}

/** zod's issue in words that name the rule ("must be one of …", "must be at least 1"). */
function describeIssue(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case "unrecognized_keys":
      return `has unknown properties: ${i.keys.join(", ")}`;
    case "invalid_type":
      return i.input === undefined ? "is required" : `must be ${i.expected === "int" ? "a whole number" : `a ${i.expected}`}`;
    case "invalid_value":
      return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return i.origin === "number" || i.origin === "int" ? `must be at least ${i.minimum}` : i.message;
    case "too_big":
      return i.origin === "number" || i.origin === "int" ? `must be at most ${i.maximum}` : i.message;
    default:
      return i.message;
  }
}

function containsUnknown(v: unknown): boolean {
  if (v === unknownValue) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}


/** Helpers for tests that need a system tool: they fail (never skip) with a message naming it. */
import { execFileSync } from "node:child_process";

export function requireTool(name: string, installHint: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`this test needs \`${name}\` on PATH, and it is missing: ${installHint}`);
  }
}

/**
 * The Node.js SDK generated from schema.json (sdk/nodejs), built as the README tells a user to
 * (tsc with the SDK's own tsconfig, its package.json copied into bin/), with its dependencies
 * linked from this repository instead of `npm install`, and linked into a project's node_modules.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./pulumi-project";

/** The generated SDK's npm name (schema.json's language.nodejs.packageName). */
export const nodeSdkPackage: string = JSON.parse(readFileSync(join(repoRoot, "sdk", "nodejs", "package.json"), "utf8")).name;

/** Builds a copy of sdk/nodejs under `scratch`; returns the package's folder (its bin/). */
export async function buildNodeSdk(scratch: string): Promise<string> {
  const sdk = join(scratch, "ccluster-sdk");
  cpSync(join(repoRoot, "sdk", "nodejs"), sdk, { recursive: true });
  mkdirSync(join(sdk, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules", "@pulumi", "pulumi"), join(sdk, "node_modules", "@pulumi", "pulumi"));
  symlinkSync(join(repoRoot, "node_modules", "@types"), join(sdk, "node_modules", "@types"));
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) throw new Error(`typescript is missing (${tsc}): run npm ci in ${repoRoot}`);
  await promisify(execFile)(process.execPath, [tsc, "-p", sdk], { cwd: sdk });
  cpSync(join(sdk, "package.json"), join(sdk, "bin", "package.json"));
  return join(sdk, "bin");
}

/** Links the built SDK into a project as `require(nodeSdkPackage)` finds it. */
export function linkNodeSdk(projectDir: string, sdkBin: string): void {
  const target = join(projectDir, "node_modules", nodeSdkPackage);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(sdkBin, target);
}

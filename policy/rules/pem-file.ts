/** pem-file-protection: `.pem` files are private to their owner and stay out of git. */
import { execFileSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import * as path from "node:path";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, forKinds, labelOf } from "../rule-kit";
import { INPUT_DEFAULTS, isKind, Props, valueOr, type KindProps } from "../types";

/** Configuration of {@link pemFileProtection}. */
export interface PemFileProtectionConfig {
  maxFilePermission: string;
  checkGitWorkTree: boolean;
  projectDir: string;
}

const schema = configSchema<PemFileProtectionConfig>({
  maxFilePermission: {
    type: "string",
    pattern: "^0?[0-7]{3}$",
    default: "0600",
    description: "Loosest file mode allowed (octal); a mode passes when it grants nothing beyond this one.",
  },
  checkGitWorkTree: {
    type: "boolean",
    default: true,
    description: "Report a path inside a git work tree that git does not ignore (needs `git` on PATH; skipped without it).",
  },
  projectDir: {
    type: "string",
    default: "",
    description:
      "Directory relative paths are resolved against (the Pulumi project). Empty: the directory `pulumi` was started in ($PWD), else the policy process's own.",
  },
});

/** Parses an octal mode string ("0600", "600", "0o600"); undefined when it is not one. */
export function parseMode(s: string): number | undefined {
  const m = /^(?:0o?)?([0-7]{3,4})$/.exec(s.trim());
  return m ? parseInt(m[1], 8) : undefined;
}

/** Formats a mode the way the input takes it: "0600". */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/** Where a PemFile's relative path lands: the configured project directory, else $PWD, else our cwd. */
export function resolvePemPath(p: string, projectDir: string): string {
  if (path.isAbsolute(p)) return path.normalize(p);
  const pwd = process.env.PWD;
  const base = projectDir !== "" ? projectDir : pwd !== undefined && path.isAbsolute(pwd) ? pwd : process.cwd();
  return path.resolve(base, p);
}

/** How a path relates to git: outside any work tree, inside and ignored, inside and not ignored, or not determinable. */
export type GitPlacement = { kind: "outside" } | { kind: "ignored"; root: string } | { kind: "not-ignored"; root: string } | { kind: "unknown" };

function git(args: string[]): { status: number; stdout: string } | undefined {
  // GIT_DIR and friends from a surrounding hook would point git at another repository.
  const env = { ...process.env };
  for (const k of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"]) delete env[k];
  try {
    const stdout = execFileSync("git", args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
    return { status: 0, stdout };
  } catch (e) {
    const status = (e as { status?: number | null }).status;
    return typeof status === "number" ? { status, stdout: "" } : undefined; // no git, or killed
  }
}

/** Finds whether an absolute path (which may not exist yet) is inside a git work tree, and whether git ignores it. */
export function gitPlacement(absPath: string): GitPlacement {
  let dir = path.dirname(absPath);
  while (!existsSync(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) return { kind: "unknown" };
    dir = parent;
  }
  // git reports the work tree by its real path; compare like with like (e.g. /tmp as a symlink).
  const realDir = realpathSync(dir);
  const target = path.join(realDir, path.relative(dir, absPath));
  const top = git(["-C", realDir, "rev-parse", "--show-toplevel"]);
  if (top === undefined) return { kind: "unknown" };
  if (top.status !== 0) return { kind: "outside" };
  const root = top.stdout.trim();
  // Without --no-index a tracked file counts as not ignored, which is what matters: it gets committed.
  const ignored = git(["-C", root, "check-ignore", "-q", "--", target]);
  if (ignored?.status === 0) return { kind: "ignored", root };
  if (ignored?.status === 1) return { kind: "not-ignored", root };
  return { kind: "unknown" };
}

/** The mode's problem and its tightened form, or undefined when the mode is fine or not known. */
function modeFinding(props: Props<KindProps["PemFile"]>, cfg: PemFileProtectionConfig): { mode: string; tightened: string } | undefined {
  const raw = valueOr(props.string("filePermission"), INPUT_DEFAULTS.pemFile.filePermission);
  if (raw === undefined) return undefined;
  const mode = parseMode(raw);
  const max = parseMode(cfg.maxFilePermission);
  if (mode === undefined || max === undefined) return undefined; // a malformed mode is the provider's `check` to reject
  if ((mode & ~max) === 0) return undefined;
  return { mode: raw, tightened: formatMode(mode & max) };
}

function validate(args: ResourceValidationArgs, report: (m: string) => void): void {
  const cfg = configOf(args, schema);
  const props = new Props<KindProps["PemFile"]>(args.props);
  const who = labelOf("PemFile", args.props);
  const finding = modeFinding(props, cfg);
  if (finding) {
    report(`${who} has filePermission ${finding.mode}, which grants more than ${cfg.maxFilePermission}; use ${finding.tightened}.`);
  }
  const p = props.string("path");
  if (!cfg.checkGitWorkTree || p.state !== "known") return;
  const abs = resolvePemPath(p.value, cfg.projectDir);
  const placement = gitPlacement(abs);
  if (placement.kind === "not-ignored") {
    report(`${who} writes ${abs} inside the git work tree ${placement.root}, and git does not ignore that path, so the key could be committed.`);
  }
}

/**
 * `pem-file-protection`: a `PemFile` is written with mode 0600 or stricter, and not inside a git
 * work tree unless git ignores the path. At the `remediate` level the mode is tightened for you
 * (the path cannot be fixed automatically and is still reported).
 */
export const pemFileProtection: ResourceValidationPolicy = {
  name: "pem-file-protection",
  description: "PEM files must be readable by their owner only and must not land in a git work tree unignored.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set `filePermission: "0600"` (or "0400"), or run this policy at the `remediate` level to have the mode tightened automatically ' +
    "(not for a file holding a private key: the PemFile's own check refuses a group- or world-readable one before any policy runs, so set it in the program). " +
    "Write the file outside the repository (for example under ~/.config or a temp directory), or add the path to .gitignore " +
    "(and `git rm --cached` it if it was committed, then rotate the certificate).",
  configSchema: schema,
  validateResource: forKinds(["PemFile"], ({ args }, report) => validate(args, report)),
  remediateResource: (args) => {
    if (!isKind(args.type, "PemFile")) return args.notApplicable("Policy only applies to PemFile");
    const finding = modeFinding(new Props<KindProps["PemFile"]>(args.props), configOf(args, schema));
    if (!finding) return undefined;
    // Assigning through the SDK's proxy keeps secret inputs (the PEM itself) secret.
    args.props.filePermission = finding.tightened;
    return args.props;
  },
};

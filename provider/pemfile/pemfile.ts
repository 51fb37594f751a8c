/**
 * Writing, inspecting and removing a local PEM file (a client key + certificate) the way
 * @pulumi/local's `SensitiveFile` users expect: owner-only modes, atomic replacement, a file
 * the library did not write is never replaced or removed by surprise, and a missing or edited
 * file shows up as drift.
 *
 * "A file we wrote" is recognised by its SHA-256, which the caller keeps (in Pulumi state)
 * and passes back as `previousSha256` / `expectedSha256`.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs, type Stats } from "node:fs";
import * as path from "node:path";
import { PemFileError, PemFileErrorCodes } from "./errors";

/** Mode of a written file when none is given: owner read/write only. */
export const DEFAULT_FILE_MODE = 0o600;
/** Mode of every folder this library creates: owner only. */
export const CREATED_FOLDER_MODE = 0o700;

/** Input of {@link writePemFile}. */
export interface WritePemFileOptions {
  /** Where to write; a relative path is resolved against the current directory. */
  path: string;
  /** The PEM text. Secret: it never appears in errors. */
  content: string;
  /** Permission bits of the file, 0..0o777. Default 0o600. */
  mode?: number;
  /** Replace a file this library did not write. Default false. */
  overwrite?: boolean;
  /** SHA-256 (hex) of the file as last written by us; a file with this hash may be replaced. */
  previousSha256?: string;
}

/** Result of {@link writePemFile}. */
export interface WritePemFileResult {
  /** The absolute path written. */
  path: string;
  /** SHA-256 (lower-case hex) of the content now in the file; keep it for the next write or removal. */
  sha256: string;
}

/** Result of {@link inspectPemFile}: whether the file is there, and its hash and mode if it is. */
export type PemFileInspection =
  | { exists: false; path: string }
  | { exists: true; path: string; sha256: string; mode: number };

/** Result of {@link removePemFile}. */
export type RemovePemFileResult =
  | { removed: true; path: string }
  | { removed: false; path: string; reason: "missing" | "modified" | "not-a-regular-file" };

/** How a file on disk differs from what was written: see {@link pemFileDrift}. */
export type PemFileDrift = "in-sync" | "missing" | "content-changed" | "mode-changed";

/** SHA-256 of a string (as UTF-8) or bytes, lower-case hex. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

function osCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function ioError(target: string, action: string, error: unknown): PemFileError {
  const code = osCode(error);
  return new PemFileError(PemFileErrorCodes.IO, target, `could not ${action} ${target}${code ? ` (${code})` : ""}`, code);
}

/** lstat that answers undefined when nothing is at the path (or an ancestor is not a folder). */
async function lstatIfPresent(target: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    const code = osCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw ioError(target, "examine", error);
  }
}

function checkInput(target: unknown, property = "path"): string {
  if (typeof target !== "string" || target.trim() === "" || target.includes("\0")) {
    throw new PemFileError(PemFileErrorCodes.BAD_INPUT, String(target), `${property} must be a non-empty file path`);
  }
  return path.resolve(target);
}

function checkSha256(value: unknown, property: string, target: string): void {
  if (value !== undefined && (typeof value !== "string" || !/^[0-9a-f]{64}$/i.test(value))) {
    throw new PemFileError(PemFileErrorCodes.BAD_INPUT, target, `${property} must be a SHA-256 in hex (64 characters)`);
  }
}

function notAFile(target: string, stats: Stats): PemFileError {
  return stats.isDirectory()
    ? new PemFileError(PemFileErrorCodes.IS_DIRECTORY, target, `path ${target} is a directory; give the path of a file inside it`)
    : new PemFileError(
        PemFileErrorCodes.NOT_A_REGULAR_FILE,
        target,
        `path ${target} is not a regular file (symbolic link, socket, FIFO or device); give another path`,
      );
}

async function hashFile(target: string): Promise<string> {
  try {
    return sha256Hex(await fs.readFile(target));
  } catch (error) {
    throw ioError(target, "read", error);
  }
}

/** Creates the missing folders above `folder`, each with mode 0700; existing ones are left alone. */
async function ensureFolder(folder: string, target: string): Promise<void> {
  const missing: string[] = [];
  for (let current = folder; ; current = path.dirname(current)) {
    let stats: Stats | undefined;
    try {
      // stat, not lstat: a symbolic link to a folder (like macOS's /tmp) is a folder.
      stats = await fs.stat(current);
    } catch (error) {
      const code = osCode(error);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw ioError(current, "examine", error);
    }
    if (stats) {
      if (!stats.isDirectory()) {
        throw new PemFileError(
          PemFileErrorCodes.PARENT_UNCREATABLE,
          target,
          `cannot create the folder for ${target}: ${current} exists and is not a folder`,
          "ENOTDIR",
        );
      }
      break;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }

  for (const dir of missing) {
    try {
      await fs.mkdir(dir, { mode: CREATED_FOLDER_MODE });
    } catch (error) {
      const code = osCode(error);
      // Someone else created it meanwhile: fine, but it is not ours to chmod.
      if (code === "EEXIST" && (await fs.stat(dir).catch(() => undefined))?.isDirectory()) continue;
      throw new PemFileError(
        PemFileErrorCodes.PARENT_UNCREATABLE,
        target,
        `cannot create folder ${dir} for ${target}${code ? ` (${code})` : ""}`,
        code,
      );
    }
    try {
      // mkdir's mode is reduced by the umask; set it exactly.
      await fs.chmod(dir, CREATED_FOLDER_MODE);
    } catch (error) {
      throw ioError(dir, "set the mode of", error);
    }
  }
}

async function syncFolder(folder: string): Promise<void> {
  // Makes the rename itself durable. Some file systems refuse fsync on a folder; the file is
  // already complete and in place by then, so that is not an error.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(folder, "r");
    await handle.sync();
  } catch {
    /* best effort */
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes `content` to `path` atomically (temporary file in the same folder, fsync, chmod,
 * rename), creating missing parent folders with mode 0700. An existing file is replaced only
 * if it is ours (its SHA-256 equals `previousSha256`), already has exactly this content, or
 * `overwrite` is true; otherwise a {@link PemFileError} with code `..._REFUSED_OVERWRITE`.
 *
 * @example
 * ```ts
 * const { sha256 } = await writePemFile({ path: "certs/my-endpoint.pem", content: certs.combinedPem });
 * // later, replacing our own file:
 * await writePemFile({ path: "certs/my-endpoint.pem", content: renewed.combinedPem, previousSha256: sha256 });
 * ```
 */
export async function writePemFile(options: WritePemFileOptions): Promise<WritePemFileResult> {
  const target = checkInput(options.path);
  const { content, overwrite = false, previousSha256, mode = DEFAULT_FILE_MODE } = options;
  if (typeof content !== "string" || content.length === 0) {
    throw new PemFileError(PemFileErrorCodes.BAD_INPUT, target, "content must be a non-empty string");
  }
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new PemFileError(PemFileErrorCodes.BAD_INPUT, target, `mode must be permission bits from 0 to 0o777 (got ${String(mode)})`);
  }
  checkSha256(previousSha256, "previousSha256", target);
  const sha256 = sha256Hex(content);

  const existing = await lstatIfPresent(target);
  if (existing) {
    if (!existing.isFile()) throw notAFile(target, existing);
    if (!overwrite) {
      const current = await hashFile(target);
      // Same content as we are about to write: a retried create, safe to redo.
      if (current !== sha256 && current !== previousSha256?.toLowerCase()) {
        throw new PemFileError(
          PemFileErrorCodes.REFUSED_OVERWRITE,
          target,
          `refusing to replace ${target}: a file that this resource did not write is there; move it away or set overwrite: true`,
        );
      }
    }
  }

  const folder = path.dirname(target);
  await ensureFolder(folder, target);

  const temporary = path.join(folder, `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: fs.FileHandle;
  try {
    // 0600 from the first byte, whatever the final mode: the secret is never readable by others.
    handle = await fs.open(temporary, "wx", 0o600);
  } catch (error) {
    const code = osCode(error);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOENT") {
      throw new PemFileError(PemFileErrorCodes.UNWRITABLE, target, `cannot create files in folder ${folder} (${code})`, code);
    }
    throw ioError(temporary, "create", error);
  }

  try {
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    const code = osCode(error);
    if (code === "EISDIR") {
      throw new PemFileError(PemFileErrorCodes.IS_DIRECTORY, target, `path ${target} is a directory; give the path of a file inside it`, code);
    }
    throw ioError(target, "write", error);
  }
  await syncFolder(folder);
  return { path: target, sha256 };
}

/**
 * Reports whether the file exists and, if so, its SHA-256 and permission bits, for drift
 * detection. A directory or other non-file at the path is an error.
 *
 * @example
 * ```ts
 * const seen = await inspectPemFile("certs/my-endpoint.pem");
 * pemFileDrift(seen, { sha256, mode: 0o600 }); // "in-sync" | "missing" | ...
 * ```
 */
export async function inspectPemFile(filePath: string): Promise<PemFileInspection> {
  const target = checkInput(filePath);
  const stats = await lstatIfPresent(target);
  if (!stats) return { exists: false, path: target };
  if (!stats.isFile()) throw notAFile(target, stats);
  return { exists: true, path: target, sha256: await hashFile(target), mode: stats.mode & 0o777 };
}

/**
 * Compares an inspection with what was written. Content drift wins over mode drift.
 *
 * @example
 * ```ts
 * if (pemFileDrift(await inspectPemFile(p), { sha256, mode }) !== "in-sync") { ... rewrite ... }
 * ```
 */
export function pemFileDrift(seen: PemFileInspection, expected: { sha256: string; mode?: number }): PemFileDrift {
  if (!seen.exists) return "missing";
  if (seen.sha256 !== expected.sha256.toLowerCase()) return "content-changed";
  if (seen.mode !== (expected.mode ?? DEFAULT_FILE_MODE)) return "mode-changed";
  return "in-sync";
}

/**
 * Removes the file only if it is the one we wrote (its SHA-256 equals `expectedSha256`).
 * A missing file is fine (`removed: false, reason: "missing"`); a changed file or a
 * non-file is left in place and reported, so a delete never destroys someone else's data.
 *
 * @example
 * ```ts
 * const result = await removePemFile("certs/my-endpoint.pem", sha256);
 * if (!result.removed && result.reason === "modified") console.warn("left the edited file in place");
 * ```
 */
export async function removePemFile(filePath: string, expectedSha256: string): Promise<RemovePemFileResult> {
  const target = checkInput(filePath);
  // Required here: without it any file at the path would count as ours.
  checkSha256(expectedSha256 ?? "", "expectedSha256", target);
  const stats = await lstatIfPresent(target);
  if (!stats) return { removed: false, path: target, reason: "missing" };
  if (!stats.isFile()) return { removed: false, path: target, reason: "not-a-regular-file" };
  if ((await hashFile(target)) !== expectedSha256.toLowerCase()) return { removed: false, path: target, reason: "modified" };
  try {
    await fs.unlink(target);
  } catch (error) {
    if (osCode(error) === "ENOENT") return { removed: false, path: target, reason: "missing" };
    throw ioError(target, "remove", error);
  }
  return { removed: true, path: target };
}

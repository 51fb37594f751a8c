/**
 * Typed errors of the PEM file library. Messages name the path and the rule, never the
 * file's content.
 */

/** Stable error codes of PEM file operations. */
export const PemFileErrorCodes = {
  /** path, content or mode is not acceptable. */
  BAD_INPUT: "CCLUSTER_PEMFILE_BAD_INPUT",
  /** A missing parent folder could not be created (an ancestor is a file, or creation was refused). */
  PARENT_UNCREATABLE: "CCLUSTER_PEMFILE_PARENT_UNCREATABLE",
  /** The folder exists but no file can be created in it. */
  UNWRITABLE: "CCLUSTER_PEMFILE_UNWRITABLE",
  /** The path names a directory. */
  IS_DIRECTORY: "CCLUSTER_PEMFILE_IS_DIRECTORY",
  /** The path names something other than a regular file (symbolic link, socket, FIFO, device). */
  NOT_A_REGULAR_FILE: "CCLUSTER_PEMFILE_NOT_A_REGULAR_FILE",
  /** A file this library did not write is in the way and `overwrite` is false. */
  REFUSED_OVERWRITE: "CCLUSTER_PEMFILE_REFUSED_OVERWRITE",
  /** Any other I/O failure (disk full, I/O error, ...). */
  IO: "CCLUSTER_PEMFILE_IO",
} as const;

/** One of the {@link PemFileErrorCodes} values. */
export type PemFileErrorCode = (typeof PemFileErrorCodes)[keyof typeof PemFileErrorCodes];

/**
 * The one error type the PEM file library throws.
 *
 * @example
 * ```ts
 * try { await writePemFile({ path, content }); }
 * catch (e) { if (e instanceof PemFileError && e.code === PemFileErrorCodes.REFUSED_OVERWRITE) { ... } }
 * ```
 */
export class PemFileError extends Error {
  /** Stable code to match on. */
  readonly code: PemFileErrorCode;
  /** The path the operation was about. */
  readonly path: string;
  /** The operating system's error code (`EACCES`, `ENOTDIR`, ...) when there was one. */
  readonly osCode?: string;

  constructor(code: PemFileErrorCode, path: string, message: string, osCode?: string) {
    // The code leads the message too: through the Pulumi engine only the message reaches the user.
    super(`[${code}] ${message}`);
    this.name = "PemFileError";
    this.code = code;
    this.path = path;
    this.osCode = osCode;
  }
}

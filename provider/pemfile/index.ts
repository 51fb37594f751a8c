/**
 * PEM file library of the provider: owner-only, atomic writes that never replace or remove a
 * file they did not write, and drift detection. The `PemFile` resource wraps it.
 *
 * @example
 * ```ts
 * import { writePemFile, inspectPemFile, pemFileDrift, removePemFile } from "./provider/pemfile";
 * const { sha256 } = await writePemFile({ path: "my-endpoint.pem", content: certs.combinedPem });
 * pemFileDrift(await inspectPemFile("my-endpoint.pem"), { sha256 }); // "in-sync"
 * await removePemFile("my-endpoint.pem", sha256);
 * ```
 */
export { PemFileError, PemFileErrorCodes, type PemFileErrorCode } from "./errors";
export {
  CREATED_FOLDER_MODE,
  DEFAULT_FILE_MODE,
  inspectPemFile,
  pemFileDrift,
  removePemFile,
  sha256Hex,
  writePemFile,
  type PemFileDrift,
  type PemFileInspection,
  type RemovePemFileResult,
  type WritePemFileOptions,
  type WritePemFileResult,
} from "./pemfile";

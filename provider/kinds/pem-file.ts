import { accessSync, constants, statSync, type Stats } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { inspectPemFile, removePemFile, writePemFile } from "../pemfile";
import { defineKind } from "../framework/declaration";
import { holdsPrivateKey, isKnown } from "../framework/validation";

const inputs = z.strictObject({
  path: z.string().min(1, "must not be empty").describe("Where to write the file; relative paths are relative to the Pulumi project."),
  pem: z.string().min(1, "must not be empty").describe("The PEM text to write (secret). Pass the `Certificate` output that `contents` names: `combinedPem` (combined), `caCertificatePem` (ca), `clientCertificatePem` (certificate) or `clientPrivateKeyPem` (privateKey). Only the TypeScript dynamic resources' `PemFile` also takes `certificate` instead and fills this from it."),
  contents: z.enum(["combined", "ca", "certificate", "privateKey"]).default("combined").describe("Which bundle of the certificate the file holds: `combined` (the platform's `<name>.pem`), `ca`, `certificate` or `privateKey`."),
  filePermission: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'must be an octal mode such as "0600"')
    .default("0600")
    .describe("File mode, octal. Folders it creates get 0700. A file holding a private key may not be readable by group or others (0644 is refused)."),
  overwrite: z.boolean().default(false).describe("Replace a file at `path` that this resource did not write."),
});
type Inputs = z.output<typeof inputs>;

const modeOf = (i: Pick<Inputs, "filePermission">) => parseInt(i.filePermission, 8);

/** The bundles of a certificate that include its private key. */
const bundlesWithPrivateKey: ReadonlySet<string> = new Set(["combined", "privateKey"]);

/** Read bits for group and others: a private key they can read is leaked, whatever else guards it. */
const GROUP_OR_OTHERS_READ = 0o044;

/** What is wrong with the PEM text's structure, or undefined. Judges blocks only, not their contents. */
function pemProblem(pem: string): string | undefined {
  const begins = pem.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? [];
  const blocks = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  if (blocks.length === 0) return "must be PEM text: one or more -----BEGIN <label>----- … -----END <label>----- blocks";
  if (begins.length !== blocks.length) return "has a -----BEGIN line without its matching -----END line (was the text cut short?)";
  return undefined;
}

/**
 * Why the file could not be written there, judged in `check` so that a stack fails at preview
 * rather than after its certificate is already in the vault. `writePemFile` checks again.
 */
function folderProblem(target: string): string | undefined {
  if (statIfPresent(target)?.isDirectory()) return `is a folder, not a file: ${target}`;
  // The nearest folder that exists is where the missing ones would be created.
  let folder = path.dirname(target);
  let stats = statIfPresent(folder);
  while (!stats) stats = statIfPresent((folder = path.dirname(folder)));
  if (!stats.isDirectory()) return `cannot be created: ${folder} is a file, not a folder`;
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    return `cannot be created: the folder ${folder} is not writable`;
  }
  return undefined;
}

function statIfPresent(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** A `.pem` file on the machine that runs `pulumi up`: written atomically, owner-only, drift-checked. */
export const pemFile = defineKind({
  module: "ccluster",
  typeName: "PemFile",
  description:
    "Writes a certificate bundle to a `.pem` file (mode 0600, folders 0700, atomically). A missing or edited file is drift that `preview` shows and `up` repairs; `destroy` removes only the file it wrote. State keeps a SHA-256 of the content, never the content.",
  example: [
    'new ccluster.PemFile("client-pem", { certificate: cert, path: "certs/my-endpoint.pem" });',
    'new ccluster.PemFile("ca-pem", { certificate: cert, contents: "ca", path: "certs/ca.pem" });',
  ].join("\n"),
  platformObject: "a local file",
  inputs,
  replaceOnChange: ["path"],
  secretInputs: ["pem"],
  storeHashOnly: ["pem"],
  sdkAlternatives: {
    certificate: {
      instead: "pem",
      sdkType: "Certificate",
      description: "The certificate whose bundle (chosen by `contents`) the file holds. Give this or `pem`.",
    },
  },
  outputs: {
    absolutePath: { type: "string", description: "The absolute path written." },
    pemSha256: { type: "string", description: "SHA-256 (hex) of the content written." },
    fileSha256: { type: "string", description: "SHA-256 (hex) of the file as last seen on disk; differs from `pemSha256` once someone edited it (`refresh` shows it, `up` writes it again)." },
  },
  deleteBeforeReplace: "never",
  // Two PemFiles of one program writing one path would overwrite each other: check refuses the second.
  identity: ["path"],
  notImportable:
    "it is a file on this machine, not a platform object, and its content is secret. Declare the PemFile with its `path`, its `pem` and `overwrite: true`: `pulumi up` takes the file over.",
  validate(i) {
    // Values computed by other resources (the PEM of a certificate not made yet) are judged once known.
    const failures: { property: string; reason: string }[] = [];
    const problem = isKnown(i.path) ? folderProblem(path.resolve(i.path)) : undefined;
    if (problem) failures.push({ property: "path", reason: `PemFile.path ${problem}` });
    if (isKnown(i.pem)) {
      const malformed = pemProblem(i.pem);
      if (malformed) failures.push({ property: "pem", reason: `PemFile.pem ${malformed}` });
    }
    // A pem not made yet (preview) is judged by the bundle `contents` names, so that preview
    // refuses a readable private key before the certificate is made.
    const holdsKey = isKnown(i.pem) ? holdsPrivateKey(i.pem) : isKnown(i.contents) && bundlesWithPrivateKey.has(i.contents);
    if (holdsKey && isKnown(i.filePermission) && (modeOf(i) & GROUP_OR_OTHERS_READ) !== 0) {
      // The owner's own bits are kept, as the policy pack's remediation does: "0644" becomes "0600".
      const suggested = "0" + ((modeOf(i) & 0o700) || 0o600).toString(8);
      const why = isKnown(i.pem) ? "" : ` (contents "${i.contents}" holds the certificate's private key)`;
      failures.push({
        property: "filePermission",
        reason: `PemFile.filePermission must not let group or others read a file holding a private key${why} (got "${i.filePermission}"); use "${suggested}"`,
      });
    }
    return failures;
  },
  operations: {
    async create(i) {
      const written = await writePemFile({ path: i.path, content: i.pem, mode: modeOf(i), overwrite: i.overwrite });
      return { id: written.path, outs: { absolutePath: written.path, fileSha256: written.sha256 } };
    },
    async read(id, state) {
      const seen = await inspectPemFile(String(state.absolutePath ?? id));
      // Missing: gone from state after refresh, and `up` writes it again.
      if (!seen.exists) return undefined;
      // pemSha256 stays the hash of what we wrote: `destroy` removes the file only while it still
      // holds that, so refreshing an edited file must not make the edit "ours".
      return { absolutePath: seen.path, fileSha256: seen.sha256, filePermission: "0" + (seen.mode & 0o777).toString(8) };
    },
    async update(id, olds, news) {
      // We wrote this path: restoring it after an edit is repairing drift, not overwriting a stranger's file.
      const written = await writePemFile({ path: news.path, content: news.pem, mode: modeOf(news), overwrite: true, previousSha256: olds.pemSha256 as string });
      return { absolutePath: written.path, fileSha256: written.sha256 };
    },
    async delete(id, state) {
      await removePemFile(String(state.absolutePath ?? id), String(state.pemSha256));
    },
    async driftCheck(state, news) {
      const file = String(state.absolutePath ?? path.resolve(news.path));
      const seen = await inspectPemFile(file);
      const repair = "`pulumi up` writes it again";
      if (!seen.exists) return { property: "pem", found: `${file} is missing; ${repair}` };
      if (seen.sha256 !== state.pemSha256) return { property: "pem", found: `${file} was changed since it was written (its SHA-256 differs); ${repair}` };
      const mode = seen.mode & 0o777;
      if (mode !== modeOf(news)) return { property: "filePermission", found: `${file} has mode 0${mode.toString(8)}, not ${news.filePermission}; ${repair} with that mode` };
      return undefined;
    },
  },
});


/**
 * PEM file writing, inspection and removal, checked with fs.stat and the bytes on disk.
 *
 * The unwritable-folder case has to be real even though these tests usually run as root, who
 * ignores permission bits: as root it uses /sys/kernel (sysfs refuses new files to everyone);
 * as another user, a folder of its own with mode 0500.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  inspectPemFile,
  pemFileDrift,
  PemFileError,
  PemFileErrorCodes,
  removePemFile,
  writePemFile,
} from "../../provider/pemfile";

// Stand-ins for secret PEM content: no error message may ever contain them.
const SECRET = "-----BEGIN PRIVATE KEY-----\nU0VDUkVULUtFWS1NQVRFUklBTA==\n-----END PRIVATE KEY-----\n";
const RENEWED = "-----BEGIN PRIVATE KEY-----\nUkVORVdFRC1LRVktTUFURVJJQUw=\n-----END PRIVATE KEY-----\n";
const FOREIGN = "a file somebody else put here: FOREIGN-CONTENT\n";
const CONTENT_MARKERS = ["U0VDUkVULUtFWS1NQVRFUklBTA", "UkVORVdFRC1LRVktTUFURVJJQUw", "FOREIGN-CONTENT"];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const modeOf = (target: string) => fs.statSync(target).mode & 0o777;

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "ccluster-pem-"));
  fs.chmodSync(base, 0o755);
});
afterEach(() => {
  fs.chmodSync(base, 0o755);
  fs.rmSync(base, { recursive: true, force: true });
});

/** Awaits the PemFileError `run` must throw, and checks it leads with its code and does not leak content. */
async function rejection(run: Promise<unknown>): Promise<PemFileError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(PemFileError);
    const message = (error as Error).message;
    expect(message.startsWith(`[${(error as PemFileError).code}] `)).toBe(true); // all a `pulumi up` user sees is the message
    for (const marker of CONTENT_MARKERS) expect(message).not.toContain(marker);
    return error as PemFileError;
  }
  throw new Error("expected a PemFileError, but the operation succeeded");
}

function leftovers(folder: string): string[] {
  return fs.readdirSync(folder).filter((name) => name.endsWith(".tmp"));
}

describe("writePemFile", () => {
  test("writes the content with mode 0600 and creates only the missing folders, with mode 0700", async () => {
    const target = path.join(base, "certs", "prod", "endpoint.pem");
    const result = await writePemFile({ path: target, content: SECRET });

    expect(result).toEqual({ path: target, sha256: sha256(SECRET) });
    expect(fs.readFileSync(target, "utf8")).toBe(SECRET);
    expect(modeOf(target)).toBe(0o600);
    expect(modeOf(path.join(base, "certs"))).toBe(0o700);
    expect(modeOf(path.join(base, "certs", "prod"))).toBe(0o700);
    // The folder that already existed keeps its mode.
    expect(modeOf(base)).toBe(0o755);
    expect(leftovers(path.dirname(target))).toEqual([]);
  });

  test("the mode asked for is the mode on disk", async () => {
    const target = path.join(base, "readable.pem");
    await writePemFile({ path: target, content: SECRET, mode: 0o640 });
    expect(modeOf(target)).toBe(0o640);
    const readOnly = path.join(base, "read-only.pem");
    await writePemFile({ path: readOnly, content: SECRET, mode: 0o400 });
    expect(modeOf(readOnly)).toBe(0o400);
  });

  test("a relative path is resolved against the current directory", async () => {
    const cwd = process.cwd();
    process.chdir(base);
    try {
      const result = await writePemFile({ path: "relative.pem", content: SECRET });
      expect(result.path).toBe(path.join(fs.realpathSync(base), "relative.pem"));
    } finally {
      process.chdir(cwd);
    }
  });

  test("replacing our own file is atomic: a reader of the old file still sees all of the old content", async () => {
    const target = path.join(base, "endpoint.pem");
    const first = await writePemFile({ path: target, content: SECRET });
    const reader = fs.openSync(target, "r");
    try {
      const second = await writePemFile({ path: target, content: RENEWED, previousSha256: first.sha256 });
      expect(second.sha256).toBe(sha256(RENEWED));
      expect(fs.readFileSync(target, "utf8")).toBe(RENEWED);
      // An in-place rewrite would have changed what this open descriptor reads.
      expect(fs.readFileSync(reader, "utf8")).toBe(SECRET);
    } finally {
      fs.closeSync(reader);
    }
    expect(modeOf(target)).toBe(0o600);
    expect(leftovers(base)).toEqual([]);
  });

  test("refuses to replace a file it did not write, and leaves that file alone", async () => {
    const target = path.join(base, "endpoint.pem");
    fs.writeFileSync(target, FOREIGN, { mode: 0o644 });

    const error = await rejection(writePemFile({ path: target, content: SECRET }));
    expect(error.code).toBe(PemFileErrorCodes.REFUSED_OVERWRITE);
    expect(error.message).toContain(target);
    expect(error.message).toContain("overwrite: true");
    expect(fs.readFileSync(target, "utf8")).toBe(FOREIGN);
    expect(leftovers(base)).toEqual([]);

    // A previousSha256 of some other content does not make the file ours either.
    const stale = await rejection(writePemFile({ path: target, content: SECRET, previousSha256: sha256(RENEWED) }));
    expect(stale.code).toBe(PemFileErrorCodes.REFUSED_OVERWRITE);
  });

  test("refuses to replace our file after someone edited it", async () => {
    const target = path.join(base, "endpoint.pem");
    const ours = await writePemFile({ path: target, content: SECRET });
    fs.appendFileSync(target, "# edited by hand\n");
    const error = await rejection(writePemFile({ path: target, content: RENEWED, previousSha256: ours.sha256 }));
    expect(error.code).toBe(PemFileErrorCodes.REFUSED_OVERWRITE);
    expect(fs.readFileSync(target, "utf8")).toBe(`${SECRET}# edited by hand\n`);
  });

  test("overwrite: true replaces a foreign file and applies the mode", async () => {
    const target = path.join(base, "endpoint.pem");
    fs.writeFileSync(target, FOREIGN, { mode: 0o644 });
    await writePemFile({ path: target, content: SECRET, overwrite: true });
    expect(fs.readFileSync(target, "utf8")).toBe(SECRET);
    expect(modeOf(target)).toBe(0o600);
  });

  test("a retried write of the same content succeeds without previousSha256", async () => {
    const target = path.join(base, "endpoint.pem");
    await writePemFile({ path: target, content: SECRET });
    await expect(writePemFile({ path: target, content: SECRET })).resolves.toEqual({ path: target, sha256: sha256(SECRET) });
  });

  test("a directory at the path is refused", async () => {
    const target = path.join(base, "is-a-folder.pem");
    fs.mkdirSync(target);
    const error = await rejection(writePemFile({ path: target, content: SECRET, overwrite: true }));
    expect(error.code).toBe(PemFileErrorCodes.IS_DIRECTORY);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });

  test("a missing parent that cannot be created (a regular file is in the way) is reported", async () => {
    const blocker = path.join(base, "not-a-folder");
    fs.writeFileSync(blocker, "plain file");
    const target = path.join(blocker, "sub", "endpoint.pem");
    const error = await rejection(writePemFile({ path: target, content: SECRET }));
    expect(error.code).toBe(PemFileErrorCodes.PARENT_UNCREATABLE);
    expect(error.message).toContain(`${blocker} exists and is not a folder`);
  });

  test("a folder nobody may create files in is reported as unwritable", async () => {
    let folder: string;
    if (process.getuid?.() === 0) {
      folder = "/sys/kernel";
      if (!fs.existsSync(folder)) throw new Error("running as root, this test needs /sys/kernel (sysfs) as a folder even root cannot write in");
    } else {
      folder = path.join(base, "locked");
      fs.mkdirSync(folder, { mode: 0o500 });
      fs.chmodSync(folder, 0o500);
    }
    const target = path.join(folder, "ccluster-test.pem");
    const error = await rejection(writePemFile({ path: target, content: SECRET }));
    expect(error.code).toBe(PemFileErrorCodes.UNWRITABLE);
    expect(error.message).toContain(`cannot create files in folder ${folder}`);
    expect(fs.existsSync(target)).toBe(false);
  });

  test("bad input is refused before touching the disk", async () => {
    expect((await rejection(writePemFile({ path: "", content: SECRET }))).code).toBe(PemFileErrorCodes.BAD_INPUT);
    expect((await rejection(writePemFile({ path: path.join(base, "a.pem"), content: "" }))).code).toBe(PemFileErrorCodes.BAD_INPUT);
    const badMode = await rejection(writePemFile({ path: path.join(base, "a.pem"), content: SECRET, mode: 0o1777 }));
    expect(badMode.message).toMatch(/mode must be permission bits from 0 to 0o777/);
    const badHash = await rejection(writePemFile({ path: path.join(base, "a.pem"), content: SECRET, previousSha256: "abc" }));
    expect(badHash.message).toMatch(/previousSha256 must be a SHA-256/);
    expect(fs.readdirSync(base)).toEqual([]);
  });
});

describe("inspectPemFile and pemFileDrift", () => {
  test("report our file as in sync, then each kind of drift", async () => {
    const target = path.join(base, "endpoint.pem");
    const { sha256: written } = await writePemFile({ path: target, content: SECRET });

    const seen = await inspectPemFile(target);
    expect(seen).toEqual({ exists: true, path: target, sha256: written, mode: 0o600 });
    expect(pemFileDrift(seen, { sha256: written })).toBe("in-sync");

    fs.chmodSync(target, 0o644);
    expect(pemFileDrift(await inspectPemFile(target), { sha256: written, mode: 0o600 })).toBe("mode-changed");

    fs.writeFileSync(target, RENEWED);
    expect(pemFileDrift(await inspectPemFile(target), { sha256: written })).toBe("content-changed");

    fs.unlinkSync(target);
    const gone = await inspectPemFile(target);
    expect(gone).toEqual({ exists: false, path: target });
    expect(pemFileDrift(gone, { sha256: written })).toBe("missing");
  });

  test("a path under a missing folder simply does not exist; a directory is an error", async () => {
    expect((await inspectPemFile(path.join(base, "nope", "x.pem"))).exists).toBe(false);
    expect((await rejection(inspectPemFile(base))).code).toBe(PemFileErrorCodes.IS_DIRECTORY);
  });
});

describe("removePemFile", () => {
  test("removes the file we wrote", async () => {
    const target = path.join(base, "endpoint.pem");
    const { sha256: written } = await writePemFile({ path: target, content: SECRET });
    expect(await removePemFile(target, written)).toEqual({ removed: true, path: target });
    expect(fs.existsSync(target)).toBe(false);
  });

  test("leaves a file that is not ours (or no longer ours) in place", async () => {
    const target = path.join(base, "endpoint.pem");
    const { sha256: written } = await writePemFile({ path: target, content: SECRET });
    fs.writeFileSync(target, FOREIGN);
    expect(await removePemFile(target, written)).toEqual({ removed: false, path: target, reason: "modified" });
    expect(fs.readFileSync(target, "utf8")).toBe(FOREIGN);
  });

  test("a missing file is fine, a directory is left alone", async () => {
    const missing = path.join(base, "never-written.pem");
    expect(await removePemFile(missing, sha256(SECRET))).toEqual({ removed: false, path: missing, reason: "missing" });
    const folder = path.join(base, "folder.pem");
    fs.mkdirSync(folder);
    expect(await removePemFile(folder, sha256(SECRET))).toEqual({ removed: false, path: folder, reason: "not-a-regular-file" });
    expect(fs.statSync(folder).isDirectory()).toBe(true);
  });

  test("the expected hash is required", async () => {
    const target = path.join(base, "endpoint.pem");
    await writePemFile({ path: target, content: SECRET });
    const error = await rejection(removePemFile(target, undefined as unknown as string));
    expect(error.code).toBe(PemFileErrorCodes.BAD_INPUT);
    expect(fs.existsSync(target)).toBe(true);
  });
});

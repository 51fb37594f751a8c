/** pem-file-protection: file mode, git work trees, and the remediation that tightens the mode. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { formatMode, parseMode } from "../../policy/rules/pem-file";
import { isSecretOnWire, secret, UNKNOWN } from "./harness";
import { messages, packRunner, resource } from "./fixtures";

const RULE = "pem-file-protection";
const PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKX9\n-----END PRIVATE KEY-----\n";
const outsideGit = mkdtempSync(path.join(tmpdir(), "pem-outside-"));
const pemFile = (props: Record<string, unknown>) => resource("PemFile", { pem: secret(PEM), path: path.join(outsideGit, "client.pem"), ...props });

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

afterAll(() => rmSync(outsideGit, { recursive: true, force: true }));

describe(`${RULE}: file mode`, () => {
  it.each(["0600", "0400", "600", undefined])("accepts filePermission %s", async (filePermission) => {
    expect(messages(await packRunner().analyze(pemFile({ filePermission })), RULE)).toEqual([]);
  });

  it.each([
    ["0644", "0600"],
    ["0640", "0600"],
    ["0444", "0400"],
    ["0700", "0600"],
    ["4600", "0600"],
  ])("blocks filePermission %s and proposes %s", async (mode, tightened) => {
    const result = await packRunner().analyze(pemFile({ filePermission: mode }));
    expect(messages(result, RULE)).toEqual([`PemFile "${path.join(outsideGit, "client.pem")}" has filePermission ${mode}, which grants more than 0600; use ${tightened}.`]);
    expect(result.blocked).toBe(true);
  });

  it("applies a configured maximum", async () => {
    const runner = packRunner({ [RULE]: { maxFilePermission: "0640" } });
    expect(messages(await runner.analyze(pemFile({ filePermission: "0640" })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(pemFile({ filePermission: "0660" })), RULE)).toHaveLength(1);
  });

  it("parses and formats octal modes", () => {
    expect([parseMode("0600"), parseMode("600"), parseMode("0o644"), parseMode("rw-------"), parseMode("0800")]).toEqual([0o600, 0o600, 0o644, undefined, undefined]);
    expect(formatMode(0o400)).toBe("0400");
  });

  it("tightens the mode at the remediate level and keeps the PEM secret", async () => {
    const runner = packRunner({ [RULE]: "remediate" });
    const result = await runner.preview(pemFile({ filePermission: "0644" }));
    expect(result.remediatedBy).toEqual([RULE]);
    expect(result.props.filePermission).toBe("0600");
    expect(isSecretOnWire(result.wireProps, "pem")).toBe(true);
    expect(messages(result, RULE)).toEqual([]);
  });

  it("leaves a compliant file alone at the remediate level", async () => {
    const result = await packRunner({ [RULE]: "remediate" }).preview(pemFile({ filePermission: "0400" }));
    expect(result.remediatedBy).toEqual([]);
    expect(result.props.filePermission).toBe("0400");
  });

  it("has its defaults and rejects a mode that is not octal", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ maxFilePermission: "0600", checkGitWorkTree: true, projectDir: "" });
    expect(() => packRunner({ [RULE]: { maxFilePermission: "rw-------" } })).toThrow(`${RULE}: maxFilePermission: Does not match pattern '^0?[0-7]{3}$'`);
  });
});

describe(`${RULE}: git work trees`, () => {
  let repo: string;

  beforeAll(() => {
    try {
      execFileSync("git", ["--version"], { stdio: "ignore" });
    } catch {
      throw new Error("the pem-file-protection git tests need `git` on PATH");
    }
    repo = realpathSync(mkdtempSync(path.join(tmpdir(), "pem-repo-")));
    git(repo, "init", "-q");
    writeFileSync(path.join(repo, ".gitignore"), "secrets/\n*.key.pem\n");
    mkdirSync(path.join(repo, "secrets"));
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("blocks a path inside a work tree that git does not ignore", async () => {
    const target = path.join(repo, "certs", "client.pem");
    const result = await packRunner().analyze(pemFile({ path: target }));
    expect(messages(result, RULE)).toEqual([
      `PemFile "${target}" writes ${target} inside the git work tree ${repo}, and git does not ignore that path, so the key could be committed.`,
    ]);
  });

  it.each([["secrets/client.pem"], ["deep/dir/client.key.pem"]])("accepts the ignored path %s", async (rel) => {
    expect(messages(await packRunner().analyze(pemFile({ path: path.join(repo, rel) })), RULE)).toEqual([]);
  });

  it("blocks an ignored path whose file is tracked anyway", async () => {
    writeFileSync(path.join(repo, "secrets", "tracked.pem"), "not a real key\n");
    git(repo, "add", "-f", "secrets/tracked.pem");
    expect(messages(await packRunner().analyze(pemFile({ path: path.join(repo, "secrets", "tracked.pem") })), RULE)).toHaveLength(1);
  });

  it("follows a symlinked directory into the work tree", async () => {
    const link = path.join(outsideGit, "repo-link");
    symlinkSync(repo, link);
    const result = await packRunner().analyze(pemFile({ path: path.join(link, "client.pem") }));
    expect(messages(result, RULE)[0]).toContain(`inside the git work tree ${repo}`);
  });

  it("resolves relative paths against projectDir", async () => {
    const runner = packRunner({ [RULE]: { projectDir: repo } });
    expect(messages(await runner.analyze(pemFile({ path: "client.pem" })), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(pemFile({ path: "secrets/client.pem" })), RULE)).toEqual([]);
  });

  it("skips the git check when checkGitWorkTree is off", async () => {
    const runner = packRunner({ [RULE]: { checkGitWorkTree: false } });
    expect(messages(await runner.analyze(pemFile({ path: path.join(repo, "client.pem") })), RULE)).toEqual([]);
  });

  it("accepts a path outside any work tree", async () => {
    expect(messages(await packRunner().analyze(pemFile({ path: path.join(outsideGit, "a", "b.pem") })), RULE)).toEqual([]);
  });

  it("waits for an unknown path or mode", async () => {
    const result = await packRunner().analyze(resource("PemFile", { path: UNKNOWN, pem: UNKNOWN, filePermission: UNKNOWN }));
    expect(result.diagnostics).toEqual([]);
  });
});

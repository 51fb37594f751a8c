/**
 * Records a stack that a released build made, for the upgrade tests (test/e2e/upgrade.test.ts):
 * one resource of every kind `up`-ed against an emulator, then kept in
 * `test/e2e/fixtures/recorded/<version>/`: the CLI's stack export (secrets encrypted), the stack's
 * config file (its passphrase salt), the program's resource list, and the emulator's data folder,
 * so a later build can be asked to preview that exact state with no changes and destroy it.
 *
 * Run at each release, with the released build:
 *   npm run build && node dist/scripts/record-stack.js [--package <dir of that build>] [--version <v>]
 * `--package` links another checkout's build as `pulumi-ccluster` (e.g. a worktree of the release tag).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator } from "../emulator";
import { runPulumi, TEST_PASSPHRASE } from "./engine";
import { createTestProject, emulatorStackConfig, linkDependencies, repoRoot } from "./project";

/** Where the recorded project lives: fixed, because a PemFile's state records its absolute path. */
export function recordedProjectDir(version: string): string {
  return join(tmpdir(), `ccluster-recorded-${version}`);
}

/** The recorded stack: every kind, auto-named and named, with secrets in secret config. */
export function recordedResources(sshPublicKey: string) {
  return [
    { kind: "BearerToken", name: "tok", args: { rotationDays: 30 } },
    { kind: "BearerToken", name: "brought", args: { key: "recorded-brought" }, secretArgs: { value: "recorded-brought-token-0123456789" } },
    { kind: "ServerlessApiKey", name: "sk", args: {} },
    { kind: "RegistryCredential", name: "reg", args: { username: "AWS", imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" }, secretArgs: { password: "recorded-registry-pass" } },
    { kind: "EnvironmentVariable", name: "env", args: { key: "RECORDED_MODEL" }, secretArgs: { value: "recorded-env-value" } },
    { kind: "EnvironmentVariable", name: "env-auto", args: {}, secretArgs: { value: "recorded-env-auto-value" } },
    { kind: "HuggingFaceToken", name: "hf", args: { rotationDays: 90 }, secretArgs: { value: "hf_" + "r".repeat(34) } },
    { kind: "SshKey", name: "ssh", args: { publicKey: sshPublicKey } },
    { kind: "Certificate", name: "cert", args: { validityDays: 3650, earlyRenewalDays: 30 } },
    { kind: "PemFile", name: "pem", args: { pemFor: "cert", path: "certs/cert.pem" } },
    { kind: "aigateway.AuthToken", name: "gw", args: { gateway: "recorded-gateway", requestsPerMinute: 60 } },
  ];
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const packageDir = resolve(arg("--package") ?? repoRoot);
  const version = arg("--version") ?? JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
  const out = join(repoRoot, "test", "e2e", "fixtures", "recorded", version);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const dataDir = join(out, "emulator-data");
  const emu = await startEmulator({ dataDir });
  const keyFile = join(tmpdir(), `recorded-ssh-${process.pid}`);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "recorded", "-f", keyFile]);
  const resources = recordedResources(readFileSync(`${keyFile}.pub`, "utf8").trim());
  rmSync(keyFile, { force: true });
  rmSync(`${keyFile}.pub`, { force: true });

  const project = await createTestProject({ source: join(repoRoot, "test", "e2e", "fixtures", "declared"), packageDir, config: emulatorStackConfig(emu.info) });
  try {
    // Lay the project out at the fixed path the upgrade test will use again.
    const dir = recordedProjectDir(version);
    rmSync(dir, { recursive: true, force: true });
    cpSync(project.dir, dir, { recursive: true });
    linkDependencies(dir);
    rmSync(join(dir, "node_modules", "pulumi-ccluster"), { force: true });
    symlinkSync(packageDir, join(dir, "node_modules", "pulumi-ccluster"));
    const env = { ...project.env, PWD: dir, PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE };
    const shapes = resources.map((r) => ({ ...r, secretArgs: Object.keys(r.secretArgs ?? {}) }));
    const values = Object.fromEntries(resources.flatMap((r) => Object.entries(r.secretArgs ?? {}).map(([k, v]) => [`${r.name}.${k}`, v])));
    const pulumi = async (...args: string[]) => {
      const r = await runPulumi([...args, "--stack", "test", "--non-interactive"], { cwd: dir, env });
      if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    await pulumi("config", "set", "resources", JSON.stringify(shapes));
    await pulumi("config", "set", "--secret", "secretValues", JSON.stringify(values));
    await pulumi("up", "--yes", "--skip-preview");
    writeFileSync(join(out, "stack.json"), await pulumi("stack", "export"));
    cpSync(join(dir, "Pulumi.test.yaml"), join(out, "Pulumi.test.yaml"));
    writeFileSync(join(out, "README.md"), `Stack recorded with pulumi-ccluster ${version} by scripts/record-stack.ts (secrets encrypted with the test passphrase); used by test/e2e/upgrade.test.ts.\n`);
    console.log(`recorded ${resources.length} resources of ${version} in ${out}`);
    rmSync(dir, { recursive: true, force: true });
  } finally {
    await project.cleanup();
    await emu.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

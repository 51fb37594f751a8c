/**
 * Certificate generation throughput: how many CA + client certificate + client key
 * "triplets" per second one core makes, sequentially, for each key algorithm of
 * provider/certificates, next to the alternatives measured in the same run:
 *
 * - node-forge RSA-2048, the library a Node user would reach for (it cannot make ECDSA
 *   certificates), as the baseline every ratio is relative to;
 * - the openssl CLI, spawned per step (CA, client key + request, signing), for P-384 and RSA-2048.
 *
 * Every experiment makes the same triplet: a self-signed CA with BasicConstraints CA=true and
 * keyCertSign/cRLSign, a client certificate with clientAuth issued by it, and the client key as
 * unencrypted PKCS#8 PEM. The last triplet of each experiment is checked (parsed and verified
 * with Node's X509Certificate), so a broken generator cannot post a good number.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/certificates.js`
 * Environment: CCLUSTER_BENCH_SECONDS (time box per experiment, default 3),
 * CCLUSTER_BENCH_ONLY (comma-separated substrings of experiment names to run).
 */
import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import forge from "node-forge";
import { generateCertificates, KEY_ALGORITHMS, type KeyAlgorithm } from "../provider/certificates";

/** PEM output of one triplet. */
interface Triplet {
  ca: string;
  client: string;
  key: string;
}

interface Experiment {
  name: string;
  run: () => Promise<Triplet> | Triplet;
  /** Untimed runs first (JIT, lazy loading). */
  warmup: number;
  /** Runs at least this many times, even past the time box. */
  minIterations: number;
  /** Stops after this many runs, even inside the time box. */
  maxIterations: number;
}

export interface Result {
  name: string;
  samplesMs: number[];
  meanMs: number;
  /** Half-width of the 95% confidence interval of the mean, relative to it. */
  tolerance: number;
}

export const BASELINE = "node-forge RSA-2048";
let opensslPath = "openssl";

function findOpenssl(): string {
  try {
    return execFileSync("sh", ["-c", "command -v openssl"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("the openssl experiments need the openssl CLI on PATH (Debian: apt-get install openssl)");
  }
}
const DAY_MS = 86_400_000;

function budgetMs(): number {
  const raw = process.env.CCLUSTER_BENCH_SECONDS;
  const seconds = raw === undefined ? 3 : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`CCLUSTER_BENCH_SECONDS must be a positive number of seconds (got ${raw})`);
  return seconds * 1000;
}

/** 128-bit positive serial as hex (same shape as the library's). */
function serialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString("hex");
}

// ---------------------------------------------------------------- experiments

function ours(algorithm: KeyAlgorithm): Experiment["run"] {
  return async () => {
    const certs = await generateCertificates({ name: "bench", algorithm });
    return { ca: certs.caCertificatePem, client: certs.clientCertificatePem, key: certs.clientPrivateKeyPem };
  };
}

function forgeRsa2048(): Triplet {
  const { pki } = forge;
  const caKeys = pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const clientKeys = pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const now = Date.now();

  const ca = pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serialHex();
  ca.validity.notBefore = new Date(now - 5 * 60_000);
  ca.validity.notAfter = new Date(now + 365 * DAY_MS);
  const caName = [{ name: "commonName", value: "ca.bench.user.centml.ai" }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const client = pki.createCertificate();
  client.publicKey = clientKeys.publicKey;
  client.serialNumber = serialHex();
  client.validity.notBefore = ca.validity.notBefore;
  client.validity.notAfter = ca.validity.notAfter;
  client.setSubject([{ name: "commonName", value: "client.bench.user.centml.ai" }]);
  client.setIssuer(ca.subject.attributes);
  client.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  client.sign(caKeys.privateKey, forge.md.sha256.create());

  const pkcs8 = pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(clientKeys.privateKey));
  return { ca: pki.certificateToPem(ca), client: pki.certificateToPem(client), key: pki.privateKeyInfoToPem(pkcs8) };
}

/** The openssl CLI's key and digest options for one of our algorithms, so each row has an openssl twin. */
function opensslKeyOptions(algorithm: KeyAlgorithm): { keyType: "ec" | "rsa"; newKey: string[]; digest: string } {
  if (algorithm.startsWith("ECDSA_")) {
    const curve = algorithm === "ECDSA_P256" ? "P-256" : "P-384";
    return { keyType: "ec", newKey: ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${curve}`], digest: curve === "P-256" ? "-sha256" : "-sha384" };
  }
  return { keyType: "rsa", newKey: ["-newkey", `rsa:${algorithm.slice(4)}`], digest: "-sha256" };
}

function opensslCli(algorithm: KeyAlgorithm, workDir: string): Experiment["run"] {
  const { keyType, newKey, digest } = opensslKeyOptions(algorithm);
  const config = path.join(workDir, `openssl-${algorithm}.cnf`);
  fs.writeFileSync(
    config,
    [
      "[req]",
      "distinguished_name = dn",
      "[dn]",
      "[ca]",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
      "[client]",
      "basicConstraints = critical, CA:FALSE",
      `keyUsage = critical, digitalSignature${keyType === "rsa" ? ", keyEncipherment" : ""}`,
      "extendedKeyUsage = clientAuth",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"),
  );
  const file = (name: string) => path.join(workDir, `${algorithm}-${name}`);
  const run = (args: string[]) => execFileSync(opensslPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  return () => {
    run(["req", "-x509", "-config", config, "-extensions", "ca", ...newKey, "-nodes", digest, "-days", "365",
      "-subj", "/CN=ca.bench.user.centml.ai", "-set_serial", `0x${serialHex()}`, "-keyout", file("ca.key"), "-out", file("ca.pem")]);
    run(["req", "-new", "-config", config, ...newKey, "-nodes", "-subj", "/CN=client.bench.user.centml.ai",
      "-keyout", file("client.key"), "-out", file("client.csr")]);
    run(["x509", "-req", "-in", file("client.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-set_serial", `0x${serialHex()}`,
      "-days", "365", digest, "-extfile", config, "-extensions", "client", "-out", file("client.pem")]);
    return { ca: fs.readFileSync(file("ca.pem"), "utf8"), client: fs.readFileSync(file("client.pem"), "utf8"), key: fs.readFileSync(file("client.key"), "utf8") };
  };
}

/** Throws unless the triplet is a CA, a client certificate it issued, and a PKCS#8 key. */
function check(name: string, triplet: Triplet): void {
  const ca = new X509Certificate(triplet.ca);
  const client = new X509Certificate(triplet.client);
  const ok = ca.ca && !client.ca && client.checkIssued(ca) && client.verify(ca.publicKey) && triplet.key.startsWith("-----BEGIN PRIVATE KEY-----");
  if (!ok) throw new Error(`${name} produced an invalid triplet`);
}

// ---------------------------------------------------------------- runner

/** Two-sided 95% Student t for n-1 degrees of freedom (n samples); 1.96 beyond the table. */
function tCritical(samples: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  return table[samples - 2] ?? (samples > table.length + 1 ? 1.96 : Number.NaN);
}

async function measure(experiment: Experiment, budget: number): Promise<Result> {
  let last: Triplet | undefined;
  for (let i = 0; i < experiment.warmup; i++) last = await experiment.run();
  const samplesMs: number[] = [];
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  while (samplesMs.length < experiment.maxIterations && (samplesMs.length < experiment.minIterations || elapsedMs() < budget)) {
    const t0 = process.hrtime.bigint();
    last = await experiment.run();
    samplesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  check(experiment.name, last!);
  const n = samplesMs.length;
  const meanMs = samplesMs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? samplesMs.reduce((a, b) => a + (b - meanMs) ** 2, 0) / (n - 1) : Number.NaN;
  const tolerance = (tCritical(n) * Math.sqrt(variance / n)) / meanMs;
  return { name: experiment.name, samplesMs, meanMs, tolerance };
}

function table(results: Result[]): string {
  const baseline = results.find((r) => r.name === BASELINE);
  const rows = [...results]
    .sort((a, b) => b.meanMs - a.meanMs)
    .map((r) => [
      r.name,
      (1000 / r.meanMs).toFixed(r.meanMs > 100 ? 2 : 1),
      r.meanMs.toFixed(r.meanMs > 100 ? 0 : 2),
      Number.isNaN(r.tolerance) ? "n/a" : `±${(r.tolerance * 100).toFixed(1)} %`,
      String(r.samplesMs.length),
      baseline ? `${(baseline.meanMs / r.meanMs).toFixed(2)}x` : "n/a",
    ]);
  const header = ["Experiment", "Triplets/s", "ms/triplet", "Tolerance (95%)", "Samples", `Speed vs ${BASELINE}`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Runs the experiments whose names contain one of `only` (all when absent), each for `budget` ms. */
export async function certificateExperiments(budget: number, only?: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<Result[]> {
  opensslPath = findOpenssl();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ccluster-bench-certs-"));

  // RSA key generation dominates and varies a lot (prime search): fewer, longer samples.
  const slow = (bits: number) => (bits >= 3072 ? { warmup: 0, minIterations: 3, maxIterations: bits >= 4096 ? 8 : 20 } : { warmup: 1, minIterations: 5, maxIterations: 10_000 });
  const slowFor = (algorithm: KeyAlgorithm) => slow(algorithm.startsWith("RSA_") ? Number(algorithm.slice(4)) : 0);
  const experiments: Experiment[] = [
    ...KEY_ALGORITHMS.map((algorithm) => ({
      name: `ccluster ${algorithm}`,
      run: ours(algorithm),
      ...slowFor(algorithm),
    })),
    { name: BASELINE, run: forgeRsa2048, ...slow(2048) },
    ...KEY_ALGORITHMS.map((algorithm) => ({
      name: `openssl CLI ${algorithm}`,
      run: opensslCli(algorithm, workDir),
      ...slowFor(algorithm),
    })),
  ].filter((e) => !only || only.some((needle) => e.name.toLowerCase().includes(needle)));

  const results: Result[] = [];
  try {
    for (const experiment of experiments) {
      log(`running ${experiment.name} ...`);
      results.push(await measure(experiment, budget));
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<void> {
  const budget = budgetMs();
  const only = process.env.CCLUSTER_BENCH_ONLY?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const results = await certificateExperiments(budget, only);
  const opensslVersion = execFileSync(opensslPath, ["version"], { encoding: "utf8" }).trim();
  console.log(`Node ${process.version}, ${opensslVersion}, ${os.cpus()[0]?.model ?? "unknown CPU"}`);
  console.log(`one core, sequential; time box ${budget / 1000} s per experiment (CCLUSTER_BENCH_SECONDS)\n`);
  console.log(table(results));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

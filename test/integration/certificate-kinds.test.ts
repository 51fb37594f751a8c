/**
 * Certificate and PemFile through their dynamic providers: bring-your-own CA, renewal in diff,
 * and every bad input (a CA that is not one or has expired, a path or mode a PemFile cannot use)
 * refused with a clear error and nothing half-created.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { generateCertificates } from "../../provider/certificates";
import { makeResourceProvider } from "../../provider/framework/lifecycle";
import { kindByName } from "../../provider/registry";
import { clientsFor, providerConfigFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
const dir = mkdtempSync(join(tmpdir(), "certkinds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let clock = new Date();

function providerFor(typeName: string): dynamic.ResourceProvider {
  const p = makeResourceProvider(kindByName(typeName), { now: () => clock });
  void p.configure(providerConfigFor(emu()));
  return p;
}

async function failures(typeName: string, news: Record<string, unknown>) {
  const autoName = typeName === "PemFile" ? {} : { autoNamePrefix: "c" };
  return (await providerFor(typeName).check!({}, { ...autoName, ...news })).failures ?? [];
}

describe("Certificate: bad input is refused in check, before anything is created", () => {
  test.each([
    [{ validityDays: 0 }, "validityDays", "validityDays must be a whole number of days from 1 to 3650"],
    [{ validityDays: 36500 }, "validityDays", "from 1 to 3650 (got 36500)"],
    [{ algorithm: "DSA_1024" }, "algorithm", 'Certificate.algorithm must be one of "ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096"'],
    [{ key: "bad name!" }, "key", "Certificate.key must be letters, digits"],
    [{ caCertificatePem: "not a pem" }, "caCertificatePem", "caCertificatePem"],
  ])("%j → %s", async (input, property, reason) => {
    const before = (await clientsFor(emu()).vault().list()).length;
    const f = await failures("Certificate", input);
    expect(f).toEqual([{ property, reason: expect.stringContaining(reason) }]);
    expect((await clientsFor(emu()).vault().list()).length).toBe(before);
  });

  test("a leaf certificate passed as the CA is refused as not a CA", async () => {
    const leaf = (await generateCertificates({ name: "leaf" })).clientCertificatePem;
    expect(await failures("Certificate", { caCertificatePem: leaf })).toEqual([{ property: "caCertificatePem", reason: expect.stringMatching(/not a CA|CA=true/) }]);
  });

  test("an expired CA is refused, naming the rule", async () => {
    const old = await generateCertificates({ name: "old", validityDays: 1, now: new Date(Date.now() - 400 * 86_400_000) });
    expect(await failures("Certificate", { caCertificatePem: old.caCertificatePem })).toEqual([{ property: "caCertificatePem", reason: expect.stringContaining("expired") }]);
  });
});

test("a brought CA is stored as it is, and has no client key", async () => {
  const p = providerFor("Certificate");
  const ca = await generateCertificates({ name: "brought" });
  const inputs = (await p.check!({}, { autoNamePrefix: "byo", caCertificatePem: ca.caCertificatePem })).inputs;
  const { id, outs } = await p.create(inputs);
  expect((await clientsFor(emu()).vault().get(Number(id))).value).toBe(ca.caCertificatePem);
  expect(outs.clientPrivateKeyPem).toBeUndefined();
  expect(outs.notAfter).toBe(ca.notAfter);
  await p.delete!(id, outs);
});

test("renewal: a plain diff replaces the certificate once within earlyRenewalDays of notAfter, and always once expired", async () => {
  const p = providerFor("Certificate");
  clock = new Date();
  const inputs = (await p.check!({}, { autoNamePrefix: "renew", validityDays: 60, earlyRenewalDays: 20 })).inputs;
  const { id, outs } = await p.create(inputs);
  clock = new Date(Date.parse(outs.notAfter) - 21 * 86_400_000);
  expect(await p.diff!(id, outs, inputs)).toMatchObject({ changes: false });
  clock = new Date(Date.parse(outs.notAfter) - 19 * 86_400_000);
  // Auto-named: the renewed certificate gets a new name, so it is made before the old one goes.
  expect(await p.diff!(id, outs, inputs)).toMatchObject({ changes: true, replaces: ["earlyRenewalDays"], deleteBeforeReplace: false });
  // Named: the vault keeps one certificate per name, so the old one goes first.
  const named = (await p.check!({}, { key: outs.key, validityDays: 60, earlyRenewalDays: 20 })).inputs;
  expect(await p.diff!(id, outs, named)).toMatchObject({ changes: true, replaces: ["earlyRenewalDays"], deleteBeforeReplace: true });
  clock = new Date(Date.parse(outs.notAfter) + 1000);
  expect(await p.diff!(id, outs, { ...inputs, earlyRenewalDays: 0 })).toMatchObject({ replaces: ["earlyRenewalDays"] });
  clock = new Date();
  await p.delete!(id, outs);
});

describe("PemFile: a folder that cannot hold the file is a clear create error, and nothing is left behind", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  test("a parent that is a regular file: refused in check (so preview fails first), and by create too", async () => {
    const p = providerFor("PemFile");
    writeFileSync(join(dir, "a-file"), "x");
    const target = join(dir, "a-file", "sub", "x.pem");
    expect(await failures("PemFile", { path: target, pem })).toEqual([
      { property: "path", reason: `PemFile.path cannot be created: ${join(dir, "a-file")} is a file, not a folder` },
    ]);
    await expect(p.create({ path: target, pem, contents: "combined", filePermission: "0600", overwrite: false })).rejects.toMatchObject({
      code: "CCLUSTER_PEMFILE_PARENT_UNCREATABLE",
    });
    expect(readdirSync(dir)).toEqual(["a-file"]);
  });

  test("a folder at the path, or a folder nobody may write to, is refused in check", async () => {
    expect(await failures("PemFile", { path: dir, pem })).toEqual([{ property: "path", reason: `PemFile.path is a folder, not a file: ${dir}` }]);
    if (process.getuid?.() === 0) return; // root may write anywhere; the sysfs case below covers create
    const locked = mkdtempSync(join(dir, "locked-"));
    chmodSync(locked, 0o500);
    expect(await failures("PemFile", { path: join(locked, "x.pem"), pem })).toEqual([
      { property: "path", reason: `PemFile.path cannot be created: the folder ${locked} is not writable` },
    ]);
  });

  test("an unwritable folder (sysfs refuses new files even to root)", async () => {
    const p = providerFor("PemFile");
    const inputs = (await p.check!({}, { path: "/sys/kernel/ccluster-test.pem", pem })).inputs;
    await expect(p.create(inputs)).rejects.toMatchObject({ code: expect.stringMatching(/CCLUSTER_PEMFILE_(UNWRITABLE|IO)/) });
  });

  test("a bad mode is refused in check", async () => {
    expect(await failures("PemFile", { path: "x.pem", pem, filePermission: "777x" })).toEqual([
      { property: "filePermission", reason: 'PemFile.filePermission must be an octal mode such as "0600" (got "777x")' },
    ]);
  });

  test("a file it did not write is not overwritten unless told to", async () => {
    const p = providerFor("PemFile");
    const target = join(dir, "theirs.pem");
    writeFileSync(target, "someone else's");
    const inputs = (await p.check!({}, { path: target, pem })).inputs;
    await expect(p.create(inputs)).rejects.toMatchObject({ code: "CCLUSTER_PEMFILE_REFUSED_OVERWRITE" });
    const forced = await p.create({ ...inputs, overwrite: true });
    expect(forced.outs.pemSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(forced.outs.pem).toBeUndefined(); // state keeps the hash only
  });
});

test("PemFile: refresh reports an edited file without making the edit its own; destroy then leaves the edit, up restores ours", async () => {
  const p = providerFor("PemFile");
  const target = join(dir, "edited.pem");
  const pem = (await generateCertificates({ name: "edited" })).combinedPem;
  const inputs = (await p.check!({}, { path: target, pem })).inputs;
  const { id, outs } = await p.create(inputs);
  expect(outs.fileSha256).toBe(outs.pemSha256);
  expect(await p.diff!(id, outs, inputs)).toMatchObject({ changes: false });

  writeFileSync(target, "edited by hand\n");
  const refreshed = (await p.read!(id, outs)).props!;
  expect(refreshed.pemSha256).toBe(outs.pemSha256);
  expect(refreshed.fileSha256).not.toBe(outs.pemSha256);
  expect(await p.diff!(id, refreshed, inputs)).toMatchObject({ changes: true, replaces: [] });

  await p.delete!(id, refreshed); // a destroy right after the refresh
  expect(readFileSync(target, "utf8")).toBe("edited by hand\n");

  const repaired = (await p.update!(id, refreshed, inputs)).outs!;
  expect(readFileSync(target, "utf8")).toBe(pem);
  expect(repaired.fileSha256).toBe(repaired.pemSha256);
  await p.delete!(id, { ...refreshed, ...repaired });
  expect(existsSync(target)).toBe(false);
});

test("a brought CA is never renewed here (its key is elsewhere), even inside earlyRenewalDays", async () => {
  const p = providerFor("Certificate");
  clock = new Date();
  const ca = await generateCertificates({ name: "brought-short", validityDays: 40 });
  const inputs = (await p.check!({}, { autoNamePrefix: "byo-short", caCertificatePem: ca.caCertificatePem })).inputs;
  const { id, outs } = await p.create(inputs);
  clock = new Date(Date.parse(outs.notAfter) - 5 * 86_400_000);
  expect(await p.diff!(id, outs, inputs)).toMatchObject({ changes: false, replaces: [] });
  clock = new Date();
  await p.delete!(id, outs);
});

test("a validity shorter than the default early renewal says that 30 days is the default", async () => {
  expect(await failures("Certificate", { validityDays: 30 })).toEqual([
    {
      property: "earlyRenewalDays",
      reason: "Certificate.earlyRenewalDays must be less than validityDays (got 30 and 30) (30 is its default; set it lower for a certificate this short-lived)",
    },
  ]);
  expect(await failures("Certificate", { validityDays: 30, earlyRenewalDays: 7 })).toEqual([]);
});

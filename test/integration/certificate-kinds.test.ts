/**
 * Certificate and PemFile through their dynamic providers: bring-your-own CA, renewal in diff,
 * and every bad input of issue 4 refused with a clear error and nothing half-created.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { generateCertificates } from "../../provider/certificates";
import { makeResourceProvider } from "../../provider/framework/lifecycle";
import { kindByName } from "../../provider/registry";
import { clientsFor, settingsFor, useEmulator } from "../support/emulator";

const emu = useEmulator();
const dir = mkdtempSync(join(tmpdir(), "certkinds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let clock = new Date();

function providerFor(typeName: string): dynamic.ResourceProvider {
  const p = makeResourceProvider(kindByName(typeName), { now: () => clock });
  const s = settingsFor(emu());
  const config: Record<string, string | undefined> = { "ccluster:apiUrl": s.apiUrl, "ccluster:token": s.token };
  void p.configure!({ config: { get: (k: string) => config[k], require: (k: string) => config[k]! } });
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
  expect(await p.diff!(id, outs, inputs)).toMatchObject({ changes: true, replaces: ["earlyRenewalDays"], deleteBeforeReplace: true });
  clock = new Date(Date.parse(outs.notAfter) + 1000);
  expect(await p.diff!(id, outs, { ...inputs, earlyRenewalDays: 0 })).toMatchObject({ replaces: ["earlyRenewalDays"] });
  clock = new Date();
  await p.delete!(id, outs);
});

describe("PemFile: a folder that cannot hold the file is a clear create error, and nothing is left behind", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  test("a parent that is a regular file", async () => {
    const p = providerFor("PemFile");
    writeFileSync(join(dir, "a-file"), "x");
    const inputs = (await p.check!({}, { path: join(dir, "a-file", "sub", "x.pem"), pem })).inputs;
    await expect(p.create(inputs)).rejects.toMatchObject({ code: "CCLUSTER_PEMFILE_PARENT_UNCREATABLE" });
    expect(readdirSync(dir)).toEqual(["a-file"]);
  });

  test("an unwritable folder (sysfs refuses new files even to root)", async () => {
    const p = providerFor("PemFile");
    const inputs = (await p.check!({}, { path: "/sys/kernel/ccluster-test.pem", pem })).inputs;
    await expect(p.create(inputs)).rejects.toMatchObject({ code: expect.stringMatching(/CCLUSTER_PEMFILE_(UNWRITABLE|IO)/) });
  });

  test("a bad mode is refused in check", async () => {
    expect(await failures("PemFile", { path: "x.pem", pem, filePermission: "777x" })).toEqual([
      { property: "filePermission", reason: 'PemFile.filePermission must be an octal mode such as "0600"' },
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

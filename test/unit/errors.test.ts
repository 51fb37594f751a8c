/** The error catalogue: every code unique and documented, the README's table generated from it, converted errors carrying their code. */
import { readFileSync } from "node:fs";
import * as providerEntry from "../../provider";
import { errorCatalogue, errorCodeFamilies, ErrorCodes, isProviderError, PlatformError, ProviderError, ProviderErrorCodes } from "../../provider/errors";
import { classifyRegistryHost, registryOfImage } from "../../provider/formats/container-registry";
import { lookupItem } from "../../provider/lookups";
import { kindByName } from "../../provider/registry";
import { docFiles, errorTable } from "../../scripts/docs";

const familyCodes = Object.values(errorCodeFamilies).flatMap((family) => Object.values(family) as string[]);

test("every code of every family is unique, and the catalogue documents each of them (meaning and action) and nothing else", () => {
  expect(new Set(familyCodes).size).toBe(familyCodes.length);
  expect(Object.keys(errorCatalogue).sort()).toEqual([...familyCodes].sort());
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    expect(code).toMatch(/^CCLUSTER_(ERR|CERT|PEMFILE)_[A-Z_]+$/);
    expect({ code, meaning: entry.meaning.length > 10, action: entry.action.length > 5 }).toEqual({ code, meaning: true, action: true });
  }
});

test("the codes users match on keep their values", () => {
  expect(ErrorCodes.CONFLICT).toBe("CCLUSTER_ERR_CONFLICT");
  expect(errorCodeFamilies.certificate.EXPIRED).toBe("CCLUSTER_CERT_EXPIRED");
  expect(errorCodeFamilies.pemFile.REFUSED_OVERWRITE).toBe("CCLUSTER_PEMFILE_REFUSED_OVERWRITE");
});

test("the README's troubleshooting section holds the table the catalogue generates, one row per code (run `npm run docs` after changing it)", () => {
  const readme = readFileSync(docFiles.readme, "utf8");
  const section = readme.slice(readme.indexOf("<!-- errors:start"), readme.indexOf("<!-- errors:end -->"));
  expect(section).toContain(errorTable());
  for (const code of familyCodes) expect(section).toContain(`| \`${code}\` |`);
});

test("a ProviderError's message starts with its code in brackets, as a PlatformError's does", () => {
  const e = new ProviderError(ProviderErrorCodes.LOOKUP, "getItem: nothing");
  expect(e.message).toBe("[CCLUSTER_ERR_LOOKUP] getItem: nothing");
  expect(e.summary).toBe("getItem: nothing");
  expect(new PlatformError("nothing", { code: ErrorCodes.NOT_FOUND }).message).toBe("[CCLUSTER_ERR_NOT_FOUND] nothing");
});

test("converted errors carry their code and keep their wording: an unknown kind, a bad registry host or image, a lookup asked wrongly", async () => {
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return isProviderError(e) ? { code: e.code, message: e.message } : { code: undefined, message: String(e) };
    }
    throw new Error("did not throw");
  };
  expect(codeOf(() => kindByName("Nope"))).toEqual({ code: "CCLUSTER_ERR_UNKNOWN_KIND", message: expect.stringMatching(/^\[CCLUSTER_ERR_UNKNOWN_KIND\] pulumi-ccluster has no resource kind "Nope" \(known: BearerToken, /) });
  expect(codeOf(() => classifyRegistryHost("not a host"))).toEqual({ code: "CCLUSTER_ERR_BAD_REGISTRY", message: expect.stringContaining('"not a host" is not a registry host name') });
  expect(codeOf(() => registryOfImage("has space/x")).code).toBe("CCLUSTER_ERR_BAD_REGISTRY");
  const config = { get: (k: string) => ({ "ccluster:apiUrl": "http://127.0.0.1:9", "ccluster:token": "unit-test-token" })[k] };
  await expect(lookupItem({}, config)).rejects.toMatchObject({ code: "CCLUSTER_ERR_LOOKUP", message: "[CCLUSTER_ERR_LOOKUP] getItem: give either id, or type and key" });
});

test("pulumi-ccluster/provider exports what the README says it does: the codes, the catalogue, the error classes, the certificate and PEM file functions", () => {
  const readme = readFileSync(docFiles.readme, "utf8");
  const paragraph = readme.slice(readme.indexOf("Programs that call the libraries directly"), readme.indexOf("## Why these dependencies"));
  // Every name in backquotes but the `code` property.
  const named = [...paragraph.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]).filter((n) => n !== "code");
  expect(named).toEqual(expect.arrayContaining(["ErrorCodes", "ProviderErrorCodes", "CertificateErrorCodes", "PemFileErrorCodes", "errorCatalogue", "generateCertificates", "validateCaCertificate"]));
  const exported = providerEntry as Record<string, unknown>;
  expect(named.filter((n) => exported[n] === undefined)).toEqual([]);
  expect(exported.ErrorCodes).toBe(ErrorCodes);
});

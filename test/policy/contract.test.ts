/**
 * The pack keeps its own copy of the resource contract (policy/types.ts), so that a provider
 * regression cannot silence a rule. The copy must still be the provider's declarations
 * (provider/registry.ts, provider/kinds/): checked here in both directions, so that a kind, a
 * secret output, a default or a vault type added or changed on either side fails until the other
 * agrees.
 */
import { z } from "zod";
import { ALL_KINDS, INPUT_DEFAULTS, PLUGIN_TYPES, RESOURCE_TYPES, SECRET_OUTPUTS, VAULT_KINDS, VAULT_TYPES } from "../../policy/types";
import { pluginTypeToken, secretOutputNames, typeToken, type KindDeclaration } from "../../provider/framework/declaration";
import { kinds } from "../../provider/registry";

const byName = <T>(entries: [string, T][]): Record<string, T> => Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
const sorted = (names: readonly string[]) => [...names].sort();

/** The defaults a declaration's inputs apply when a program leaves them out (as schema.json shows them). */
function declaredDefaults(d: KindDeclaration): Record<string, unknown> {
  const js = z.toJSONSchema(d.inputs, { io: "input", unrepresentable: "any" }) as { properties: Record<string, { default?: unknown }> };
  return Object.fromEntries(Object.entries(js.properties).flatMap(([name, p]) => (p.default === undefined ? [] : [[name, p.default]])));
}

const declaration = (typeName: string) => kinds.find((d) => d.typeName === typeName)!;

test("the pack knows every kind the provider declares, and no other: the same names and both type tokens", () => {
  expect(byName(ALL_KINDS.map((k) => [k, [RESOURCE_TYPES[k], PLUGIN_TYPES[k]]]))).toEqual(byName(kinds.map((d) => [d.typeName, [typeToken(d), pluginTypeToken(d)]])));
});

test("the pack's secret outputs of each kind are exactly the outputs the provider declares secret", () => {
  expect(byName(Object.entries(SECRET_OUTPUTS).map(([k, names]) => [k, sorted(names)]))).toEqual(byName(kinds.map((d) => [d.typeName, sorted(secretOutputNames(d))])));
});

test("the pack's vault kinds are the provider's, with the vault type each writes", () => {
  // A vault kind has a visibility (USER or ORG) and says which vault type it writes.
  const provider = kinds.filter((d) => "visibility" in declaredDefaults(d));
  const vaultType = (d: KindDeclaration) => /^vault item, type `([a-z_]+)`/.exec(d.platformObject)?.[1];
  expect(byName(provider.map((d) => [d.typeName, vaultType(d)]))).toEqual(byName(VAULT_KINDS.map((k) => [k, VAULT_TYPES[k]])));
});

test("every default the pack applies is the one the provider declares", () => {
  for (const kind of VAULT_KINDS) expect({ kind, visibility: declaredDefaults(declaration(kind)).visibility }).toEqual({ kind, visibility: INPUT_DEFAULTS.visibility });
  const certificate = declaredDefaults(declaration("Certificate"));
  expect(INPUT_DEFAULTS.certificate).toEqual({ algorithm: certificate.algorithm, validityDays: certificate.validityDays, earlyRenewalDays: certificate.earlyRenewalDays });
  expect(INPUT_DEFAULTS.pemFile).toEqual({ filePermission: declaredDefaults(declaration("PemFile")).filePermission });
});

test("every default the provider declares is either in the pack's copy or one that no rule reads", () => {
  // Defaults no rule looks at: whether an item is adopted, a generated token's length, the
  // certificate's DNS domain, and what a PemFile holds and whether it may replace a file.
  const unread = new Set(["adoptExisting", "BearerToken.length", "Certificate.domain", "PemFile.contents", "PemFile.overwrite"]);
  const copied = new Set(["visibility", ...Object.keys(INPUT_DEFAULTS.certificate).map((p) => `Certificate.${p}`), ...Object.keys(INPUT_DEFAULTS.pemFile).map((p) => `PemFile.${p}`)]);
  const declared = kinds.flatMap((d) => Object.keys(declaredDefaults(d)).map((p) => [p, `${d.typeName}.${p}`]));
  const uncovered = declared.filter(([p, qualified]) => ![p, qualified].some((n) => copied.has(n) || unread.has(n))).map(([, qualified]) => qualified);
  expect(uncovered).toEqual([]);
});

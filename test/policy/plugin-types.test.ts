/**
 * The pack on the provider plugin's resources (`ccluster:index:<Type>`, from YAML, Python, Go):
 * the tokens agree with the provider's, and a rule fires on a plugin resource as on the dynamic
 * one with the same properties. secret-outputs leaves them to the plugin, which marks secrets itself.
 */
import { ALL_KINDS, isKind, isPackageModuleType, kindOfType, PLUGIN_TYPES, RESOURCE_TYPES, type Kind } from "../../policy/types";
import { pluginTypeToken, typeToken } from "../../provider/framework/declaration";
import { kindByName } from "../../provider/registry";
import { compliantResources, messages, packRunner } from "./fixtures";
import type { TestResource } from "./harness";

/** The same resource as the provider plugin declares it: its token, no resource options. */
const asPlugin = (r: TestResource): TestResource => ({ ...r, type: PLUGIN_TYPES[kindOfType(r.type)!], opts: {} });

it.each(ALL_KINDS)("%s: both of the pack's tokens are the provider's", (kind) => {
  const decl = kindByName(kind);
  expect([RESOURCE_TYPES[kind], PLUGIN_TYPES[kind]]).toEqual([typeToken(decl), pluginTypeToken(decl)]);
  expect(kindOfType(PLUGIN_TYPES[kind])).toBe(kind);
  expect(isKind(PLUGIN_TYPES[kind], kind)).toBe(true);
  expect(isPackageModuleType(PLUGIN_TYPES[kind])).toBe(true);
});

it.each(compliantResources().map((r) => [kindOfType(r.type)!, r] as const))("a compliant %s passes as a plugin resource too, without additionalSecretOutputs", async (_kind, r) => {
  expect((await packRunner().analyze(asPlugin(r))).diagnostics).toEqual([]);
});

it("a compliant stack of plugin resources passes the stack rules", async () => {
  expect((await packRunner().analyzeStack(compliantResources().map(asPlugin))).diagnostics).toEqual([]);
});

it.each<[string, Kind, Record<string, unknown>]>([
  ["credential-rotation", "BearerToken", { key: "never-rotated" }],
  ["certificate-validity", "Certificate", { key: "long-lived", validityDays: 800, earlyRenewalDays: 30 }],
  ["org-visibility", "BearerToken", { key: "shared", visibility: "ORG", rotationDays: 30 }],
  ["pem-file-protection", "PemFile", { path: "/tmp/ccluster-policy-test/leaky.pem", filePermission: "0644" }],
])("%s reports a plugin %s with the message it gives the dynamic one", async (rule, kind, props) => {
  const dynamic = { type: RESOURCE_TYPES[kind], name: "r", props, opts: {} };
  const expected = messages(await packRunner().analyze(dynamic), rule);
  expect(expected).toHaveLength(1);
  expect(messages(await packRunner().analyze(asPlugin(dynamic)), rule)).toEqual(expected);
});

it("stack rules count plugin resources: eleven plugin tokens on one gateway break the limit", async () => {
  const tokens = Array.from({ length: 11 }, (_, i) => ({ type: PLUGIN_TYPES.AuthToken, name: `t${i}`, props: { gateway: "gw", name: `t-${i}`, rotationDays: 30 }, opts: {} }));
  expect(messages(await packRunner().analyzeStack(tokens), "gateway-token-limit")).toEqual([expect.stringContaining('AI gateway "gw" has 11 active tokens')]);
});

/** secret-outputs: sensitive outputs are listed in additionalSecretOutputs. */
import { ALL_KINDS, RESOURCE_TYPES, SECRET_OUTPUTS } from "../../policy/types";
import { secretOutputNames } from "../../provider/framework/declaration";
import { kindByName } from "../../provider/registry";
import { messages, packRunner, resource } from "./fixtures";

/** What the SDK class of a kind really passes as additionalSecretOutputs (from the provider's declaration). */
const sdkSecretOutputs = (kind: string) => secretOutputNames(kindByName(kind));

const RULE = "secret-outputs";

describe(RULE, () => {
  it.each(ALL_KINDS)("accepts a %s with the SDK's additionalSecretOutputs", async (kind) => {
    const opts = { additionalSecretOutputs: sdkSecretOutputs(kind) };
    expect(messages(await packRunner().analyze(resource(kind, {}, opts)), RULE)).toEqual([]);
  });

  it.each(ALL_KINDS.filter((k) => SECRET_OUTPUTS[k].length > 0))("blocks a %s that lists no secret outputs", async (kind) => {
    const result = await packRunner().analyze(resource(kind, {}, { additionalSecretOutputs: [] }));
    expect(messages(result, RULE)).toHaveLength(1);
    for (const name of SECRET_OUTPUTS[kind]) expect(messages(result, RULE)[0]).toContain(`"${name}"`);
    expect(result.blocked).toBe(true);
  });

  it("names exactly the missing outputs", async () => {
    const result = await packRunner().analyze(resource("RegistryCredential", { key: "ghcr" }, { additionalSecretOutputs: ["password"] }));
    expect(messages(result, RULE)).toEqual([
      'RegistryCredential "ghcr" does not list "imagePullSecretCredentials" in additionalSecretOutputs, so state could hold it in plain text.',
    ]);
  });

  // The pack keeps its own table on purpose (a regression in the provider must not silence the
  // rule), so this guards that the two agree: a kind that stops marking an output secret fails here.
  it.each(ALL_KINDS)("expects of a %s exactly the outputs its provider declaration marks secret", (kind) => {
    expect([...SECRET_OUTPUTS[kind]].sort()).toEqual(sdkSecretOutputs(kind).sort());
  });

  it("reports a hand-rolled resource in the package's modules that the pack does not know", async () => {
    const stray = { type: "pulumi-nodejs:dynamic/ccluster:DatabasePassword", name: "db", props: { key: "db" } };
    expect(messages(await packRunner().analyze(stray), RULE)).toEqual([
      "pulumi-nodejs:dynamic/ccluster:DatabasePassword is not a kind this policy pack knows, so its secret outputs cannot be verified.",
    ]);
    const runner = packRunner({ [RULE]: { flagUnknownKinds: false } });
    expect(messages(await runner.analyze(stray), RULE)).toEqual([]);
  });

  it("ignores resources outside the package", async () => {
    const result = await packRunner().analyze({ type: "random:index/randomPassword:RandomPassword", name: "p", props: {} });
    expect(result.diagnostics).toEqual([]);
  });

  it("matches resources by their dynamic type token", () => {
    expect(RESOURCE_TYPES.BearerToken).toBe("pulumi-nodejs:dynamic/ccluster:BearerToken");
    expect(RESOURCE_TYPES.AuthToken).toBe("pulumi-nodejs:dynamic/aigateway:AuthToken");
  });
});

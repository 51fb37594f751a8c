/** Rule 5, secret-outputs: sensitive outputs are listed in additionalSecretOutputs. */
import { ALL_KINDS, RESOURCE_TYPES, SECRET_OUTPUTS } from "../../policy/types";
import { messages, packRunner, resource } from "./fixtures";

const RULE = "secret-outputs";

describe(RULE, () => {
  it.each(ALL_KINDS)("accepts a %s with the SDK's additionalSecretOutputs", async (kind) => {
    expect(messages(await packRunner().analyze(resource(kind, {})), RULE)).toEqual([]);
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

  it("holds the table from the resource contract", () => {
    expect(SECRET_OUTPUTS).toMatchObject({
      BearerToken: ["value"],
      HuggingFaceToken: ["value"],
      EnvironmentVariable: ["value"],
      RegistryCredential: ["password", "imagePullSecretCredentials"],
      Certificate: ["clientPrivateKeyPem", "combinedPem"],
      ServerlessApiKey: ["key"],
      AuthToken: ["token"],
      PemFile: ["pem"],
    });
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

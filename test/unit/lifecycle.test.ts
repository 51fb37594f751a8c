/** check and diff of the shared lifecycle, driven through real kind declarations with a movable clock. */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { makeResourceProvider } from "../../provider/framework/lifecycle";
import { authToken } from "../../provider/kinds/aigateway/auth-token";
import { bearerToken } from "../../provider/kinds/bearer-token";
import { environmentVariable } from "../../provider/kinds/environment-variable";
import { huggingFaceToken } from "../../provider/kinds/huggingface-token";
import { serverlessApiKey } from "../../provider/kinds/serverless-api-key";
import type { KindDeclaration } from "../../provider/framework/declaration";

let clock = new Date("2026-01-01T00:00:00Z");
const provider = (d: unknown) => makeResourceProvider(d as KindDeclaration, { now: () => clock });

describe("check", () => {
  test("names the property and the rule, before any API call", async () => {
    const p = provider(environmentVariable);
    const res = await p.check!({}, { key: "1BAD-NAME", value: "" });
    expect(res.failures).toEqual(
      expect.arrayContaining([
        { property: "key", reason: expect.stringContaining("EnvironmentVariable.key must be a POSIX environment variable name") },
        // A secret's failure names no property, so the engine does not print the value.
        { property: "", reason: "EnvironmentVariable.value must be 1–4096 characters (got 0 characters; the value is secret and not shown)" },
      ]),
    );
    const long = await p.check!({}, { key: "A", value: "x".repeat(4097) });
    expect(long.failures).toEqual([{ property: "", reason: "EnvironmentVariable.value must be 1–4096 characters (got 4097 characters; the value is secret and not shown)" }]);
  });

  test("rejects misspelled properties instead of ignoring them", async () => {
    const res = await provider(bearerToken).check!({}, { rotationdays: 3 });
    expect(res.failures).toEqual([{ property: "", reason: "BearerToken.rotationdays is not a property of BearerToken; did you mean rotationDays?" }]);
  });

  test("a Hugging Face token must look like one", async () => {
    const res = await provider(huggingFaceToken).check!({}, { value: "sk-not-hf" });
    expect(res.failures?.[0]).toEqual({ property: "", reason: expect.stringContaining('HuggingFaceToken.value must be a Hugging Face token: "hf_"') });
  });

  test("auto-names once and keeps the name on later checks; applies defaults", async () => {
    const p = provider(bearerToken);
    const first = await p.check!({}, { autoNamePrefix: "Inference Token" });
    expect(first.inputs.key).toMatch(/^inference-token-[0-9a-f]{7}$/);
    expect(first.inputs).toMatchObject({ visibility: "USER", length: 32, adoptExisting: false });
    const again = await p.check!(first.inputs, { autoNamePrefix: "Inference Token" });
    expect(again.inputs.key).toBe(first.inputs.key);
    const env = await provider(environmentVariable).check!({}, { autoNamePrefix: "log-level", value: "x" });
    expect(env.inputs.key).toMatch(/^LOG_LEVEL_[0-9A-F]{7}$/);
  });

  test("values unknown at preview are not judged yet", async () => {
    const res = await provider(environmentVariable).check!({}, { key: "A", value: unknownValue });
    expect(res.failures).toBeUndefined();
    expect(res.inputs.value).toBe(unknownValue);
  });
});

describe("diff", () => {
  const olds = { key: "k", visibility: "USER", length: 32, adoptExisting: false, value: "v1", createdAt: "2026-01-01T00:00:00.000Z" };

  test("no change is no change", async () => {
    const d = await provider(bearerToken).diff!("1", olds, { key: "k", visibility: "USER", length: 32, adoptExisting: false, value: "v1" });
    expect(d).toMatchObject({ changes: false, replaces: [] });
  });

  test("a new value updates in place; a new visibility replaces, deleting first because the key is the same", async () => {
    const p = provider(bearerToken);
    expect(await p.diff!("1", olds, { ...olds, value: "v2" })).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff!("1", olds, { ...olds, visibility: "ORG" })).toMatchObject({ changes: true, replaces: ["visibility"], deleteBeforeReplace: false });
    expect(await p.diff!("1", olds, { ...olds, length: 64 })).toMatchObject({ replaces: ["length"], deleteBeforeReplace: true });
    expect(await p.diff!("1", olds, { ...olds, key: "k2" })).toMatchObject({ replaces: ["key"], deleteBeforeReplace: false });
  });

  test("rotation fires from the clock on a plain up, without a refresh", async () => {
    const p = provider(bearerToken);
    const rotating = { ...olds, rotationDays: 30, expiresAt: "2026-01-31T00:00:00.000Z" };
    clock = new Date("2026-01-30T23:59:00Z");
    expect(await p.diff!("1", rotating, { ...olds, rotationDays: 30 })).toMatchObject({ changes: false });
    clock = new Date("2026-01-31T00:00:01Z");
    expect(await p.diff!("1", rotating, { ...olds, rotationDays: 30 })).toMatchObject({ changes: true, replaces: ["rotationDays"] });
  });

  test("changing a keeper replaces; changing rotationDays alone does not", async () => {
    const p = provider(serverlessApiKey);
    const o = { name: "n", keepers: { v: "1" }, rotationDays: 10, createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2099-01-01T00:00:00.000Z" };
    expect(await p.diff!("id", o, { name: "n", keepers: { v: "2" }, rotationDays: 10 })).toMatchObject({ replaces: ["keepers"] });
    expect(await p.diff!("id", o, { name: "n", keepers: { v: "1" }, rotationDays: 20 })).toMatchObject({ changes: true, replaces: [] });
  });

  test("an input still unknown at preview counts as a change", async () => {
    const d = await provider(bearerToken).diff!("1", olds, { ...olds, value: unknownValue });
    expect(d.changes).toBe(true);
  });
});

describe("regressions", () => {
  test("a generated bearer token (no value input) does not show a change on every up", async () => {
    const olds = { key: "k", visibility: "USER", length: 32, adoptExisting: false, value: "generated-by-create", createdAt: "2026-01-01T00:00:00.000Z" };
    const news = { key: "k", visibility: "USER", length: 32, adoptExisting: false };
    expect(await provider(bearerToken).diff!("1", olds, news)).toMatchObject({ changes: false, replaces: [] });
  });

  test("the resource name is not an input: renaming the Pulumi resource alone changes nothing", async () => {
    const olds = { key: "k", visibility: "USER", length: 32, adoptExisting: false, autoNamePrefix: "old-name" };
    expect(await provider(bearerToken).diff!("1", olds, { ...olds, autoNamePrefix: "new-name" })).toMatchObject({ changes: false });
  });
});

test("regression: a named gateway token rotates by deleting first (names are unique per gateway); a renamed one is created first", async () => {
  const p = provider(authToken);
  const olds = { gateway: "prod-gw", name: "team-a", rotationDays: 30, createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2026-01-31T00:00:00.000Z" };
  clock = new Date("2026-02-01T00:00:00Z");
  expect(await p.diff!("t1", olds, { gateway: "prod-gw", name: "team-a", rotationDays: 30 })).toMatchObject({ replaces: ["rotationDays"], deleteBeforeReplace: true });
  expect(await p.diff!("t1", olds, { gateway: "prod-gw", name: "team-a-2", rotationDays: 30 })).toMatchObject({ deleteBeforeReplace: false });
});

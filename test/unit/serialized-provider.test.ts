/**
 * The serialized provider is stored in every stack's state and later run against newer versions
 * of this package. It must stay tiny and require the implementation by package path.
 */
import * as pulumi from "@pulumi/pulumi";
import { serializedProvider } from "../../sdk/serialized-provider";

test("captures only the kind name and requires pulumi-ccluster/provider at run time", async () => {
  const serialized = await pulumi.runtime.serializeFunction(() => serializedProvider("BearerToken"), { isFactoryFunction: true });
  expect(serialized.text).toContain('require("pulumi-ccluster/provider")');
  expect(serialized.text).toContain('"BearerToken"');
  // Small: no client, no zod, no config, no credentials.
  expect(serialized.text.length).toBeLessThan(4000);
  expect(serialized.text).not.toMatch(/undici|zod|apiUrl|token:/);
});

test("every operation of a stored provider reaches the installed implementation", async () => {
  const ops = Object.keys(serializedProvider("BearerToken")).sort();
  expect(ops).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
});

/**
 * The serialized provider is stored in every stack's state and later run against newer versions
 * of this package. It must stay tiny and require the implementation by package path.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
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

describe("under the runtime (mocked engine)", () => {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  beforeAll(() =>
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    ),
  );

  /** One resource of every kind (two of one), registered; returns what the engine was sent. */
  async function declareEveryKind(): Promise<pulumi.runtime.MockResourceArgs[]> {
    const sdk = await import("../../sdk");
    const made = [
      new sdk.BearerToken("b"),
      new sdk.EnvironmentVariable("e1", { value: "x" }),
      new sdk.EnvironmentVariable("e2", { value: "y" }),
      new sdk.HuggingFaceToken("h", { value: "hf_x" }),
      new sdk.SshKey("s", { publicKey: "ssh-ed25519 AAAA" }),
      new sdk.RegistryCredential("r", { username: "u", password: "p" }),
      new sdk.ServerlessApiKey("k"),
      new sdk.Certificate("c"),
      new sdk.PemFile("p", { pem: "-----BEGIN CERTIFICATE-----", path: "x.pem" }),
      new sdk.aigateway.AuthToken("t", { gateway: "a-gateway" }),
    ];
    await Promise.all(made.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
    return registered.splice(0);
  }

  test("each kind's provider text is the one stacks recorded with 0.1.0 hold, so they preview with no changes", async () => {
    const recorded = JSON.parse(readFileSync(join(__dirname, "../e2e/fixtures/recorded/0.1.0/stack.json"), "utf8")).deployment.resources as { type: string; inputs?: Record<string, unknown> }[];
    const sent = await declareEveryKind();
    const recordedKinds = [...new Set(recorded.filter((r) => r.inputs?.__provider).map((r) => r.type))];
    expect(recordedKinds.length).toBeGreaterThanOrEqual(9);
    for (const type of recordedKinds) {
      const stored = recorded.find((r) => r.type === type)!.inputs!.__provider;
      const now = sent.find((r) => r.type === type)?.inputs.__provider;
      expect({ type, text: now }).toEqual({ type, text: stored });
    }
  });

  test("the provider of a kind is serialized once, however many resources of it a program declares", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- spyOn replaces a property of the module's own exports
    const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    const serialize = jest.spyOn(closure, "serializeFunction");
    try {
      const sdk = await import("../../sdk");
      const made = Array.from({ length: 5 }, (_, i) => new sdk.EnvironmentVariable(`many-${i}`, { value: "v" }));
      await Promise.all(made.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
      // The first test already serialized EnvironmentVariable's provider: these five hit the cache.
      expect(serialize).not.toHaveBeenCalled();
    } finally {
      serialize.mockRestore();
      registered.splice(0);
    }
  });
});

/**
 * How the provider plugin ships: the npm package's `bin` entry and the `plugin/` folder that a
 * Pulumi.yaml can name in `plugins.providers[].path`, both in the packed package, and the entry
 * started as the engine starts it (address last) prints its port and answers.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "../support/pulumi-project";

const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));

test("the packed package holds the bin entry, the plugin folder and schema.json", () => {
  expect(manifest.bin["pulumi-resource-ccluster"]).toBe("dist/provider/plugin/main.js");
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" }));
  const files = packed.files.map((f: { path: string }) => f.path);
  expect(files).toEqual(expect.arrayContaining(["dist/provider/plugin/main.js", "plugin/PulumiPlugin.yaml", "plugin/index.js", "schema.json"]));
  expect(readFileSync(join(repoRoot, manifest.bin["pulumi-resource-ccluster"]), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  expect(readFileSync(join(repoRoot, "plugin", "index.js"), "utf8")).toContain('require("../dist/provider/plugin/main.js")');
});

test("npm pack builds first, so a fresh clone's package is not missing dist/", () => {
  // The README's "Use it in your own project" packs the package; dist/ is not committed.
  expect(manifest.scripts.prepack).toBe("npm run build");
  expect(readFileSync(join(repoRoot, ".gitignore"), "utf8")).toMatch(/^\/?dist\/?$/m);
});

test("started as the engine starts it, the entry prints its port first and answers GetPluginInfo", async () => {
  const child = spawn(process.execPath, [join(repoRoot, manifest.bin["pulumi-resource-ccluster"]), "--logtostderr", "-v=9", "127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`the plugin exited with ${code} before printing its port`)));
    });
    expect(port).toMatch(/^\d+$/);
    // The generated stubs and their runtime from @pulumi/pulumi's own copy, as the plugin loads them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] }));
    const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const info = await new Promise<any>((resolve, reject) => client.getPluginInfo(new Empty(), (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
    client.close();
    expect(info.getVersion()).toBe(manifest.version);
  } finally {
    child.kill();
  }
});

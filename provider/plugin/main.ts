#!/usr/bin/env node
/**
 * `pulumi-resource-ccluster`: the provider plugin the Pulumi engine starts for `ccluster:*`
 * resources (YAML, Python, Go programs and `pulumi import`). Installed as this package's `bin`,
 * so it is on PATH after `npm install -g pulumi-ccluster`; a Pulumi.yaml can also name its folder
 * in `plugins.providers[].path`. The engine passes its own address as the last argument; the
 * plugin prints the port it serves on as its first line of output.
 */
import { serve } from "./server";

serve().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-ccluster could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

/**
 * schema.json is valid against Pulumi's package metaschema. The metaschema comes with the
 * engine's Go modules (github.com/pulumi/pulumi/pkg/v3 at the engine's version), which
 * scripts/install-pulumi.sh downloads, so this runs in the e2e lane.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { buildSchema } from "../../scripts/docs";
import { PULUMI_SDK_VERSION } from "../harness/engine";

test("schema.json is valid against Pulumi's package metaschema (from the engine's Go module cache)", () => {
  const modcache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  const metaschema = join(modcache, `github.com/pulumi/pulumi/pkg/v3@v${PULUMI_SDK_VERSION}/codegen/schema/pulumi.json`);
  if (!existsSync(metaschema)) throw new Error(`Pulumi's metaschema is missing at ${metaschema}: run scripts/install-pulumi.sh, which downloads the engine's modules`);
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(JSON.parse(readFileSync(metaschema, "utf8")));
  const ok = validate(buildSchema());
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
});

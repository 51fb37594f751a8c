/** The Go unit tests of this project's Node.js language host (engine/language-host), run with `go test`. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../support/pulumi-project";

jest.setTimeout(300_000);

test("go test passes in engine/language-host (flags that other language hosts pass are accepted)", async () => {
  const dir = join(repoRoot, "engine", "language-host");
  // The checksum database may be unreachable where only the module proxy is (as install-pulumi.sh knows).
  const res = await promisify(execFile)("go", ["test", "./..."], { cwd: dir, env: { ...process.env, GOSUMDB: "off" } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  expect({ code: "code" in res ? res.code : 0, output: `${res.stdout}${res.stderr}`.trim() }).toEqual({ code: 0, output: expect.stringMatching(/^ok\s+pulumi-ccluster\/engine\/language-host/) });
});

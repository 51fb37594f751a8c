// N auto-named EnvironmentVariables (config `count`) from a Node.js program through the provider
// plugin: the resource class below declares what the generated SDK's does (sdk/nodejs/
// environmentVariable.ts: every input and output, defaults, `value` secret), without building that
// package. Next to the dynamic side it isolates the dynamic-provider runtime; next to the YAML side,
// @pulumi/pulumi's per-property machinery in the program.
const pulumi = require("@pulumi/pulumi");

class EnvironmentVariable extends pulumi.CustomResource {
  constructor(name, args) {
    const inputs = {
      adoptExisting: false,
      existingId: undefined,
      keepers: undefined,
      key: undefined,
      rotationDays: undefined,
      value: pulumi.secret(args.value),
      visibility: "USER",
      createdAt: undefined,
      expiresAt: undefined,
      itemId: undefined,
    };
    super("ccluster:index:EnvironmentVariable", name, inputs, { additionalSecretOutputs: ["value"] });
  }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new EnvironmentVariable(`v${i}`, { value: `value-${i}` });

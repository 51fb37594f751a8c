// N auto-named vault items (config `count`), the measured side of the engine experiments.
const pulumi = require("@pulumi/pulumi");
const ccluster = require("pulumi-ccluster");

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new ccluster.EnvironmentVariable(`v${i}`, { value: `value-${i}` });

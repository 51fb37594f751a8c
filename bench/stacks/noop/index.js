// N dynamic resources whose provider does nothing (config `count`): the floor that the engine
// and @pulumi/pulumi's dynamic-provider runtime set. One provider object, so it is serialized once.
// Config `ballast` (optional): characters of filler each resource keeps in its inputs and outputs,
// so the floor can be measured at the state size of the resources it is compared with.
const pulumi = require("@pulumi/pulumi");

const noop = {
  async create(inputs) {
    return { id: inputs.value, outs: inputs };
  },
};

const config = new pulumi.Config();
const count = config.requireNumber("count");
const ballast = "x".repeat(config.getNumber("ballast") || 0);
for (let i = 0; i < count; i++) {
  new pulumi.dynamic.Resource(noop, `v${i}`, { value: `value-${i}`, ...(ballast ? { ballast } : {}) }, undefined, "bench", "Noop");
}

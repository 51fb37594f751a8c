/** `envVars` shapes EnvironmentVariable outputs into the deployment field `env_vars`. */
import * as pulumi from "@pulumi/pulumi";
import { envVars } from "../../sdk";
import type { EnvironmentVariable } from "../../sdk";

/** Stands in for an EnvironmentVariable's outputs (what `envVars` reads). */
const variable = (key: string, value: string) => ({ key: pulumi.output(key), value: pulumi.secret(value) }) as unknown as EnvironmentVariable;
/** An output's value and secretness, read the way the SDK's own tests do. */
async function settle<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const internal = o as unknown as { promise(): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  const [value, , secret] = await Promise.allSettled([internal.promise(), internal.isKnown, internal.isSecret]);
  if (value.status === "rejected") throw value.reason;
  return { value: value.value, secret: secret.status === "fulfilled" && secret.value };
}

test("a secret map of NAME to value", async () => {
  expect(await settle(envVars(variable("LOG_LEVEL", "info"), variable("MODEL", "llama")))).toEqual({ value: { LOG_LEVEL: "info", MODEL: "llama" }, secret: true });
});

test("a name given twice keeps the last value, in the order given", async () => {
  expect((await settle(envVars(variable("A", "1"), variable("B", "2"), variable("A", "3")))).value).toEqual({ A: "3", B: "2" });
});

/** What every resource class shares: secret inputs wrapped, secret outputs declared, type token set. */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { secretOutputNames, typeToken, type KindDeclaration } from "../provider/framework/declaration";
import { warnAboutPlainCredentialConfig } from "./config-hygiene";
import { serializedProvider } from "./serialized-provider";

/** A kind's Args: each input of its schema as a `pulumi.Input`, without the internal ones. */
export type ArgsOf<S extends z.ZodObject> = {
  [K in keyof Omit<z.input<S>, "autoNamePrefix">]: pulumi.Input<z.input<S>[K]>;
};

/** @internal Builds the props and options every credential resource passes to `dynamic.Resource`. */
export function credentialResourceParts(
  decl: KindDeclaration,
  name: string,
  args: Record<string, unknown>,
  opts: pulumi.CustomResourceOptions | undefined,
): [pulumi.dynamic.ResourceProvider, string, pulumi.Inputs, pulumi.CustomResourceOptions, string, string] {
  warnAboutPlainCredentialConfig();
  const props: pulumi.Inputs = {};
  // Outputs must be named in props to appear on the resource object; inputs are outputs too
  // (an auto-named `key` is only known after check).
  for (const out of [...Object.keys(decl.inputs.shape), ...Object.keys(decl.outputs)]) props[out] = undefined;
  for (const [k, v] of Object.entries(args ?? {})) {
    // Secret inputs are encrypted in state even when the user passed a plain string.
    props[k] = decl.secretInputs.includes(k) && v !== undefined ? pulumi.secret(v as pulumi.Input<unknown>) : v;
  }
  if (decl.autoName) props.autoNamePrefix = name;
  const secrets = secretOutputNames(decl);
  const options: pulumi.CustomResourceOptions = {
    ...opts,
    additionalSecretOutputs: [...new Set([...secrets, ...(opts?.additionalSecretOutputs ?? [])])],
  };
  return [serializedProvider(decl.typeName), name, props, options, decl.module, decl.typeName];
}

export { typeToken };

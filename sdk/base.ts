/** What every resource class shares: secret inputs wrapped, secret outputs declared, type token set. */
import * as pulumi from "@pulumi/pulumi";
import { secretOutputNames, typeToken, type KindDeclaration } from "../provider/framework/declaration";
import { warnAboutPlainCredentialConfig } from "./config-hygiene";
import { serializedProvider } from "./serialized-provider";

/** @internal Builds the props and options every credential resource passes to `dynamic.Resource`. */
export function credentialResourceParts(
  decl: KindDeclaration,
  name: string,
  args: object,
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
  // The provider derives auto-names from the URN (so a re-run finds what an interrupted create
  // made) and names both resources when two declare the same platform object.
  props.resourceUrn = pulumi.createUrn(name, typeToken(decl), opts?.parent);
  const secrets = secretOutputNames(decl);
  const options: pulumi.CustomResourceOptions = {
    ...opts,
    additionalSecretOutputs: [...new Set([...secrets, ...(opts?.additionalSecretOutputs ?? [])])],
  };
  return [providerOf(decl.typeName), name, props, options, decl.module, decl.typeName];
}

/**
 * One provider object per kind: @pulumi/pulumi caches a provider's serialized text by object, so
 * a fresh object per resource would be serialized again for each of them.
 */
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();
function providerOf(typeName: string): pulumi.dynamic.ResourceProvider {
  let p = providers.get(typeName);
  if (!p) providers.set(typeName, (p = serializedProvider(typeName)));
  return p;
}

export { typeToken };

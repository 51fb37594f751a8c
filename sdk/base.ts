/** What every resource class shares: secret inputs wrapped, secret outputs declared, type token set. */
import * as pulumi from "@pulumi/pulumi";
import { typeToken, type Module } from "../provider/framework/declaration";
import { warnAboutPlainCredentialConfig } from "./config-hygiene";
import { serializedProvider } from "./serialized-provider";

/**
 * @internal What the SDK needs of a kind, as plain data generated from its declaration
 * (sdk/kinds.ts): so a program loads neither zod nor the provider's code.
 */
export interface SdkKind {
  module: Module;
  typeName: string;
  /** The properties the resource object exposes besides the inputs given: its outputs, and the inputs that have a value when not given. */
  properties: readonly string[];
  secretInputs: readonly string[];
  secretOutputs: readonly string[];
  /** The provider names it from the resource name when its name is not given. */
  autoName: boolean;
}

/** @internal Builds the props and options every credential resource passes to `dynamic.Resource`. */
export function credentialResourceParts(
  decl: SdkKind,
  name: string,
  args: object,
  opts: pulumi.CustomResourceOptions | undefined,
): [pulumi.dynamic.ResourceProvider, string, pulumi.Inputs, pulumi.CustomResourceOptions, string, string] {
  warnAboutPlainCredentialConfig();
  const props: pulumi.Inputs = {};
  // Outputs must be named in props to appear on the resource object.
  for (const out of decl.properties) props[out] = undefined;
  for (const [k, v] of Object.entries(args ?? {})) {
    // Secret inputs are encrypted in state even when the user passed a plain string.
    props[k] = decl.secretInputs.includes(k) && v !== undefined ? pulumi.secret(v as pulumi.Input<unknown>) : v;
  }
  if (decl.autoName) props.autoNamePrefix = name;
  // The provider derives auto-names from the URN (so a re-run finds what an interrupted create
  // made) and names both resources when two declare the same platform object.
  props.resourceUrn = pulumi.createUrn(name, typeToken(decl), opts?.parent);
  const options: pulumi.CustomResourceOptions = {
    ...opts,
    additionalSecretOutputs: [...new Set([...decl.secretOutputs, ...(opts?.additionalSecretOutputs ?? [])])],
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

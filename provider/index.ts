/**
 * The entry point the serialized dynamic provider `require`s by package path
 * (`pulumi-ccluster/provider`). Its exported names are a contract with every stack state ever
 * written: `refresh` and `destroy` run the provider stored in state against the installed package.
 * Keep `providerFor` and its signature stable.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { makeResourceProvider } from "./framework/lifecycle";
import { kindByName } from "./registry";

const providers = new Map<string, dynamic.ResourceProvider>();

/** The dynamic provider of one resource kind, e.g. `providerFor("BearerToken")`. */
export function providerFor(typeName: string): dynamic.ResourceProvider {
  let p = providers.get(typeName);
  if (!p) {
    p = makeResourceProvider(kindByName(typeName));
    providers.set(typeName, p);
  }
  return p;
}

export { kinds, kindByName } from "./registry";

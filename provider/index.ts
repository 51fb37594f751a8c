/**
 * The entry point the serialized dynamic provider `require`s by package path
 * (`pulumi-ccluster/provider`). Its exported names are a contract with every stack state ever
 * written: `refresh` and `destroy` run the provider stored in state against the installed package.
 * Keep `providerFor` and its signature stable.
 *
 * It also exports, for programs that call them directly, the error catalogue (every stable code,
 * with the error classes that carry them), the certificate functions and the PEM file functions.
 * All of them are loaded by the resource kinds anyway; the HTTP client is not loaded here.
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

export {
  CertificateError,
  CertificateErrorCodes,
  ErrorCodes,
  errorCatalogue,
  errorCodeFamilies,
  isPlatformError,
  isProviderError,
  PemFileError,
  PemFileErrorCodes,
  PlatformError,
  ProviderError,
  ProviderErrorCodes,
  type CatalogueEntry,
  type CclusterErrorCode,
  type CertificateErrorCode,
  type ErrorCode,
  type PemFileErrorCode,
  type ProviderErrorCode,
} from "./errors";
// The libraries whole, as their index files list them (the errors above already name their error classes).
export * from "./certificates";
export * from "./pemfile";

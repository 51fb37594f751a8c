/**
 * pulumi-ccluster: ML-platform credentials as Pulumi resources.
 *
 * @example
 * import * as ccluster from "pulumi-ccluster";
 * const token = new ccluster.BearerToken("inference", { rotationDays: 30 });
 */
export {
  BearerToken,
  HuggingFaceToken,
  EnvironmentVariable,
  SshKey,
  RegistryCredential,
  ServerlessApiKey,
  Certificate,
  PemFile,
} from "./resources";
export type {
  BearerTokenArgs,
  HuggingFaceTokenArgs,
  EnvironmentVariableArgs,
  SshKeyArgs,
  RegistryCredentialArgs,
  ServerlessApiKeyArgs,
  CertificateArgs,
  PemFileArgs,
} from "./args";
export { getItem, getCertificate } from "./lookups";
export type { ItemQuery, VaultItemLookup, VaultItemType, CertificateLookup } from "./lookups";
export { envVars } from "./deployment-fields";
export * as aigateway from "./aigateway";

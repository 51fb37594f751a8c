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
} from "./resources";
export { getItem, getCertificate } from "./lookups";
export { envVars } from "./deployment-fields";
export * as aigateway from "./aigateway";

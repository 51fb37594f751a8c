/**
 * Every resource kind, in one list. Adding a kind means: its file in `kinds/`, one line here,
 * its class's export from the SDK (`npm run docs` generates the class), its lifecycle test and its example.
 */
import { ProviderError, ProviderErrorCodes } from "./errors";
import type { KindDeclaration } from "./framework/declaration";
import { authToken } from "./kinds/aigateway/auth-token";
import { bearerToken } from "./kinds/bearer-token";
import { certificate } from "./kinds/certificate";
import { environmentVariable } from "./kinds/environment-variable";
import { huggingFaceToken } from "./kinds/huggingface-token";
import { pemFile } from "./kinds/pem-file";
import { registryCredential } from "./kinds/registry-credential";
import { serverlessApiKey } from "./kinds/serverless-api-key";
import { sshKey } from "./kinds/ssh-key";

export const kinds: readonly KindDeclaration[] = [
  bearerToken,
  serverlessApiKey,
  registryCredential,
  environmentVariable,
  huggingFaceToken,
  sshKey,
  certificate,
  pemFile,
  authToken,
];

export function kindByName(typeName: string): KindDeclaration {
  const k = kinds.find((d) => d.typeName === typeName);
  if (!k) throw new ProviderError(ProviderErrorCodes.UNKNOWN_KIND, `pulumi-ccluster has no resource kind "${typeName}" (known: ${kinds.map((d) => d.typeName).join(", ")})`);
  return k;
}

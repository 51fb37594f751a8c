import { z } from "zod";
import { isProviderError } from "../errors";
import { vaultItemInputs, vaultItemOutputs } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { isKnown } from "../framework/validation";
import { vaultItemFeatures, vaultItemOperations } from "../framework/vault-item";
import { classifyRegistryHost, registryOfImage, type RegistryInfo } from "../formats/container-registry";

const inputs = z.strictObject({
  ...vaultItemInputs,
  username: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters").describe("Registry user name (`AWS` for ECR, `_json_key` for Artifact Registry, ...)."),
  password: z.string().min(1, "must not be empty").max(3500, "must be at most 3500 characters").describe("Password or access token."),
  server: z.string().optional().describe("Registry host, e.g. `docker.io`, `<acct>.dkr.ecr.<region>.amazonaws.com`, `<region>-docker.pkg.dev`, `<name>.azurecr.io`."),
  imageUrl: z.string().optional().describe("An image the credential is for; the registry is detected from it when `server` is omitted."),
});
type Inputs = z.output<typeof inputs>;

function registryOf(i: Pick<Inputs, "server" | "imageUrl">): RegistryInfo {
  if (i.server) return classifyRegistryHost(i.server);
  if (i.imageUrl) return registryOfImage(i.imageUrl);
  return { kind: "dockerhub", server: "docker.io" };
}

/** The stored value (ASSUMED format, see platform-api.md): JSON with username, password and server. */
function storedValue(i: Inputs): string {
  return JSON.stringify({ username: i.username, password: i.password, server: registryOf(i).server });
}

/** Image-pull credentials (`image_pull_secret_credentials`), vault type `registry_credentials`. */
export const registryCredential = defineKind({
  module: "ccluster",
  typeName: "RegistryCredential",
  description:
    "Credentials for pulling private images (deployment field `image_pull_secret_credentials`): Docker Hub, Amazon ECR, Google Artifact Registry, Azure Container Registry or any Docker-compatible registry.",
  example: 'new ccluster.RegistryCredential("ecr", { username: "AWS", password: ecrPassword, imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" });',
  platformObject: "vault item, type `registry_credentials` (value: JSON `{username, password, server}`, assumed)",
  inputs,
  replaceOnChange: ["key", "visibility"],
  secretInputs: ["password"],
  outputs: {
    ...vaultItemOutputs,
    registry: { type: "string", description: "Detected registry: `dockerhub`, `ecr`, `artifact-registry`, `acr` or `docker`." },
    registryServer: { type: "string", description: "The registry host the stored credential is for: `server`, or the one detected from `imageUrl` (Docker Hub's `docker.io` when neither is given)." },
    imagePullSecretCredentials: { type: "object", sdkType: "{ username: string; password: string }", secret: true, description: "`{username, password}` for the deployment field `image_pull_secret_credentials`." },
  },
  autoName: { property: "key", style: "kebab" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  validate(i) {
    // Values computed by other resources are judged once they are known.
    for (const [property, check] of [
      ["server", () => i.server && isKnown(i.server) && classifyRegistryHost(i.server)],
      ["imageUrl", () => i.imageUrl && isKnown(i.imageUrl) && registryOfImage(i.imageUrl)],
    ] as const) {
      try {
        check();
      } catch (e) {
        // A check failure names the property and the rule; the code is for errors, not failures.
        return [{ property, reason: `RegistryCredential.${property} ${isProviderError(e) ? e.summary : (e as Error).message}` }];
      }
    }
    if (!isKnown(i)) return [];
    if (i.server && i.imageUrl && classifyRegistryHost(i.server).server !== registryOfImage(i.imageUrl).server)
      return [{ property: "imageUrl", reason: `RegistryCredential.imageUrl is on ${registryOfImage(i.imageUrl).server}, not on server ${i.server}` }];
    const stored = storedValue(i).length;
    if (stored > 4096)
      return [{ property: "password", reason: `RegistryCredential.password makes the stored value (JSON of username, password and server) ${stored} characters, more than the vault's 4096` }];
    return [];
  },
  operations: vaultItemOperations<Inputs>({
    type: "registry_credentials",
    buildValue: (i) => storedValue(i),
    outputsFromValue: (value, i) => {
      let parsed: { username?: string; password?: string; server?: string } = {};
      try {
        parsed = JSON.parse(value);
      } catch {
        // changed outside Pulumi into something else: the diff will show it and `up` rewrites it
      }
      const server = parsed.server ?? registryOf(i).server;
      return {
        username: parsed.username,
        password: parsed.password,
        // `server` stays what the user wrote (or absent), so an omitted server never shows as a change.
        server: i.server,
        registryServer: server,
        registry: classifyRegistryHost(server).kind,
        imagePullSecretCredentials: { username: parsed.username, password: parsed.password },
      };
    },
  }),
});

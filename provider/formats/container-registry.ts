/**
 * Which container registry a server name or an image URL points at. The platform detects the
 * registry from the image URL at deployment time; we do the same up front so users learn of a
 * typo at `preview`, and so the credential records which server it is for.
 */
import { ProviderError, ProviderErrorCodes } from "../errors";

export type RegistryKind = "dockerhub" | "ecr" | "artifact-registry" | "acr" | "docker";

export interface RegistryInfo {
  kind: RegistryKind;
  /** The registry host (`docker.io` for Docker Hub). */
  server: string;
}

const dockerHubHosts = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** Host names: labels of letters, digits and hyphens, optionally with a port. */
const hostPattern = /^(?=.{1,253}(:|$))([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

export function classifyRegistryHost(host: string): RegistryInfo {
  const h = host.toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
  if (!hostPattern.test(h)) throw new ProviderError(ProviderErrorCodes.BAD_REGISTRY, `"${host}" is not a registry host name (e.g. docker.io, 123456789012.dkr.ecr.us-east-1.amazonaws.com)`);
  if (dockerHubHosts.has(h)) return { kind: "dockerhub", server: "docker.io" };
  if (/^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(h)) return { kind: "ecr", server: h };
  if (/^([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)$/.test(h)) return { kind: "artifact-registry", server: h };
  if (/^[a-z0-9]{5,50}\.azurecr\.io$/.test(h)) return { kind: "acr", server: h };
  return { kind: "docker", server: h };
}

/**
 * The registry of an image reference, following Docker's rule: the first path component is a
 * host only if it contains a dot or a colon or is `localhost`; otherwise the image is on Docker Hub.
 */
export function registryOfImage(image: string): RegistryInfo {
  const ref = image.trim();
  if (!ref || /\s/.test(ref)) throw new ProviderError(ProviderErrorCodes.BAD_REGISTRY, `"${image}" is not an image reference`);
  const first = ref.split("/")[0];
  const hasHost = ref.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return hasHost ? classifyRegistryHost(first) : { kind: "dockerhub", server: "docker.io" };
}

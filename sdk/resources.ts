/**
 * The resource classes users declare. Each is a Pulumi dynamic resource whose inputs, secrets
 * and replacement rules come from its kind's declaration in `provider/kinds/`.
 */
import * as pulumi from "@pulumi/pulumi";
// The kinds as plain data: a program loads neither zod nor the provider's code.
import { authToken, bearerToken, certificate, environmentVariable, huggingFaceToken, pemFile, registryCredential, serverlessApiKey, sshKey } from "./kinds";
import type {
  AuthTokenArgs,
  BearerTokenArgs,
  CertificateArgs,
  EnvironmentVariableArgs,
  HuggingFaceTokenArgs,
  PemFileArgs,
  RegistryCredentialArgs,
  ServerlessApiKeyArgs,
  SshKeyArgs,
} from "./args";
import { credentialResourceParts, typeToken } from "./base";

/** The outputs every vault item has. */
export abstract class VaultItemResource extends pulumi.dynamic.Resource {
  /** The vault key (name) of the item. */
  declare readonly key: pulumi.Output<string>;
  /** `USER` or `ORG`. */
  declare readonly visibility: pulumi.Output<"USER" | "ORG">;
  /** The item's id on the platform. */
  declare readonly itemId: pulumi.Output<number>;
  /** When the credential was created (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When `rotationDays` replaces it (ISO 8601), if set. */
  declare readonly expiresAt: pulumi.Output<string | undefined>;
}

/**
 * A bearer token for dedicated endpoints, stored in the vault (`bearer_tokens`).
 *
 * @example
 * const token = new ccluster.BearerToken("inference", { rotationDays: 30 });
 * export const endpointBearerToken = token.value; // secret
 */
export class BearerToken extends VaultItemResource {
  static readonly __pulumiType = typeToken(bearerToken);
  /** The token, for the deployment field `endpoint_bearer_token`. Secret. */
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, args: BearerTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(bearerToken, name, args, opts));
  }
}

/**
 * A Hugging Face token (`hf_...`) for gated models, vault type `access_tokens`.
 *
 * @example
 * const hf = new ccluster.HuggingFaceToken("hf", { value: config.requireSecret("hfToken"), rotationDays: 90 });
 */
export class HuggingFaceToken extends VaultItemResource {
  static readonly __pulumiType = typeToken(huggingFaceToken);
  /** The token, for the deployment field `hf_token`. Secret. */
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, args: HuggingFaceTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(huggingFaceToken, name, args, opts));
  }
}

/**
 * An environment variable for deployments, vault type `env_vars`.
 *
 * @example
 * new ccluster.EnvironmentVariable("log-level", { key: "LOG_LEVEL", value: "info" });
 */
export class EnvironmentVariable extends VaultItemResource {
  static readonly __pulumiType = typeToken(environmentVariable);
  /** The value. Secret in state. */
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, args: EnvironmentVariableArgs, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(environmentVariable, name, args, opts));
  }
}

/**
 * An SSH public key for deployments, vault type `ssh_keys`.
 *
 * @example
 * new ccluster.SshKey("laptop", { publicKey: fs.readFileSync(`${os.homedir()}/.ssh/id_ed25519.pub`, "utf8") });
 */
export class SshKey extends VaultItemResource {
  static readonly __pulumiType = typeToken(sshKey);
  /** The public key line, for the deployment field `ssh_public_key`. */
  declare readonly publicKey: pulumi.Output<string>;
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  declare readonly keyType: pulumi.Output<string>;
  declare readonly bits: pulumi.Output<number>;
  declare readonly fingerprintSha256: pulumi.Output<string>;
  constructor(name: string, args: SshKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(sshKey, name, args, opts));
  }
}

/**
 * Image-pull credentials for a container registry, vault type `registry_credentials`.
 *
 * @example
 * new ccluster.RegistryCredential("ecr", { username: "AWS", password: ecrPassword, imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" });
 */
export class RegistryCredential extends VaultItemResource {
  static readonly __pulumiType = typeToken(registryCredential);
  /** Detected registry: `dockerhub`, `ecr`, `artifact-registry`, `acr` or `docker`. */
  declare readonly registry: pulumi.Output<string>;
  /** The registry host the credential is for (`docker.io` when neither `server` nor `imageUrl` is given). */
  declare readonly registryServer: pulumi.Output<string>;
  /** `{username, password}` for the deployment field `image_pull_secret_credentials`. Secret. */
  declare readonly imagePullSecretCredentials: pulumi.Output<{ username: string; password: string }>;
  declare readonly username: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;
  constructor(name: string, args: RegistryCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(registryCredential, name, args, opts));
  }
}

/**
 * A serverless API key. Its secret is only known to the stack that created it.
 *
 * @example
 * const key = new ccluster.ServerlessApiKey("batch", { rotationDays: 30 });
 */
export class ServerlessApiKey extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken(serverlessApiKey);
  declare readonly name: pulumi.Output<string>;
  declare readonly apiKeyId: pulumi.Output<string>;
  /** The API key. Secret. Absent when the platform did not return it (`keyReturned` false). */
  declare readonly key: pulumi.Output<string | undefined>;
  declare readonly keyReturned: pulumi.Output<boolean>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  constructor(name: string, args: ServerlessApiKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(serverlessApiKey, name, args, opts));
  }
}

/**
 * An AI-gateway authentication token, valid for one gateway.
 *
 * @example
 * const t = new ccluster.aigateway.AuthToken("team-a", { gateway: "prod-gateway", rotationDays: 30 });
 */
export class AuthToken extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken(authToken);
  declare readonly gateway: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly tokenId: pulumi.Output<string>;
  /** `ACTIVE` tokens authenticate. */
  declare readonly status: pulumi.Output<string>;
  /** The token. Secret. */
  declare readonly token: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  constructor(name: string, args: AuthTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(authToken, name, args, opts));
  }
}

/**
 * An mTLS certificate for a private endpoint: a CA in the vault (trusted by the endpoint) and a
 * client certificate and key, made like the platform's CLI makes them (ECDSA P-384 by default).
 *
 * @example
 * const cert = new ccluster.Certificate("my-endpoint", { validityDays: 365, earlyRenewalDays: 30 });
 * new ccluster.PemFile("my-endpoint-pem", { certificate: cert, path: "certs/my-endpoint.pem" });
 */
export class Certificate extends VaultItemResource {
  static readonly __pulumiType = typeToken(certificate);
  /** The CA certificate PEM, for the deployment field `endpoint_certificate_authority`. */
  declare readonly caCertificatePem: pulumi.Output<string>;
  declare readonly clientCertificatePem: pulumi.Output<string | undefined>;
  /** Secret. Unencrypted PKCS#8 PEM. */
  declare readonly clientPrivateKeyPem: pulumi.Output<string | undefined>;
  /** Secret. The platform's `<name>.pem`: private key then client certificate. */
  declare readonly combinedPem: pulumi.Output<string | undefined>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly fingerprintSha256: pulumi.Output<string>;
  declare readonly serialNumber: pulumi.Output<string>;
  constructor(name: string, args: CertificateArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(...credentialResourceParts(certificate, name, args, opts));
  }
}

/** Which output of a Certificate each `contents` choice writes. */
const bundleOutput = {
  combined: "combinedPem",
  ca: "caCertificatePem",
  certificate: "clientCertificatePem",
  privateKey: "clientPrivateKeyPem",
} as const;

/**
 * A `.pem` file written by `pulumi up` (mode 0600, atomically); a missing or edited file is
 * drift that the next `up` repairs, and `destroy` removes it.
 *
 * @example
 * new ccluster.PemFile("client-pem", { certificate: cert, path: "certs/my-endpoint.pem" });
 * new ccluster.PemFile("ca-pem", { certificate: cert, contents: "ca", path: "certs/ca.pem" });
 */
export class PemFile extends pulumi.dynamic.Resource {
  static readonly __pulumiType = typeToken(pemFile);
  declare readonly path: pulumi.Output<string>;
  declare readonly absolutePath: pulumi.Output<string>;
  declare readonly pemSha256: pulumi.Output<string>;
  /** SHA-256 of the file as last seen on disk; differs from `pemSha256` after an edit. */
  declare readonly fileSha256: pulumi.Output<string>;
  declare readonly filePermission: pulumi.Output<string>;
  constructor(name: string, args: PemFileArgs, opts?: pulumi.CustomResourceOptions) {
    const { certificate: cert, pem, ...rest } = args ?? {};
    super(...credentialResourceParts(pemFile, name, { ...rest, pem: pemText(name, cert, pem, rest.contents) }, opts));
  }
}

/**
 * The text a PemFile writes: `pem`, or the bundle of `certificate` that `contents` names.
 * A RunError (not a plain Error) so that the engine prints the rule rather than "unhandled exception" and a stack.
 */
function pemText(name: string, cert: unknown, pem: pulumi.Input<string> | undefined, contents: pulumi.Input<string | undefined> | undefined): pulumi.Input<string> {
  const refuse = (rule: string): never => {
    throw new pulumi.RunError(`PemFile "${name}": ${rule}`);
  };
  if (cert !== undefined && pem !== undefined)
    refuse("PemFile.certificate and PemFile.pem cannot both be given: give exactly one (certificate writes its bundle chosen by contents; pem writes the text as it is)");
  if (pem !== undefined) return pem;
  if (cert === undefined)
    refuse("PemFile.certificate or PemFile.pem is required: give exactly one (certificate: a ccluster.Certificate, whose bundle contents chooses; or pem: PEM text)");
  // Judged by shape rather than instanceof: a program may load two copies of this package.
  const certificate = cert as Record<string, unknown>;
  if (!pulumi.Resource.isInstance(cert) || !Object.values(bundleOutput).every((output) => pulumi.Output.isInstance(certificate[output])))
    refuse("PemFile.certificate must be a ccluster.Certificate resource (to write PEM text, give it as pem)");
  const bundleOf = (choice: string): pulumi.Output<string> => {
    if (!(choice in bundleOutput)) refuse(`PemFile.contents must be one of ${Object.keys(bundleOutput).map((c) => JSON.stringify(c)).join(", ")} (got ${JSON.stringify(choice)})`);
    return certificate[bundleOutput[choice as keyof typeof bundleOutput]] as pulumi.Output<string>;
  };
  // A plain choice is judged now; one computed by another resource once it is known.
  return typeof contents === "string" || contents === undefined ? bundleOf(contents ?? "combined") : pulumi.output(contents).apply((c) => bundleOf(c ?? "combined"));
}

import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";

const config = new pulumi.Config();

// A strong bearer token (256 bits from a CSPRNG), rotated every 30 days on a plain `pulumi up`.
const token = new ccluster.BearerToken("inference", { rotationDays: 30 });

// An mTLS certificate like the platform's CLI makes it, and its <name>.pem on disk (mode 0600).
// Its key is the private endpoint's name, so it is declared: an auto-name changes with renewals.
const cert = new ccluster.Certificate("private-endpoint", { key: "private-endpoint", validityDays: 365, earlyRenewalDays: 30 });
const pem = new ccluster.PemFile("private-endpoint-pem", { certificate: cert, path: "certs/private-endpoint.pem" });

// A key for the serverless endpoints (bearer tokens do not work there).
const apiKey = new ccluster.ServerlessApiKey("batch", { rotationDays: 30 });

// Image-pull credentials; the registry (here ECR) is detected from the image.
const registry = new ccluster.RegistryCredential("ecr", {
  username: "AWS",
  password: config.requireSecret("registryPassword"),
  imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-server:1.4",
  rotationDays: 90,
});

// Plain settings only: credentials get their own kinds (the policy pack checks this).
new ccluster.EnvironmentVariable("log-level", { key: "LOG_LEVEL", value: "info" });

// A Hugging Face token for gated models, and an SSH key for debugging sessions.
const hf = new ccluster.HuggingFaceToken("hf", { value: config.requireSecret("hfToken"), rotationDays: 90 });
const ssh = new ccluster.SshKey("laptop", { publicKey: config.require("sshPublicKey") });

// A token for one AI gateway.
const gatewayToken = new ccluster.aigateway.AuthToken("team-a", { gateway: config.require("gateway"), rotationDays: 30 });

export const endpointBearerToken = token.value; // secret
export const endpointCertificateAuthority = cert.caCertificatePem;
export const certificateName = cert.key;
export const pemPath = pem.absolutePath;
export const certificateNotAfter = cert.notAfter;
export const serverlessApiKey = apiKey.key; // secret
export const registryKind = registry.registry;
export const hfTokenKey = hf.key;
export const sshKeyFingerprint = ssh.fingerprintSha256;
export const gateway = gatewayToken.gateway;
export const gatewayAuthToken = gatewayToken.token; // secret

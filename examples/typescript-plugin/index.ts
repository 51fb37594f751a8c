import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "@pulumi-ccluster/plugin-sdk";

const config = new pulumi.Config();

// A strong bearer token (256 bits from a CSPRNG), rotated every 30 days on a plain `pulumi up`.
const token = new ccluster.BearerToken("inference-token", { rotationDays: 30 });

// A key for the serverless endpoints (bearer tokens do not work there).
const apiKey = new ccluster.ServerlessApiKey("serverless-key", { rotationDays: 30 });

// Image-pull credentials; the registry (here ECR) is detected from the image.
const registry = new ccluster.RegistryCredential("registry", {
  username: "AWS",
  password: config.requireSecret("registryPassword"),
  imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1",
});

// Plain settings only: credentials get their own kinds (the policy pack checks this).
new ccluster.EnvironmentVariable("log-level", { key: "LOG_LEVEL", value: "info" });

// An mTLS certificate like the platform's CLI makes it, and its <name>.pem on disk (mode 0600).
// With the plugin, PemFile takes the PEM text: the Certificate output that `contents` names. The SDK
// types it `string | undefined` (a brought CA has no client bundle); a generated certificate always has one.
const cert = new ccluster.Certificate("endpoint-cert", { key: "endpoint-cert", validityDays: 365, earlyRenewalDays: 30 });
const pem = new ccluster.PemFile("endpoint-pem", { path: "certs/endpoint.pem", pem: cert.combinedPem as pulumi.Output<string> });

// A provider of its own: these settings instead of the stack's ccluster:* config (credentials are kept secret).
const ciProvider = new ccluster.Provider("ci", { apiUrl: config.require("ciApiUrl"), token: config.requireSecret("ciToken") });
const ciToken = new ccluster.BearerToken("ci-token", { rotationDays: 7 }, { provider: ciProvider });

// A token for one AI gateway.
const gatewayToken = new ccluster.aigateway.AuthToken("gateway-token", { gateway: config.require("gateway"), requestsPerMinute: 600 });

export const endpointBearerToken = token.value; // secret
export const endpointCertificateAuthority = cert.caCertificatePem;
export const pemPath = pem.absolutePath;
export const serverlessApiKey = apiKey.key; // secret
export const imagePullSecretCredentials = registry.imagePullSecretCredentials; // secret
export const ciBearerToken = ciToken.value; // secret
export const gatewayAuthToken = gatewayToken.token; // secret

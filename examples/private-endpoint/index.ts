import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";

const config = new pulumi.Config();
const name = config.get("endpointName") ?? "llama-private";

// The CA goes to the vault under `name`; the endpoint trusts it. Renewed 30 days before expiry.
const cert = new ccluster.Certificate(name, { key: name, validityDays: 365, earlyRenewalDays: 30 });

// The file callers use with `curl --cert <name>.pem` (private key, then client certificate).
const pem = new ccluster.PemFile(`${name}-pem`, { certificate: cert, path: `certs/${name}.pem` });

// Dedicated endpoints also check `Authorization: Bearer`.
const token = new ccluster.BearerToken(`${name}-token`, { rotationDays: 30 });

// Plain settings for the deployment's containers.
const logLevel = new ccluster.EnvironmentVariable(`${name}-log-level`, { key: "LOG_LEVEL", value: "info" });

// The fields of the platform's deployment request that these credentials feed.
export const deployment = {
  name,
  endpoint_certificate_authority: cert.caCertificatePem,
  endpoint_bearer_token: token.value, // secret
  env_vars: ccluster.envVars(logLevel), // secret: {LOG_LEVEL: "info"}
};
export const clientPemPath = pem.absolutePath;
export const certificateNotAfter = cert.notAfter;

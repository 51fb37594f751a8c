import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";

// No credentials in the stack: CI exports the platform CLI's own variables,
//   CENTML_SERVICE_ACCOUNT_ID, CENTML_SERVICE_ACCOUNT_SECRET (and CENTML_PLATFORM_API_URL,
//   CENTML_SERVICE_ACCOUNT_TOKEN_URL when not the defaults),
// and the provider exchanges them for short-lived access tokens (OAuth2 client credentials).
const config = new pulumi.Config();

// Rotated every 30 days on a plain `pulumi up` from the scheduled pipeline...
const inference = new ccluster.BearerToken("inference", { rotationDays: 30 });

// ...and on demand: bump `rotation` in the stack config (e.g. after an incident) to replace now.
const batch = new ccluster.ServerlessApiKey("batch", {
  rotationDays: 30,
  keepers: { rotation: config.get("rotation") ?? "1" },
});

export const inferenceTokenExpiresAt = inference.expiresAt;
export const batchKeyExpiresAt = batch.expiresAt;
export const endpointBearerToken = inference.value; // secret
export const serverlessApiKey = batch.key; // secret

import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";

const config = new pulumi.Config();
const gateway = config.get("gateway") ?? "prod-gateway";

// One token per team, rotated monthly. Auto-named tokens get a fresh name on rotation, so the
// new token exists before the old one is deleted.
const teamA = new ccluster.aigateway.AuthToken("team-a", { gateway, rotationDays: 30 });

// A fixed name (unique per gateway) with a per-token rate limit; its rotation deletes first.
const batch = new ccluster.aigateway.AuthToken("batch", { gateway, name: "batch-jobs", requestsPerMinute: 120, rotationDays: 30 });

export const teamAToken = teamA.token; // secret: send as `Authorization: Bearer` or `cf-aig-authorization: Bearer`
export const batchToken = batch.token; // secret
export const batchStatus = batch.status;

// DELIBERATELY UNHEALTHY: every resource here breaks a rule of the token-hygiene policy pack.
// Run `pulumi preview --policy-pack ../../policy` to see the pack refuse it. Do not copy.
import * as ccluster from "pulumi-ccluster";

// Never rotates: no rotationDays, no keepers.
new ccluster.BearerToken("forever-token", {});
// A credential hidden in a plain environment variable.
new ccluster.EnvironmentVariable("hf-in-env", { key: "HF_TOKEN", value: "hf_" + "x".repeat(34) });
// Shared with the whole organisation without being on the allow-list.
new ccluster.BearerToken("org-wide", { visibility: "ORG", rotationDays: 30 });
// Valid for three years.
const cert = new ccluster.Certificate("long-lived", { validityDays: 1095, earlyRenewalDays: 30 });
// World-readable (the CA bundle: a readable private key is refused by the resource itself, before any policy).
new ccluster.PemFile("readable-pem", { certificate: cert, contents: "ca", path: "/tmp/ccluster-unhealthy/long-lived.pem", filePermission: "0644" });

import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";

// `pulumi import` cannot reach dynamic resources (pulumi/pulumi#16175). Declare the items that
// already exist in the vault and adopt them: `create` takes them over instead of creating new ones.
const config = new pulumi.Config();

// By key and visibility: keeps the token's existing value (no `value` declared).
const token = new ccluster.BearerToken("existing-token", {
  key: config.require("tokenKey"),
  adoptExisting: true,
  rotationDays: 90,
});

// By vault id: the CA of a certificate made with the platform's CLI or UI.
const cert = new ccluster.Certificate("existing-certificate", {
  existingId: config.requireNumber("certificateItemId"),
});

export const adoptedTokenItemId = token.itemId;
export const adoptedTokenValue = token.value; // secret
export const adoptedCertificateName = cert.key;
export const adoptedCertificateNotAfter = cert.notAfter;

// Read without managing: items someone else keeps (here a Hugging Face token your organisation
// shares). A lookup runs at every preview and up, and fails the program when nothing matches.
const sharedHf = ccluster.getItem({ type: "access_tokens", key: config.require("sharedHfTokenKey"), visibility: "ORG" });
const ca = ccluster.getCertificate(config.require("certificateName"));

export const sharedHfTokenItemId = sharedHf.id;
export const sharedHfToken = sharedHf.value; // secret: the value only, not the id or key
export const certificateAuthority = ca.caCertificatePem;

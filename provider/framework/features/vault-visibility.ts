/**
 * Vault items are named by their key within a visibility: two items may share a key if one is
 * `USER` and the other `ORG`. A state without a visibility means `USER`, the input's default.
 */
import type { Feature } from "../feature";

export const vaultVisibility: Feature = {
  identity: ["key", "visibility"],
  identityDefaults: { visibility: "USER" },
};

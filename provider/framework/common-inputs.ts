/** Inputs most kinds share: rotation, and the vault item's key, visibility and adoption. */
import { z } from "zod";
import { Visibility, vaultLimits } from "../client/models";

/** Rotation like @pulumi/random's keepers and time's `Rotating`, decided from the clock in `diff`. */
export const rotationInputs = {
  rotationDays: z
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe("Replace the credential once it is this many days old; decided on a plain `pulumi up`, no refresh needed."),
  keepers: z
    .record(z.string(), z.string())
    .optional()
    .describe("Arbitrary values; changing any of them replaces the credential (as in @pulumi/random)."),
};

/** Set by the SDK from the resource name; used only for auto-naming. */
export const autoNameInput = {
  autoNamePrefix: z.string().optional().describe("@internal The Pulumi resource name, used to auto-name the item."),
};

export const vaultKeyRule = z
  .string()
  .min(vaultLimits.keyMin, `must be ${vaultLimits.keyMin}–${vaultLimits.keyMax} characters`)
  .max(vaultLimits.keyMax, `must be ${vaultLimits.keyMin}–${vaultLimits.keyMax} characters`);

export const vaultValueRule = z
  .string()
  .min(vaultLimits.valueMin, `must be ${vaultLimits.valueMin}–${vaultLimits.valueMax} characters`)
  .max(vaultLimits.valueMax, `must be ${vaultLimits.valueMin}–${vaultLimits.valueMax} characters`);

export const vaultItemInputs = {
  key: vaultKeyRule.optional().describe("The item's name in the vault (1–512 characters). Auto-named from the resource name when omitted."),
  visibility: Visibility.default("USER").describe("`USER` (only you) or `ORG` (your organisation). Changing it replaces the item."),
  adoptExisting: z
    .boolean()
    .default(false)
    .describe(
      "Take over the item that already exists with this key and visibility instead of failing; create it when there is none (so a rotation makes its successor). The path for importing existing items.",
    ),
  existingId: z
    .int()
    .min(1)
    .optional()
    .describe("Take over the existing vault item with this id (its key must match `key` if both are given). Cannot be combined with `rotationDays` or `keepers`: adopt by key for items that rotate."),
  ...autoNameInput,
  ...rotationInputs,
};

/** Outputs every vault kind has. */
export const vaultItemOutputs = {
  itemId: { type: "number", description: "The vault item's id on the platform." },
  createdAt: { type: "string", description: "When this credential was created (ISO 8601); rotation counts from here." },
  expiresAt: { type: "string", sdkType: "string | undefined", description: "When `rotationDays` will replace it (ISO 8601), if set." },
} as const;

export const rotationOutputs = {
  createdAt: vaultItemOutputs.createdAt,
  expiresAt: vaultItemOutputs.expiresAt,
} as const;

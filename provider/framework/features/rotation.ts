/**
 * Rotation, as @pulumi/random's keepers and time's `Rotating`: `keepers` replace the credential
 * when they change, and `rotationDays` once it is that old, decided from the clock in `diff` so a
 * plain `pulumi up` rotates without a refresh.
 */
import type { Feature } from "../feature";

const DAY_MS = 86_400_000;

export const rotation: Feature = {
  replaceOnChange: ["keepers"],

  replaceReason(olds, news, now) {
    const due = typeof olds.expiresAt === "string" && Date.parse(olds.expiresAt) <= now.getTime();
    return due && news.rotationDays !== undefined ? "rotationDays" : undefined;
  },

  outputs(inputs, createdAt) {
    if (typeof inputs.rotationDays !== "number") return {};
    return { expiresAt: new Date(Date.parse(createdAt) + inputs.rotationDays * DAY_MS).toISOString() };
  },
};

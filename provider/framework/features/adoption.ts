/**
 * Taking over an existing object instead of creating one: `adoptExisting` (by the declared key or
 * name) and, for vault items, `existingId`. Adopting by key creates the item when there is none,
 * so a rotation (which deletes the adopted item first) makes its successor under the same key.
 * A kind that lists this feature without an `adopt` operation refuses to adopt.
 */
import { ProviderError, ProviderErrorCodes } from "../../errors";
import type { Feature } from "../feature";

export const adoption: Feature = {
  check(inputs, kind) {
    if (inputs.existingId === undefined || (inputs.rotationDays === undefined && inputs.keepers === undefined)) return [];
    const given = [`existingId ${JSON.stringify(inputs.existingId)}`];
    if (inputs.rotationDays !== undefined) given.push(`rotationDays ${JSON.stringify(inputs.rotationDays)}`);
    if (inputs.keepers !== undefined) given.push("keepers");
    const reason =
      `${kind.typeName}.existingId cannot be combined with rotationDays or keepers (got ${given.join(" and ")}): a rotation deletes the adopted item and makes a successor, ` +
      "which needs its key; adopt by key instead (key + adoptExisting: true)";
    return [{ property: "existingId", reason }];
  },

  // Adopting by id leaves the name to the adopted item's, known only once it is read.
  keepsPlatformName: (inputs) => inputs.existingId !== undefined,

  refuseReplacement(kind, olds, news, replaces) {
    if (news.existingId === undefined) return;
    // The replacement would adopt the very item the old one deletes. Refuse before anything happens.
    throw new ProviderError(
      ProviderErrorCodes.ADOPT,
      `${kind.typeName} adopted vault item ${news.existingId} by existingId, and changing ${replaces.join(", ")} would replace it, which deletes that item. ` +
        `Adopt it by key instead (key: "${olds.key}", adoptExisting: true) so a replacement can make its successor.`,
    );
  },

  async create(kind, inputs, ctx) {
    const { adopt, adoptById } = kind.operations;
    const id = inputs.existingId;
    if (id === undefined && inputs.adoptExisting !== true) return undefined;
    if (typeof id === "number" && adoptById) return adoptById(id, inputs, ctx);
    if (id === undefined && adopt) return adopt(inputs, ctx);
    throw new ProviderError(ProviderErrorCodes.ADOPT, `${kind.typeName} cannot adopt an existing item: its secret is only shown when it is created`);
  },
};

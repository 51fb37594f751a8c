/**
 * "A vault item of type T": the CRUD every vault kind shares. A kind only says which vault
 * type it uses, how to build the stored value from its inputs, and what to report about it.
 */
import type { UserVaultItem, VaultType, Visibility } from "../client";
import { ProviderError, ProviderErrorCodes } from "../errors";
import type { Named, OperationContext, Operations, State } from "./declaration";
import type { Feature } from "./feature";
import { adoption } from "./features/adoption";
import { rotation } from "./features/rotation";
import { vaultVisibility } from "./features/vault-visibility";

/** What every vault kind opts into: adoption by key or id, rotation and keepers, key within a visibility. */
export const vaultItemFeatures: readonly Feature[] = [adoption, rotation, vaultVisibility];

/** The item `existingId` names: it must exist, be of this type, and match a key declared with it. */
export async function findById(ctx: OperationContext, type: VaultType, id: number, key: string | undefined): Promise<UserVaultItem> {
  const existing = await ctx.clients.vault().find(id);
  if (!existing) throw new ProviderError(ProviderErrorCodes.ADOPT, `cannot adopt: no vault item with id ${id} is visible with these credentials`);
  if (existing.type !== type) throw new ProviderError(ProviderErrorCodes.ADOPT, `cannot adopt: vault item ${existing.id} is of type ${existing.type}, not ${type}`);
  if (key !== undefined && key !== existing.key)
    throw new ProviderError(
      ProviderErrorCodes.ADOPT,
      `cannot adopt: vault item ${existing.id} has key "${existing.key}", but key is "${key}"; declare the same key or leave key out`,
    );
  return existing;
}

/**
 * The id of the item that already holds the declared key and visibility, which a create must not
 * overwrite (an id-less write upserts on the key). Skipped when the lifecycle has just found a
 * derived name free. The platform has no exact lookup by key: this is a `search_query` list
 * (metadata only), narrowed to the exact key.
 */
export async function holderOfKey(ctx: OperationContext, type: VaultType, inputs: { key: string; visibility: Visibility }): Promise<number | undefined> {
  if (ctx.nameIsFree) return undefined;
  const items = await ctx.clients.vault().list({ type, searchQuery: inputs.key });
  return items.find((i) => i.key === inputs.key && i.visibility === inputs.visibility)?.id;
}

/** `listByNamePrefix` for a vault kind: the items of its type whose key starts with the stem, at the declared visibility. */
export function listVaultItemsByNamePrefix(type: VaultType) {
  return async (stem: string, inputs: { visibility: Visibility }, ctx: OperationContext): Promise<{ id: string; name: string }[]> => {
    const items = await ctx.clients.vault().list({ type, searchQuery: stem });
    return items.filter((i) => i.visibility === inputs.visibility && i.key.startsWith(stem)).map((i) => ({ id: String(i.id), name: i.key }));
  };
}

/** The inputs every vault kind has (see `vaultItemInputs`). */
interface VaultCommon {
  key?: string;
  visibility: Visibility;
  adoptExisting: boolean;
  existingId?: number;
}

/** A vault kind's inputs once its key is known. */
export type Keyed<I extends VaultCommon> = Named<I, "key">;

export interface VaultItemSpec<I extends VaultCommon> {
  type: VaultType;
  /** The value to store. `existing` is the live value when adopting or updating. */
  buildValue(inputs: Keyed<I>, existing: string | undefined): string;
  /** The outputs the stored value yields (e.g. an SSH key's type); secret ones are declared secret. */
  outputsFromValue(value: string, inputs: Omit<I, "key">): State;
}

export function vaultItemOperations<I extends VaultCommon>(spec: VaultItemSpec<I>): Operations<I, Keyed<I>> {
  const outputsOf = (item: UserVaultItem, inputs: Omit<I, "key">): State => ({
    itemId: item.id,
    key: item.key,
    visibility: item.visibility,
    ...(item.value !== undefined ? spec.outputsFromValue(item.value, inputs) : {}),
  });

  const write = async (ctx: OperationContext, inputs: Keyed<I>, value: string, id?: number) => {
    const item = await ctx.clients.vault().upsert({ id, type: spec.type, key: inputs.key, value, visibility: inputs.visibility });
    // The platform answers with the written item; keep our value if it omits it.
    return { ...item, value: item.value ?? value };
  };

  /** Takes over an existing item, rewriting its value only when the inputs make another one. */
  const takeOver = async (existing: UserVaultItem, inputs: Omit<I, "key">, ctx: OperationContext) => {
    const adopted: Keyed<I> = { ...inputs, key: existing.key, visibility: existing.visibility };
    const value = spec.buildValue(adopted, existing.value);
    const item = value === existing.value ? existing : await write(ctx, adopted, value, existing.id);
    return { id: String(item.id), outs: outputsOf(item, adopted) };
  };

  return {
    async create(inputs, ctx) {
      const holder = await holderOfKey(ctx, spec.type, inputs);
      if (holder !== undefined) {
        throw new ProviderError(
          ProviderErrorCodes.KEY_TAKEN,
          `a ${spec.type} item with key "${inputs.key}" and visibility ${inputs.visibility} already exists in the vault (id ${holder}); ` +
            `set adoptExisting: true (or existingId: ${holder}) to take it over, or choose another key`,
        );
      }
      const item = await write(ctx, inputs, spec.buildValue(inputs, undefined));
      return { id: String(item.id), outs: outputsOf(item, inputs) };
    },

    async adopt(inputs, ctx) {
      const existing = await ctx.clients.vault().findByKey(spec.type, inputs.key, inputs.visibility);
      return existing && takeOver(existing, inputs, ctx);
    },

    async adoptById(id, inputs, ctx) {
      return takeOver(await findById(ctx, spec.type, id, inputs.key), inputs, ctx);
    },

    listByNamePrefix: listVaultItemsByNamePrefix(spec.type),

    async read(id, state, ctx) {
      const item = await ctx.clients.vault().find(Number(id));
      // An item of another type is not this resource's (`pulumi import` of a wrong id).
      return item && item.type === spec.type ? outputsOf(item, state as I) : undefined;
    },

    async update(id, olds, news, ctx) {
      const item = await write(ctx, news, spec.buildValue(news, olds.value as string | undefined), Number(id));
      return outputsOf(item, news);
    },

    async delete(id, _state, ctx) {
      await ctx.clients.vault().delete(Number(id)); // already gone is fine
    },
  };
}

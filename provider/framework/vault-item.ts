/**
 * "A vault item of type T": the CRUD every vault kind shares. A kind only says which vault
 * type it uses, how to build the stored value from its inputs, and what to report about it.
 */
import type { UserVaultItem, VaultType, Visibility } from "../client";
import type { OperationContext, Operations, State } from "./declaration";

/**
 * The item `adoptExisting` or `existingId` names. By key: undefined when there is none (the
 * caller creates it). By id: it must exist, be of this type, and match a key declared with it.
 */
export async function findToAdopt(
  ctx: OperationContext,
  type: VaultType,
  inputs: { key?: string; visibility: Visibility; existingId?: number },
): Promise<UserVaultItem | undefined> {
  const vault = ctx.clients.vault();
  if (inputs.existingId === undefined) return vault.findByKey(type, inputs.key!, inputs.visibility);
  const existing = await vault.find(inputs.existingId);
  if (!existing) throw new Error(`cannot adopt: no vault item with id ${inputs.existingId} is visible with these credentials`);
  if (existing.type !== type) throw new Error(`cannot adopt: vault item ${existing.id} is of type ${existing.type}, not ${type}`);
  if (inputs.key !== undefined && inputs.key !== existing.key)
    throw new Error(`cannot adopt: vault item ${existing.id} has key "${existing.key}", but key is "${inputs.key}"; declare the same key or leave key out`);
  return existing;
}

/**
 * The id of the item that already holds the declared key and visibility, which a create must not
 * overwrite (an id-less write upserts on the key). Skipped when the lifecycle has just found a
 * derived name free. The platform has no exact lookup by key: this is a `search_query` list
 * (metadata only), narrowed to the exact key.
 */
export async function holderOfKey(ctx: OperationContext, type: VaultType, inputs: { key?: string; visibility: Visibility }): Promise<number | undefined> {
  if (ctx.nameIsFree) return undefined;
  const items = await ctx.clients.vault().list({ type, searchQuery: inputs.key });
  return items.find((i) => i.key === inputs.key && (i.visibility ?? "USER") === inputs.visibility)?.id;
}

/** `listByNamePrefix` for a vault kind: the items of its type whose key starts with the stem, at the declared visibility. */
export function listVaultItemsByNamePrefix(type: VaultType) {
  return async (stem: string, inputs: { visibility: Visibility }, ctx: OperationContext): Promise<{ id: string; name: string }[]> => {
    const items = await ctx.clients.vault().list({ type, searchQuery: stem });
    return items.filter((i) => (i.visibility ?? "USER") === inputs.visibility && i.key.startsWith(stem)).map((i) => ({ id: String(i.id), name: i.key }));
  };
}

/** The inputs every vault kind has (see `vaultItemInputs`). */
interface VaultCommon {
  key?: string;
  visibility: Visibility;
  adoptExisting: boolean;
  existingId?: number;
}

export interface VaultItemSpec<I extends VaultCommon> {
  type: VaultType;
  /** The value to store. `existing` is the live value when adopting or updating. */
  buildValue(inputs: I, existing: string | undefined): string;
  /** Outputs derived from the stored value (e.g. an SSH key's type); secret ones are declared secret. */
  describe(value: string, inputs: I): State;
}

export function vaultItemOperations<I extends VaultCommon>(spec: VaultItemSpec<I>): Operations<I> {
  const outputsOf = (item: UserVaultItem, inputs: I): State => ({
    itemId: item.id,
    key: item.key,
    visibility: item.visibility ?? "USER",
    ...(item.value !== undefined ? spec.describe(item.value, inputs) : {}),
  });

  const write = async (ctx: OperationContext, inputs: I, value: string, id?: number) => {
    const item = await ctx.clients.vault().upsert({ id, type: spec.type, key: inputs.key!, value, visibility: inputs.visibility as Visibility });
    // The platform answers with the written item; keep our value if it omits it.
    return { ...item, value: item.value ?? value };
  };

  return {
    async create(inputs, ctx) {
      const holder = await holderOfKey(ctx, spec.type, inputs);
      if (holder !== undefined) {
        throw new Error(
          `a ${spec.type} item with key "${inputs.key}" and visibility ${inputs.visibility} already exists in the vault (id ${holder}); ` +
            `set adoptExisting: true (or existingId: ${holder}) to take it over, or choose another key`,
        );
      }
      const item = await write(ctx, inputs, spec.buildValue(inputs, undefined));
      return { id: String(item.id), outs: outputsOf(item, inputs) };
    },

    async adopt(inputs, ctx) {
      const existing = await findToAdopt(ctx, spec.type, inputs);
      if (!existing) return undefined;
      const adoptedInputs = { ...inputs, key: existing.key, visibility: existing.visibility ?? "USER" } as I;
      const value = spec.buildValue(adoptedInputs, existing.value);
      const item = value === existing.value ? existing : await write(ctx, adoptedInputs, value, existing.id);
      return { id: String(item.id), outs: outputsOf(item, adoptedInputs) };
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

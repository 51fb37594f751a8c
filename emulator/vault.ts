/**
 * The vault API (`/user_vault`), with the platform's models, limits and answers.
 *
 * A caller sees its own USER items and its organisation's ORG items, and may change or delete
 * exactly those; anything else is answered 404 as if it did not exist, so tenants cannot probe
 * each other's ids. ASSUMED (unpublished): a PUT without `id` upserts on
 * (owner, type, key, visibility), where the owner of an ORG item is the organisation.
 * @internal
 */
import { z } from "zod";
import { authenticateUser, type Caller } from "./auth";
import { detailError, ok, route, type Route } from "./http";
import { VAULT_TYPES, VISIBILITIES, type State, type Store, type VaultRecord, type VaultType, type Visibility } from "./store";
import { laxInt, validate } from "./validation";

/** The platform's limits on a vault item. */
export const VAULT_LIMITS = { keyMin: 1, keyMax: 512, valueMin: 1, valueMax: 4096 } as const;

const VaultTypeSchema = z.enum(VAULT_TYPES);
const VisibilitySchema = z.enum(VISIBILITIES);
const ItemId = laxInt().pipe(z.number().min(1));

const UpsertRequest = z.object({
  id: ItemId.nullish(),
  type: VaultTypeSchema,
  key: z.string().min(VAULT_LIMITS.keyMin).max(VAULT_LIMITS.keyMax),
  value: z.string().min(VAULT_LIMITS.valueMin).max(VAULT_LIMITS.valueMax),
  visibility: VisibilitySchema.nullish(),
});

const DeleteRequest = z.object({
  id: ItemId.nullish(),
  type: VaultTypeSchema,
  key: z.string().min(VAULT_LIMITS.keyMin).max(VAULT_LIMITS.keyMax),
  // Accepted and ignored, as the platform's legacy delete does.
  value: z.string().nullish(),
  visibility: VisibilitySchema.nullish(),
});

const ListQuery = z.object({ type: VaultTypeSchema.optional(), search_query: z.string().optional() });
const IdPath = z.object({ secret_id: ItemId });

function isVisible(item: VaultRecord, caller: Caller): boolean {
  return item.visibility === "USER" ? item.user === caller.user : item.org === caller.org;
}

/** Whether two items would occupy the same (owner, type, key, visibility) slot. */
function sameSlot(item: VaultRecord, slot: { type: VaultType; key: string; visibility: Visibility }, caller: Caller): boolean {
  return item.type === slot.type && item.key === slot.key && item.visibility === slot.visibility && isVisible(item, caller);
}

const notFound = () => detailError(404, "Vault item not found");

const metadata = (item: VaultRecord) => ({ id: item.id, type: item.type, key: item.key, visibility: item.visibility });
const withValue = (item: VaultRecord) => ({ ...metadata(item), value: item.value });

function visibleItem(state: Readonly<State>, id: number, caller: Caller): VaultRecord | undefined {
  return state.vault.find((item) => item.id === id && isVisible(item, caller));
}

/** The vault routes. */
export function vaultRoutes(store: Store): Route[] {
  return [
    route("GET", "/user_vault", (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const query = validate(ListQuery, Object.fromEntries(ctx.query), "query");
      const needle = query.search_query?.toLowerCase();
      const results = store.state.vault
        .filter((item) => isVisible(item, caller))
        .filter((item) => !query.type || item.type === query.type)
        .filter((item) => !needle || item.key.toLowerCase().includes(needle))
        .map(metadata);
      return ok({ results });
    }),

    route("GET", "/user_vault/{secret_id}", (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const { secret_id } = validate(IdPath, ctx.params, "path");
      const item = visibleItem(store.state, secret_id, caller);
      if (!item) throw notFound();
      return ok(withValue(item));
    }),

    route("PUT", "/user_vault", async (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const request = validate(UpsertRequest, await ctx.json(), "body");
      const slot = { type: request.type, key: request.key, visibility: request.visibility ?? "USER" };
      const written = await store.mutate((state) => {
        const target = request.id ? visibleItem(state, request.id, caller) : state.vault.find((item) => sameSlot(item, slot, caller));
        if (request.id && !target) throw notFound();
        // Keep one item per slot: an update by id may not move onto another item's slot. (Without
        // an id, the target is the slot's item, if any.)
        const occupant = request.id ? state.vault.find((item) => item !== target && sameSlot(item, slot, caller)) : undefined;
        if (occupant) throw detailError(409, "A vault item with this type, key and visibility already exists");
        if (target) {
          // An item made USER belongs to whoever made it so; everyone else stops seeing it.
          const updated: VaultRecord = { ...target, ...slot, value: request.value, user: slot.visibility === "USER" ? caller.user : target.user };
          state.vault[state.vault.indexOf(target)] = updated;
          return updated;
        }
        const created: VaultRecord = { id: state.nextVaultId++, ...slot, value: request.value, user: caller.user, org: caller.org };
        state.vault.push(created);
        return created;
      });
      return ok(withValue(written));
    }),

    route("DELETE", "/user_vault/{secret_id}", async (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const { secret_id } = validate(IdPath, ctx.params, "path");
      await store.mutate((state) => {
        const index = state.vault.findIndex((item) => item.id === secret_id && isVisible(item, caller));
        if (index < 0) throw notFound();
        state.vault.splice(index, 1);
      });
      return ok({});
    }),

    route("DELETE", "/user_vault", async (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const request = validate(DeleteRequest, await ctx.json(), "body");
      const slot = { type: request.type, key: request.key, visibility: request.visibility ?? "USER" };
      await store.mutate((state) => {
        const index = state.vault.findIndex((item) => sameSlot(item, slot, caller) && (!request.id || item.id === request.id));
        if (index < 0) throw notFound();
        state.vault.splice(index, 1);
      });
      return ok({});
    }),
  ];
}

/** Values of every vault item of `type`, in any tenant (what the endpoints trust). */
export function vaultValuesOfType(state: Readonly<State>, type: VaultType, key?: string): string[] {
  return state.vault.filter((item) => item.type === type && (key === undefined || item.key === key)).map((item) => item.value);
}

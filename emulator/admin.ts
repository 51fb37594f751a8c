/**
 * The emulator's own control API under `/_admin` (admin token only, never faulted):
 * the fault set, counts of what the faults did, and expiry of access tokens.
 * @internal
 */
import { authenticateAdmin } from "./auth";
import { FaultConfigSchema, type FaultController } from "./faults";
import { ok, route, type Route } from "./http";
import type { Store } from "./store";
import { validate } from "./validation";

/** The `/_admin` routes. */
export function adminRoutes(store: Store, faults: FaultController): Route[] {
  return [
    route("GET", "/_admin/faults", (ctx) => {
      authenticateAdmin(ctx, store.state);
      return ok(faults.current);
    }),
    route("PUT", "/_admin/faults", async (ctx) => {
      authenticateAdmin(ctx, store.state);
      faults.set(validate(FaultConfigSchema, await ctx.json(), "body"));
      return ok(faults.current);
    }),
    route("DELETE", "/_admin/faults", (ctx) => {
      authenticateAdmin(ctx, store.state);
      faults.clear();
      return ok(faults.current);
    }),
    route("GET", "/_admin/stats", (ctx) => {
      authenticateAdmin(ctx, store.state);
      return ok(faults.stats);
    }),
    route("POST", "/_admin/expire-tokens", async (ctx) => {
      authenticateAdmin(ctx, store.state);
      await store.mutate((state) => {
        state.tokenGeneration++;
      });
      return ok({});
    }),
  ];
}

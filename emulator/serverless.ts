/**
 * Serverless API keys (`/credentials/api-key`, the platform's earlier external API).
 *
 * The published `APIKeyResponse` is `{name, id, created_at}`. ASSUMED: the create answer also
 * carries the secret as `key`, and only that answer does; the emulator keeps a hash of it.
 * Keys belong to the user who made them; names need not be unique.
 * @internal
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { authenticateUser } from "./auth";
import { detailError, ok, route, type Route } from "./http";
import { hashSecret, randomSecret, type ApiKeyRecord, type State, type Store } from "./store";
import { validate } from "./validation";

const CreateRequest = z.object({ name: z.string() });

const publicView = (key: ApiKeyRecord) => ({ name: key.name, id: key.id, created_at: key.created_at });

/** Whether `secret` is a serverless API key that exists now. */
export function isLiveApiKey(state: Readonly<State>, secret: string): boolean {
  const hash = hashSecret(secret);
  return state.apiKeys.some((key) => key.keyHash === hash);
}

/** The serverless API key routes. */
export function serverlessRoutes(store: Store): Route[] {
  return [
    route("POST", "/credentials/api-key", async (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      const request = validate(CreateRequest, await ctx.json(), "body");
      const secret = `sk-${randomSecret(32)}`;
      const record: ApiKeyRecord = {
        id: randomUUID(),
        name: request.name,
        created_at: new Date().toISOString(),
        owner: caller.user,
        keyHash: hashSecret(secret),
      };
      await store.mutate((state) => {
        state.apiKeys.push(record);
      });
      return ok({ ...publicView(record), key: secret });
    }),

    route("GET", "/credentials/api-key", (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      return ok({ results: store.state.apiKeys.filter((key) => key.owner === caller.user).map(publicView) });
    }),

    route("DELETE", "/credentials/api-key/{id}", async (ctx) => {
      const caller = authenticateUser(ctx, store.state);
      await store.mutate((state) => {
        const index = state.apiKeys.findIndex((key) => key.id === ctx.params.id && key.owner === caller.user);
        if (index < 0) throw detailError(404, "API key not found");
        state.apiKeys.splice(index, 1);
      });
      return ok({});
    }),
  ];
}

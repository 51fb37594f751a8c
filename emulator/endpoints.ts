/**
 * The places credentials are used, so tests can prove a credential really works: dedicated,
 * serverless and private (mTLS) inference endpoints and AI-gateway chat, each answering
 * OpenAI-compatible chat completions, streamed as server-sent events when `stream: true`.
 * @internal
 */
import { randomUUID } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { z } from "zod";
import { AIGATEWAY_PATHS, findActiveGatewayToken, type GatewayRateLimiter } from "./aigateway";
import { presentedBearer, secretEquals } from "./auth";
import { detailError, HttpError, ok, route, type Reply, type RequestContext, type Route } from "./http";
import { isLiveApiKey } from "./serverless";
import type { Store } from "./store";
import { certificatesInPem, checkClientCertificate } from "./tls";
import { validate, type ValidationDetail } from "./validation";
import { vaultValuesOfType } from "./vault";

/** Where each endpoint kind lives on the emulator (the private one on its HTTPS server). */
export const ENDPOINT_PATHS = {
  dedicatedBase: "/endpoints/dedicated",
  serverlessBase: "/endpoints/serverless",
  privateBase: "/endpoints/private",
  dedicatedChat: "/endpoints/dedicated/openai/v1/chat/completions",
  serverlessChat: "/endpoints/serverless/openai/v1/chat/completions",
  privateChat: "/endpoints/private/{certName}/openai/v1/chat/completions",
} as const;

const Message = z.object({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
});

const ChatRequest = z.object({
  model: z.string().nullish(),
  messages: z.array(Message).min(1),
  max_tokens: z.number().int().min(1).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
});
type ChatRequest = z.output<typeof ChatRequest>;

/** OpenAI's error shape, `{"error": {message, type, param, code}}`. */
function openAiError(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { error: { message, type, param, code } }, headers);
}

/** The refusal of a missing or wrong credential, in the words the AI gateway uses. */
function invalidAuthentication(): HttpError {
  return openAiError(401, "Invalid authentication token", "authentication_error", "invalid_authentication_token");
}

/** Reads the chat request; problems are OpenAI's 400 `invalid_request_error`. */
async function readChatRequest(ctx: RequestContext): Promise<ChatRequest> {
  try {
    return validate(ChatRequest, await ctx.json(), "body");
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 422) throw error;
    const details = (error.body as { detail: ValidationDetail[] }).detail;
    const where = (d: ValidationDetail) => d.loc.slice(1).join(".") || "body";
    const message = details.map((d) => `${where(d)}: ${d.msg}`).join("; ");
    throw openAiError(400, message, "invalid_request_error", null, details.length > 0 ? where(details[0]) : null);
  }
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function promptTokens(request: ChatRequest): number {
  let count = 0;
  for (const message of request.messages) {
    if (typeof message.content === "string") count += countWords(message.content);
    else if (Array.isArray(message.content))
      for (const part of message.content) {
        const text = (part as { text?: unknown } | null)?.text;
        if (typeof text === "string") count += countWords(text);
      }
  }
  return count;
}

/**
 * Answers a chat completion with a fixed, predictable reply (one "token" per word), cut at
 * `max_tokens`. Streaming follows OpenAI: chunks, then a usage chunk when
 * `stream_options.include_usage` is true, then `[DONE]` (written by the dispatcher).
 */
export function chatCompletion(request: ChatRequest, endpointKind: string): Reply {
  const model = request.model ?? "emulated-model";
  const allWords = `Hello from the ccluster emulator's ${endpointKind} endpoint.`.split(" ");
  const words = allWords.slice(0, request.max_tokens ?? allWords.length);
  const finishReason = words.length < allWords.length ? "length" : "stop";
  const choices = request.n ?? 1;
  const prompt = promptTokens(request);
  const usage = { prompt_tokens: prompt, completion_tokens: words.length * choices, total_tokens: prompt + words.length * choices };
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);

  if (!request.stream) {
    return ok({
      id,
      object: "chat.completion",
      created,
      model,
      choices: Array.from({ length: choices }, (_, index) => ({
        index,
        message: { role: "assistant", content: words.join(" ") },
        logprobs: null,
        finish_reason: finishReason,
      })),
      usage,
    });
  }

  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (choice: Record<string, unknown>[]) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: choice,
    ...(includeUsage ? { usage: null } : {}),
  });
  const events: unknown[] = [];
  for (let index = 0; index < choices; index++) {
    events.push(chunk([{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]));
    words.forEach((word, position) =>
      events.push(chunk([{ index, delta: { content: position === 0 ? word : ` ${word}` }, logprobs: null, finish_reason: null }])),
    );
    events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason }]));
  }
  if (includeUsage) events.push({ ...chunk([]), usage });
  return { status: 200, events };
}

/** The chat routes of the plain-HTTP server: dedicated, serverless and AI-gateway chat. */
export function endpointRoutes(store: Store, rateLimiter: GatewayRateLimiter): Route[] {
  return [
    route("POST", ENDPOINT_PATHS.dedicatedChat, async (ctx) => {
      const presented = presentedBearer(ctx);
      // A dedicated endpoint trusts the values of bearer-token vault items, and nothing else.
      if (!presented || !vaultValuesOfType(store.state, "bearer_tokens").some((value) => secretEquals(value, presented))) throw invalidAuthentication();
      return chatCompletion(await readChatRequest(ctx), "dedicated");
    }),

    route("POST", ENDPOINT_PATHS.serverlessChat, async (ctx) => {
      const presented = presentedBearer(ctx);
      if (!presented || !isLiveApiKey(store.state, presented)) throw invalidAuthentication();
      return chatCompletion(await readChatRequest(ctx), "serverless");
    }),

    route("POST", AIGATEWAY_PATHS.chat, async (ctx) => {
      const presented = presentedBearer(ctx, "cf-aig-authorization") ?? presentedBearer(ctx);
      const token = presented === undefined ? undefined : findActiveGatewayToken(store.state, ctx.params.gateway, presented);
      if (!token) throw invalidAuthentication();
      const admission = rateLimiter.admit(token);
      if (!admission.admitted)
        throw openAiError(429, "Rate limit exceeded for this token", "rate_limit_error", "rate_limit_exceeded", null, {
          "retry-after": String(admission.retryAfterSeconds),
        });
      return chatCompletion(await readChatRequest(ctx), "gateway");
    }),
  ];
}

/**
 * The chat route of the HTTPS server: the caller's client certificate must have been issued
 * by a CA stored in the vault as a `certificates` item named like the path's `certName`
 * (in any tenant), and both must be within their validity; otherwise 403.
 */
export function privateEndpointRoutes(store: Store): Route[] {
  return [
    route("POST", ENDPOINT_PATHS.privateChat, async (ctx) => {
      const client = (ctx.req.socket as TLSSocket).getPeerX509Certificate();
      if (!client) throw detailError(403, "A client certificate is required");
      const trusted = vaultValuesOfType(store.state, "certificates", ctx.params.certName).flatMap(certificatesInPem);
      const verdict = checkClientCertificate(client, trusted);
      if (verdict === "untrusted") throw detailError(403, "The client certificate is not issued by this endpoint's certificate authority");
      if (verdict === "expired") throw detailError(403, "The client certificate or its certificate authority is not valid at this time");
      return chatCompletion(await readChatRequest(ctx), "private");
    }),
  ];
}

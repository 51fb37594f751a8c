/**
 * The emulator's small HTTP layer on `node:http`: routes, request context, JSON and
 * server-sent-event answers, and the dispatcher that applies faults around every route.
 * @internal
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { EchoStyle, FaultController, FaultDecision } from "./faults";

/** A JSON answer. */
export interface JsonReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A `text/event-stream` answer: each event is sent as `data: <JSON>`, then `data: [DONE]`. */
export interface EventStreamReply {
  status: number;
  events: Iterable<unknown>;
}

export type Reply = JsonReply | EventStreamReply;

/** An answer other than success, thrown by a route and written by the dispatcher. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** FastAPI's usual error shape, `{"detail": "..."}`. */
export function detailError(status: number, detail: string, headers?: Record<string, string>): HttpError {
  return new HttpError(status, { detail }, headers);
}

/** A 200 JSON answer. */
export function ok(body: unknown, status = 200): JsonReply {
  return { status, body };
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body; 413 beyond 1 MiB. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(detailError(413, "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** What a route sees of a request. */
export class RequestContext {
  constructor(
    readonly req: IncomingMessage,
    readonly path: string,
    readonly query: URLSearchParams,
    readonly params: Record<string, string>,
    /** The body, read as soon as the request arrived (see the dispatcher); read on demand otherwise. */
    private bodyPromise?: Promise<Buffer>,
  ) {}

  get method(): string {
    return this.req.method ?? "GET";
  }

  /** A request header (lower-case name), first value only. */
  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  /** The raw body; 413 beyond 1 MiB. */
  body(): Promise<Buffer> {
    this.bodyPromise ??= readBody(this.req);
    return this.bodyPromise;
  }

  /** The body parsed as JSON (`undefined` when empty); a parse error is FastAPI's 422 `json_invalid`. */
  async json(): Promise<unknown> {
    const text = (await this.body()).toString("utf8");
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(422, { detail: [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", ctx: { error: "Expecting value" } }] });
    }
  }

  /** The body parsed as `application/x-www-form-urlencoded`. */
  async form(): Promise<URLSearchParams> {
    return new URLSearchParams((await this.body()).toString("utf8"));
  }
}

/** One route: a method, a path template such as `/user_vault/{secret_id}`, and its handler. */
export interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

/** Declares a route; `{name}` in the template matches one path segment, passed in `ctx.params`. */
export function route(method: string, template: string, handle: Route["handle"]): Route {
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
  return { method, template, pattern: new RegExp(`^${source}$`), handle };
}

/** Finds the route for a request: 404 when no path matches, 405 when only the method differs. */
export function resolveRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: Record<string, string> } {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(match.groups ?? {})) {
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    }
    return { route: candidate, params };
  }
  throw pathMatched ? detailError(405, "Method Not Allowed") : detailError(404, "Not Found");
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * The `echo` fault's answer: the request body sent back in `style`, as a server that quotes what
 * it could not process does (a client must keep any secret in it out of its errors).
 */
function writeEcho(res: ServerResponse, status: number, style: EchoStyle, body: Buffer, path: string): void {
  const text = body.toString("utf8");
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: echoed as text
  }
  const fields =
    parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? Object.entries(parsed).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)] as [string, string])
      : [["body", text] as [string, string]];
  switch (style) {
    case "raw": {
      const plain = `could not process ${path}: ${fields.map(([name, value]) => `${name}=${value}`).join(" ")}`;
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(plain)) });
      res.end(plain);
      return;
    }
    case "json":
      writeJson(res, status, { detail: [{ type: "value_error", loc: ["body"], msg: `Value error, could not process ${text}`, input: parsed }] });
      return;
    case "urlencoded":
      writeJson(res, status, { detail: `could not process ${path}?${new URLSearchParams(fields).toString()}` });
      return;
    case "base64":
      writeJson(res, status, { detail: `could not process ${path}; request body (base64): ${body.toString("base64")}` });
      return;
  }
}

function writeReply(res: ServerResponse, reply: Reply): void {
  if ("events" in reply) {
    res.writeHead(reply.status, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    for (const event of reply.events) res.write(`data: ${JSON.stringify(event)}\n\n`);
    res.end("data: [DONE]\n\n");
    return;
  }
  writeJson(res, reply.status, reply.body, reply.headers);
}

function errorReply(error: unknown): JsonReply {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  // A bug in the emulator: say so on stderr (no request data, so no secrets) and answer like FastAPI.
  console.error(`ccluster-emulator: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return { status: 500, body: { detail: "Internal Server Error" } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The request listener of one server: applies the fault set (except under `/_admin`), finds
 * the route, runs it and writes its answer.
 */
export function createDispatcher(routes: readonly Route[], faults: FaultController): RequestListener {
  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, fault: FaultDecision | undefined): Promise<void> {
    const method = req.method ?? "GET";
    let body: Promise<Buffer> | undefined;
    if (fault?.kind === "hold") {
      // Received, and carried out only when the fault set changes (the answer may find no one).
      body = readBody(req);
      body.catch(() => undefined);
      await fault.released;
    }
    if (fault?.latencyMs) {
      // A slow platform has received the request and answers late; it does not lose it. So the
      // body is taken in now: a client that gives up meanwhile closes the connection, and the
      // work is still done after the delay (only the answer goes nowhere).
      body = readBody(req);
      body.catch(() => undefined); // a failed read is reported when the route asks for the body
      await sleep(fault.latencyMs);
    }
    switch (fault?.kind) {
      case "drop":
        req.socket.destroy();
        return;
      case "error5xx":
        writeJson(res, fault.status, { detail: STATUS_CODES[fault.status] ?? "Server Error" });
        return;
      case "echo":
        writeEcho(res, fault.status, fault.style, await (body ?? readBody(req)), url.pathname);
        return;
      case "rateLimit":
        writeJson(res, 429, { detail: "Too Many Requests" }, { "retry-after": String(fault.retryAfterSeconds) });
        return;
    }
    let reply: Reply;
    try {
      const { route: found, params } = resolveRoute(routes, method, url.pathname);
      reply = await found.handle(new RequestContext(req, url.pathname, url.searchParams, params, body));
    } catch (error) {
      reply = errorReply(error);
    }
    if (fault?.kind === "responseLost") {
      // The work is done (and persisted); the client just never hears about it.
      req.socket.destroy();
      return;
    }
    writeReply(res, reply);
  }

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://emulator.invalid");
    } catch {
      writeJson(res, 400, { detail: "Bad Request" });
      return;
    }
    const fault = url.pathname.startsWith("/_admin") ? undefined : faults.decide(req.method ?? "GET", url.pathname);
    dispatch(req, res, url, fault)
      .catch((error: unknown) => {
        console.error(`ccluster-emulator: could not answer a request: ${error instanceof Error ? error.message : String(error)}`);
        req.socket.destroy();
      })
      .finally(() => {
        if (fault) faults.finished();
      });
  };
}

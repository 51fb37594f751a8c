/**
 * Switchable faults, so a client's resilience can be tested: latency, 5xx answers, error answers
 * that echo the request (as a careless server or proxy does, secrets and all), 429 with
 * Retry-After, dropped connections, and answers lost after the work was done.
 *
 * `next: N` hits the next N matching requests, `rate` is a probability per matching request.
 * At most one of drop, error5xx, echo, rateLimit and responseLost hits a request, checked in that
 * order; only the kind that hits uses up one of its `next`. Latency applies to every matching
 * request. `holdWritesAfter: N` lets N matching writes through and then holds every later one
 * (received, unanswered) until the fault set next changes: a test can stop a client at a known
 * point with its writes in flight. Requests under `/_admin` are never faulted.
 * @internal
 */
import { z } from "zod";

const countAndRate = {
  next: z.number().int().min(0).default(0),
  rate: z.number().min(0).max(1).default(0),
};

/** The fault set, as accepted by `PUT /_admin/faults` and `--faults`. Missing parts are off. */
export const FaultConfigSchema = z.object({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  error5xx: z.object({ ...countAndRate, status: z.number().int().min(500).max(599).default(503) }).prefault({}),
  /** An error answer whose body carries the request body back, encoded as `style` says ({@link EchoStyle}). */
  echo: z.object({ ...countAndRate, status: z.number().int().min(400).max(599).default(422), style: z.enum(["raw", "json", "urlencoded", "base64"]).default("json") }).prefault({}),
  rateLimit: z.object({ ...countAndRate, retryAfterSeconds: z.number().int().min(0).default(1) }).prefault({}),
  drop: z.object(countAndRate).prefault({}),
  responseLost: z.object(countAndRate).prefault({}),
  /** Matching writes (POST, PUT, PATCH, DELETE) after this many are held until the set changes. */
  holdWritesAfter: z.number().int().min(0).nullable().default(null),
  match: z
    .object({ method: z.string().min(1).nullish(), pathPrefix: z.string().min(1).nullish() })
    .prefault({}),
});

/** Checks a user's fault set; throws an Error naming each bad field. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const checked = FaultConfigSchema.safeParse(input ?? {});
  if (checked.success) return checked.data;
  throw new Error(`invalid fault set: ${checked.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
}

/** A complete fault set. */
export type FaultConfig = z.output<typeof FaultConfigSchema>;
/** A fault set as written by a user: every part optional. */
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

/** Fault kinds that replace or swallow the answer. */
export type FaultKind = "drop" | "error5xx" | "echo" | "rateLimit" | "responseLost";

/**
 * How an echo carries the request body: `raw` the top-level fields as read (`name=value`, values
 * unescaped) in a text/plain answer; `json` FastAPI's validation shape with the body text in `msg`
 * and the parsed body in `input`; `urlencoded` the fields as a form-encoded query string in
 * `detail`; `base64` the body's bytes in base64 in `detail`.
 */
export type EchoStyle = FaultConfig["echo"]["style"];

/** What happens to one request. */
export type FaultDecision =
  | { latencyMs: number; kind?: undefined }
  | { latencyMs: number; kind: "hold"; released: Promise<void> }
  | { latencyMs: number; kind: "drop" | "responseLost" }
  | { latencyMs: number; kind: "error5xx"; status: number }
  | { latencyMs: number; kind: "echo"; status: number; style: EchoStyle }
  | { latencyMs: number; kind: "rateLimit"; retryAfterSeconds: number };

/** How many requests were seen, and how many each fault kind hit (`GET /_admin/stats`). */
export interface FaultStats {
  requests: number;
  /** Requests received and not yet finished (answered, dropped, or abandoned by their client). */
  inFlight: number;
  matched: number;
  latency: number;
  drop: number;
  error5xx: number;
  echo: number;
  rateLimit: number;
  responseLost: number;
  /** Writes held by `holdWritesAfter` and not yet released. */
  held: number;
}

/** A promise with its resolve function (Node 20 has no Promise.withResolvers). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const KINDS_IN_ORDER: FaultKind[] = ["drop", "error5xx", "echo", "rateLimit", "responseLost"];

/** Holds the current fault set and counts what it did. */
export class FaultController {
  private config: FaultConfig;
  private counts: FaultStats = { requests: 0, inFlight: 0, matched: 0, latency: 0, drop: 0, error5xx: 0, echo: 0, rateLimit: 0, responseLost: 0, held: 0 };
  /** Matching writes let through since the fault set was last changed. */
  private writesSinceSet = 0;
  /** Resolves (releasing held writes) when the fault set next changes. */
  private release = deferred();

  /** Starts with a copy of `initial` (from {@link parseFaultConfig}). */
  constructor(
    initial: FaultConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.config = structuredClone(initial);
  }

  /** The current fault set, with the `next` counts that remain. */
  get current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Replaces the whole fault set (already validated). */
  set(config: FaultConfig): void {
    this.config = structuredClone(config);
    this.changed();
  }

  /** Turns every fault off. */
  clear(): void {
    this.config = FaultConfigSchema.parse({});
    this.changed();
  }

  /** A new fault set: held writes go on, and the write count of `holdWritesAfter` starts again. */
  private changed(): void {
    this.writesSinceSet = 0;
    this.release.resolve();
    this.release = deferred();
  }

  get stats(): FaultStats {
    return { ...this.counts };
  }

  /** Decides the fate of one request and counts it; call {@link finished} when it is done with. */
  decide(method: string, path: string): FaultDecision {
    this.counts.requests++;
    this.counts.inFlight++;
    const { match } = this.config;
    if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return { latencyMs: 0 };
    if (match.pathPrefix && !path.startsWith(match.pathPrefix)) return { latencyMs: 0 };
    this.counts.matched++;
    const latencyMs = this.config.latencyMs;
    if (latencyMs > 0) this.counts.latency++;
    const holdAfter = this.config.holdWritesAfter;
    if (holdAfter !== null && WRITE_METHODS.has(method.toUpperCase()) && this.writesSinceSet++ >= holdAfter) {
      this.counts.held++;
      const released = this.release.promise.then(() => {
        this.counts.held--;
      });
      return { latencyMs: 0, kind: "hold", released };
    }
    for (const kind of KINDS_IN_ORDER) {
      const setting = this.config[kind];
      const byCount = setting.next > 0;
      if (!byCount && !(setting.rate > 0 && this.random() < setting.rate)) continue;
      if (byCount) setting.next--;
      this.counts[kind]++;
      if (kind === "error5xx") return { latencyMs, kind, status: this.config.error5xx.status };
      if (kind === "echo") return { latencyMs, kind, status: this.config.echo.status, style: this.config.echo.style };
      if (kind === "rateLimit") return { latencyMs, kind, retryAfterSeconds: this.config.rateLimit.retryAfterSeconds };
      return { latencyMs, kind };
    }
    return { latencyMs };
  }

  /** A request counted by {@link decide} has been handled to the end. */
  finished(): void {
    this.counts.inFlight--;
  }
}

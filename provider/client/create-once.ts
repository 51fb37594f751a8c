/**
 * Creating something whose secret is only in the create answer (a serverless API key, a gateway
 * token), so that no attempt leaves a live credential behind that nobody holds the secret of.
 *
 * A create is never repeated blindly. After an attempt whose answer was lost (the connection
 * broke, a 5xx), what that attempt may have made is looked for and removed before the next try;
 * the tries go on, with the client's backoff, until its time budget is spent (retry.ts).
 * An attempt that timed out (or met a gateway timeout) may still land later, after the retry
 * succeeded: then the caller waits, up to `lateLandingMs`, for those late objects and removes
 * them too (unless the platform's unique names refuse them, `namesAreUnique`). An attempt refused
 * as a duplicate because an earlier one landed first (a unique name) is tried again once that one
 * is removed. On final failure, strays found are removed before the error is thrown.
 */
import { ErrorCodes, isPlatformError, isUncertainFailure, mayLandLater, type PlatformError } from "./errors";
import type { RetrySchedule } from "./retry";

export interface CreateOnceSteps<T extends { id: string }> {
  create: () => Promise<T>;
  /** Ids of objects an attempt of this call may have made (never objects that existed before it). */
  findStrays: () => Promise<string[]>;
  remove: (id: string) => Promise<unknown>;
  /** When to try again, and when to give up (the client's policy: backoff within a time budget). */
  retry: RetrySchedule;
  /** How long a timed-out request may still take to land on the platform. */
  lateLandingMs: number;
  /**
   * The platform refuses a second object with the name (gateway tokens): an attempt that lands
   * after a create succeeded is refused and makes nothing, so a success is not followed by a wait
   * for late landings. (Late landings are still waited for when the create finally fails.)
   */
  namesAreUnique?: boolean;
  /** Poll interval while waiting for late landings (default 250 ms). */
  pollMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createOnce<T extends { id: string }>(steps: CreateOnceSteps<T>): Promise<T> {
  let pendingLate = 0; // attempts that may still land, not yet found and removed
  /** Removes what earlier attempts made (but `keep`); returns how many were removed. */
  const removeStrays = async (keep?: string) => {
    let removed = 0;
    for (const id of await steps.findStrays()) {
      if (id === keep) continue;
      await steps.remove(id);
      removed++;
      pendingLate = Math.max(0, pendingLate - 1);
    }
    return removed;
  };
  for (;;) {
    try {
      const made = await steps.create();
      if (!steps.namesAreUnique) await sweepLateLandings(made.id);
      return made;
    } catch (e) {
      if (!isUncertainFailure(e)) {
        // Where names are unique (gateway tokens), an earlier attempt that landed late, after
        // the strays were last looked for, refuses this one as a duplicate. With it removed, the
        // name is free: try again. Each such retry removes a stray, so this cannot loop.
        if ((await removeStrays()) > 0 && isPlatformError(e, ErrorCodes.CONFLICT)) continue;
        throw e;
      }
      if (mayLandLater(e)) pendingLate++;
      // The strays are removed before the next try, so repeating the create cannot leave two.
      const delay = steps.retry.nextDelay(e as PlatformError, true);
      await pause(delay ?? 200);
      await removeStrays();
      if (delay === undefined) {
        await sweepLateLandings(undefined);
        throw e;
      }
    }
  }

  async function sweepLateLandings(keep: string | undefined): Promise<void> {
    const deadline = Date.now() + steps.lateLandingMs;
    while (pendingLate > 0 && Date.now() < deadline) {
      await pause(steps.pollMs ?? 250);
      await removeStrays(keep);
    }
  }
}

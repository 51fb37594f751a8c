/**
 * Telling the engine which properties a `diff` found changed, so `pulumi preview` shows them
 * (`[diff: ~pem]`, and `~ pem` under `--diff`) even when no input changed: a `.pem` file deleted
 * or edited on disk is drift that only the provider sees.
 *
 * A provider says so in its gRPC answer (`diffs`, `detailedDiff`), but the dynamic-provider host
 * of @pulumi/pulumi (3.246) copies only `changes`, `replaces` and `deleteBeforeReplace` from a
 * dynamic provider's result (pulumi/pulumi#3080). Without the rest the engine diffs old and new
 * inputs itself, finds them equal, and shows `~ update` with nothing marked. So, inside that host
 * only, this completes the answer: right after reading `result.changes` the host calls
 * `setChanges` on its response, synchronously; the result's `changes` getter hands over what
 * changed, and `setChanges` (wrapped once) writes it into the response. Anywhere else, or if the
 * host ever changes shape, the result is returned as it is and only the display is poorer.
 */
import * as path from "node:path";

/** What one `diff` found. */
export interface ChangedProperties {
  changes: boolean;
  replaces: string[];
  /** Every property that changed, including those that force a replacement. */
  diffs: string[];
}

type Response = {
  setDiffsList(keys: string[]): void;
  setHasdetaileddiff(value: boolean): void;
  getDetaileddiffMap(): { set(key: string, value: unknown): void };
};

/** What the next `setChanges` of the host is to write; set by a result's `changes` getter. */
let handedOver: ChangedProperties | undefined;
let installed: boolean | undefined;

/**
 * Returns `result` so that, in the dynamic-provider host, the engine also learns which properties
 * changed (the keys of `diffs`, as updates or, for those in `replaces`, replacements).
 */
export function reportChangedProperties<R extends ChangedProperties>(result: R): R {
  if (!(installed ??= install()) || !result.changes || result.diffs.length === 0) return result;
  const { changes, ...rest } = result;
  return Object.defineProperty(rest, "changes", {
    enumerable: true,
    get() {
      handedOver = result;
      // Read by anyone but the host (which calls setChanges at once), it must not reach a later answer.
      queueMicrotask(() => {
        if (handedOver === result) handedOver = undefined;
      });
      return changes;
    },
  }) as R;
}

/** Wraps the host's `DiffResponse.setChanges`, when this process is that host. */
function install(): boolean {
  const main = require.main?.filename ?? "";
  if (!/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(main)) return false;
  try {
    // The host's own copy of the generated messages (a program may hold more than one @pulumi/pulumi).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
    const { DiffResponse, PropertyDiff } = require(path.join(path.dirname(main), "..", "..", "proto", "provider_pb"));
    const proto = DiffResponse?.prototype;
    if (typeof proto?.setChanges !== "function" || typeof proto.setDiffsList !== "function" || typeof proto.getDetaileddiffMap !== "function") return false;
    const setChanges = proto.setChanges;
    proto.setChanges = function (this: Response, value: unknown) {
      const found = handedOver;
      handedOver = undefined;
      if (found) {
        this.setDiffsList(found.diffs);
        this.setHasdetaileddiff(true);
        const detailed = this.getDetaileddiffMap();
        for (const key of found.diffs) {
          const kind = found.replaces.includes(key) ? PropertyDiff.Kind.UPDATE_REPLACE : PropertyDiff.Kind.UPDATE;
          // inputDiff: the engine shows the old and new inputs, as it does for a change it found itself.
          detailed.set(key, new PropertyDiff().setKind(kind).setInputdiff(true));
        }
      }
      return setChanges.call(this, value);
    };
    return true;
  } catch {
    return false;
  }
}

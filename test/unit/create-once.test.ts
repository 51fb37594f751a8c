/**
 * createOnce against a fake platform: a create whose first attempt timed out and may land later.
 * Where names are not unique (serverless keys) the late object is waited for and removed; where
 * the platform refuses a second object of the name (gateway tokens) a success needs no wait.
 */
import { createOnce } from "../../provider/client/create-once";
import { ErrorCodes, PlatformError } from "../../provider/client/errors";
import { RetrySchedule } from "../../provider/client/retry";

const timedOut = () => new PlatformError("did not answer in time", { code: ErrorCodes.NETWORK, timedOut: true, mayHaveSucceeded: true });

/** A platform where the first create times out on the client and its object lands `lateMs` later. */
function platformWithALateCreate(opts: { uniqueNames: boolean; lateMs: number }) {
  const objects: string[] = [];
  let creates = 0;
  let strayLookupsAfterSuccess = 0;
  let succeeded = false;
  const land = (id: string) => {
    if (opts.uniqueNames && objects.length > 0) return false; // refused: the name is taken
    objects.push(id);
    return true;
  };
  const steps = {
    create: async (): Promise<{ id: string }> => ({ id: "" }),
    findStrays: async () => {
      if (succeeded) strayLookupsAfterSuccess++;
      return objects.filter((id) => id === "late");
    },
    remove: async (id: string) => {
      objects.splice(objects.indexOf(id), 1);
    },
    retry: new RetrySchedule({ budgetMs: 5_000, baseDelayMs: 1, maxDelayMs: 1, maxRetries: 10 }),
    lateLandingMs: 2_000,
    pollMs: 10,
  };
  const late = new Promise<void>((resolve) => {
    steps.create = async () => {
      creates++;
      if (creates === 1) {
        setTimeout(() => (land("late"), resolve()), opts.lateMs);
        throw timedOut();
      }
      if (!land(`made-${creates}`)) throw new PlatformError("name taken", { code: ErrorCodes.CONFLICT, status: 409 });
      succeeded = true;
      return { id: `made-${creates}` };
    };
  });
  return { steps, objects, late, strayLookupsAfterSuccess: () => strayLookupsAfterSuccess };
}

test("names not unique: the late object is waited for and removed; exactly the one returned is left", async () => {
  const p = platformWithALateCreate({ uniqueNames: false, lateMs: 200 });
  const made = await createOnce(p.steps);
  expect(p.objects).toEqual([made.id]);
  expect(p.strayLookupsAfterSuccess()).toBeGreaterThan(0);
});

test("names unique: a success is not followed by a wait, and the late create, refused, leaves nothing", async () => {
  const p = platformWithALateCreate({ uniqueNames: true, lateMs: 200 });
  const made = await createOnce({ ...p.steps, namesAreUnique: true });
  expect(p.strayLookupsAfterSuccess()).toBe(0);
  await p.late;
  expect(p.objects).toEqual([made.id]);
});

/** The hand-over between the ordered steps of an end-to-end file (test/support/steps.ts). */
import { Steps } from "../support/steps";

test("a later step gets what an earlier one recorded", () => {
  const steps = new Steps<{ created: { id: string } }>({ created: "up creates it" });
  expect(steps.finished("created", { id: "1" })).toEqual({ id: "1" });
  expect(steps.after("created")).toEqual({ id: "1" });
});

test("when the earlier step did not finish, the later one fails naming it", () => {
  const steps = new Steps<{ created: true }>({ created: "up creates it" });
  expect(() => steps.after("created")).toThrow('this step needs the step "up creates it" to have finished first, and it did not (it failed, or was not selected): run the file whole');
});

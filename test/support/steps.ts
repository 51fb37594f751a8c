/**
 * The steps of an end-to-end scenario run in order on one stack, and a later step often needs
 * what an earlier one did (the stack it created, the values it changed). Rather than reading
 * module-level variables that an earlier test may or may not have set, a step records what it
 * hands on when it finishes, and a later step asks for it by name: when the earlier step did not
 * run (`jest -t`) or failed, the later one fails saying which step to run, instead of going on
 * with an empty or stale value.
 *
 * @example
 * const steps = new Steps<{ created: Outputs }>({ created: "up creates every kind" });
 * test("up creates every kind", async () => { ...; steps.finished("created", await outputs()); });
 * test("a second up changes nothing", async () => { const first = steps.after("created"); ... });
 */
export class Steps<R extends Record<string, unknown>> {
  private readonly results = new Map<keyof R, unknown>();

  /** @param producers the title of the test that produces each result, for the error message */
  constructor(private readonly producers: { readonly [K in keyof R]: string }) {}

  /** Records what a finished step hands on to later ones; returns it. */
  finished<K extends keyof R>(name: K, value: R[K]): R[K] {
    this.results.set(name, value);
    return value;
  }

  /** What an earlier step handed on; throws when that step did not run or did not finish. */
  after<K extends keyof R>(name: K): R[K] {
    if (!this.results.has(name)) {
      throw new Error(`this step needs the step "${this.producers[name]}" to have finished first, and it did not (it failed, or was not selected): run the file whole`);
    }
    return this.results.get(name) as R[K];
  }
}

/**
 * What a kind can opt into beyond create/read/update/delete, by listing it in its declaration's
 * `features` (see features/: adoption, rotation, vault visibility). The lifecycle runs the hooks
 * of the listed features and knows none of their inputs itself.
 */
import type { Created, KindDeclaration, OperationContext, State } from "./declaration";
import type { CheckFailure } from "./validation";

/** Checked inputs, as the lifecycle holds them for any kind. */
export type Inputs = Record<string, unknown>;

export interface Feature {
  /** Inputs whose change replaces the resource even when the kind can update in place. */
  readonly replaceOnChange?: readonly string[];
  /** The inputs that name the object on the platform, for kinds that declare no `identity`. */
  readonly identity?: readonly string[];
  /** What an identity input means when a state lacks it. */
  readonly identityDefaults?: State;
  /** `check`: combinations of inputs the feature cannot honour. */
  check?(inputs: Inputs, kind: KindDeclaration): CheckFailure[];
  /** `check`: true when the object's name comes from the platform, so none is chosen for it. */
  keepsPlatformName?(inputs: Inputs): boolean;
  /** `diff`: a reason to replace that comes from the clock, as the input to report. */
  replaceReason?(olds: State, news: Inputs, now: Date): string | undefined;
  /** `diff`: throws when replacing would do harm (delete what cannot be made again). */
  refuseReplacement?(kind: KindDeclaration, olds: State, news: Inputs, replaces: readonly string[]): void;
  /** `create`: makes the object some other way (takes over an existing one); undefined lets the kind create it. */
  create?(kind: KindDeclaration, inputs: Inputs, ctx: OperationContext): Promise<Created | undefined>;
  /** `create` and `update`: outputs the feature adds to the state. */
  outputs?(inputs: Inputs, createdAt: string): State;
}

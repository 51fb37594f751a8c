/** The real Pulumi engine for tests: the implementation lives in scripts/engine.ts (the demo uses it too). */
export * from "../../scripts/engine";

/**
 * Three lanes, as jest projects (`jest --selectProjects <name>`; package.json's test:* scripts):
 * - unit:        test/unit and test/policy; neither the Pulumi engine nor the network.
 * - integration: test/emulator and test/integration; the in-process emulator over loopback.
 * - e2e:         test/e2e and test/engine; the real Pulumi engine (scripts/install-pulumi.sh) and
 *                Go (the language host's tests and the SDK generators).
 * `npm test` runs all three, in that order (test/support/lane-sequencer.js). Jest runs the
 * TypeScript tests directly (ts-jest, isolatedModules: no type-checking; `npm run lint` type-checks
 * them with tsconfig.test.json); the code that the Pulumi engine loads (the serialized
 * dynamic provider), the emulator's CLI and the compiled policy pack come from dist/, which every
 * test:* script builds first.
 */
const lane = (displayName, roots) => ({
  displayName,
  testEnvironment: "node",
  rootDir: __dirname,
  roots: roots.map((r) => `<rootDir>/${r}`),
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { types: ["node", "jest"], esModuleInterop: true, strict: true, isolatedModules: true } }] },
  // scripts/engine.ts refuses to build the engine for a test outside the e2e lane.
  globals: { CCLUSTER_TEST_LANE: displayName },
});

module.exports = {
  projects: [lane("unit", ["test/unit", "test/policy"]), lane("integration", ["test/emulator", "test/integration"]), lane("e2e", ["test/e2e", "test/engine"])],
  testTimeout: 60000,
  testSequencer: "<rootDir>/test/support/lane-sequencer.js",
  // Progress while the long end-to-end files run (test/support/progress-reporter.js says why).
  reporters: ["default", "<rootDir>/test/support/progress-reporter.js"],
};

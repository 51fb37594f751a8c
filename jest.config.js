/** Jest runs the TypeScript tests directly (ts-jest); the code under test that the
 * Pulumi engine loads (the serialized dynamic provider) comes from dist/, built by `pretest`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { types: ["node", "jest"], esModuleInterop: true, strict: true, isolatedModules: true } }] },
  testTimeout: 60000,
  // Progress while the long end-to-end files run (test/support/progress-reporter.js says why).
  reporters: ["default", "<rootDir>/test/support/progress-reporter.js"],
};

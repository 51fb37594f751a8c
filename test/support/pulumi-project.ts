/** Test projects with the real engine: the implementation is shared with the demo in scripts/project.ts. */
export { createTestProject, linkDependencies, repoRoot, type TestProject, type ProjectOptions } from "../../scripts/project";

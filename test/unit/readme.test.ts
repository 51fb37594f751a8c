/** The README's TypeScript is real: every block is code from an example that the e2e tests run. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const significant = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "");

test("every ```ts block in README.md appears, line for line, in an example's index.ts", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => significant(m[1]));
  expect(blocks.length).toBeGreaterThan(0);
  const examples = readdirSync(join(root, "examples")).map((name) => significant(readFileSync(join(root, "examples", name, "index.ts"), "utf8")).join("\n"));
  for (const block of blocks) {
    const found = examples.some((source) => source.includes(block.join("\n")));
    expect({ block: block.slice(0, 2), found }).toEqual({ block: block.slice(0, 2), found: true });
  }
});

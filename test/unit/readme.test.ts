/**
 * The README's programs are real: every TypeScript, YAML and Python block is code from an
 * example that the e2e tests run (its index.ts, Pulumi.yaml or __main__.py).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const significant = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "");

/** The file that holds an example's program, by the language of the README's code block. */
const programFiles = { ts: "index.ts", yaml: "Pulumi.yaml", python: "__main__.py" } as const;

test.each(Object.entries(programFiles))("every ```%s block in README.md appears, line for line, in an example's %s", (language, file) => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => significant(m[1]));
  if (language === "ts") expect(blocks.length).toBeGreaterThan(0);
  const sources = readdirSync(join(root, "examples"))
    .map((name) => join(root, "examples", name, file))
    .filter((path) => existsSync(path))
    .map((path) => significant(readFileSync(path, "utf8")).join("\n"));
  for (const block of blocks) {
    const found = sources.some((source) => source.includes(block.join("\n")));
    expect({ block: block.slice(0, 2), found }).toEqual({ block: block.slice(0, 2), found: true });
  }
});

/**
 * The one search for secrets in what a test run leaves behind: the forms a secret can take in a
 * text, the places to look (a run's output, the CLI's state export, the backend's files), the leak
 * search that reports "what in where" and never a value, and its control (a text where every
 * secret must be found, so an empty leak report is not an empty search).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runPulumi } from "../harness/engine";
import type { TestProject } from "./pulumi-project";

/** A value that must never be in plaintext, and what it is: a leak report names this, never the value. */
export interface SecretValue {
  what: string;
  value: string;
}

/** A text a secret could reach, and where it came from (what a leak report names). */
export interface Place {
  where: string;
  text: string;
}

const formsCache = new Map<string, string[]>();
// Held locally: under jest a global looked up in a hot loop goes through the test context, ~40 times slower.
const imul = Math.imul;

/**
 * Every form in which a text could carry the secret: raw; JSON-escaped once and twice (a JSON
 * document in a JSON string, as the registry credential's value is, or `--show-secrets`'
 * plaintext), the usual way and with `\uXXXX` (either hex case) for non-ASCII and `\/`; each of
 * those URL-encoded (path and form style, either hex case) and in base64 (standard and URL
 * alphabets, on its own and at each of the three offsets it can have inside a longer base64
 * text). Written here rather than taken from the scrubber, so a form the scrubber forgets is
 * still looked for.
 */
export function encodedForms(secret: string): string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const asciiEscape = (upper: boolean) => (s: string) =>
    s.replace(/[\u0080-\uffff]/g, (c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    });
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const escapes = [json, (s: string) => asciiEscape(false)(json(s)), (s: string) => asciiEscape(true)(json(s)), (s: string) => json(s).replace(/\//g, "\\/")];
  const escaped = new Set([secret, ...escapes.map((e) => e(secret))]);
  for (const once of [...escaped]) for (const e of escapes) escaped.add(e(once));
  const forms = new Set<string>();
  for (const text of escaped) {
    const uri = encodeURIComponent(text);
    const form = new URLSearchParams({ v: text }).toString().slice(2);
    for (const f of [text, uri, form]) forms.add(f).add(f.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
    const bytes = Buffer.from(text, "utf8");
    for (const alphabet of ["base64", "base64url"] as const) {
      forms.add(bytes.toString(alphabet));
      for (let offset = 0; offset < 3; offset++) {
        // Only the characters made of the text's bits alone: the same wherever the text sits.
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]).toString(alphabet);
        forms.add(encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6)));
      }
    }
  }
  const all = [...forms].filter((f) => f.length > 0);
  formsCache.set(secret, all);
  return all;
}

/**
 * A search for the secrets (by index) in any form in a text. Hundreds of forms per secret over
 * megabytes of state backups are too many `includes`: each form is indexed by a hash of a few of
 * its middle characters, each text is hashed in one rolling pass, and only hash hits are compared
 * in full.
 */
function searchFor(secrets: SecretValue[]): (text: string) => Set<number> {
  const K = 8;
  const B = 31;
  const hashOf = (s: string, from: number) => {
    let h = 0;
    for (let i = from; i < from + K; i++) h = (imul(h, B) + s.charCodeAt(i)) | 0;
    return h;
  };
  const BITS = 22;
  const seen = new Uint8Array(1 << BITS); // a cheap first look before the map
  const short: { secret: number; form: string }[] = [];
  const index = new Map<number, { secret: number; form: string; anchor: number }[]>();
  secrets.forEach((s, secret) => {
    for (const form of encodedForms(s.value)) {
      if (form.length < K) {
        short.push({ secret, form });
        continue;
      }
      const anchor = (form.length - K) >> 1;
      const h = hashOf(form, anchor);
      seen[h >>> (32 - BITS)] = 1;
      const entries = index.get(h) ?? [];
      entries.push({ secret, form, anchor });
      index.set(h, entries);
    }
  });
  let pow = 1; // B^(K-1), to take the leaving character out of the window's hash
  for (let i = 1; i < K; i++) pow = imul(pow, B);
  return (text) => {
    const found = new Set(short.filter((s) => text.includes(s.form)).map((s) => s.secret));
    if (text.length < K) return found;
    let h = hashOf(text, 0);
    for (let i = 0; ; i++) {
      if (seen[h >>> (32 - BITS)]) {
        const entries = index.get(h);
        if (entries) for (const e of entries) if (!found.has(e.secret) && i >= e.anchor && text.startsWith(e.form, i - e.anchor)) found.add(e.secret);
      }
      if (i + K >= text.length) break;
      h = (imul(h - imul(text.charCodeAt(i), pow), B) + text.charCodeAt(i + K)) | 0;
    }
    return found;
  };
}

/** Each secret found in a place, as "what in where" (the value itself is not repeated). */
export function leaksIn(secrets: SecretValue[], places: Place[]): string[] {
  const search = searchFor(secrets);
  const found = places.map((p) => search(p.text));
  // A file searched before and after a destroy is reported once.
  return [...new Set(secrets.flatMap((s, i) => places.filter((_, j) => found[j].has(i)).map((p) => `${s.what} in ${p.where}`)))];
}

/** The secrets that none of the places holds: the control, run over a text that must hold them all. */
export function unfoundIn(secrets: SecretValue[], places: Place[]): string[] {
  const search = searchFor(secrets);
  const found = places.map((p) => search(p.text));
  return secrets.filter((_, i) => !found.some((f) => f.has(i))).map((s) => s.what);
}

/** The engine's output of a run, as places to search. */
export function outputOf(what: string, run: { stdout: string; stderr: string }): Place[] {
  return [
    { where: `${what} (stdout)`, text: run.stdout },
    { where: `${what} (stderr)`, text: run.stderr },
  ];
}

/** Every file below a folder (paths). */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * The CLI's export as a user runs it (first: it is what the Automation API's exportStack would
 * decrypt), and every file of the backend, each named. The update history records the stack
 * config as it was set (as Pulumi.<stack>.yaml does). `historyConfig: "searched"` when every
 * secret was set with `--secret`, so that record must hold them encrypted too; "left out" when a
 * test sets one plain on purpose or searches for values the config holds as set.
 */
export async function statePlaces(project: TestProject, options: { historyConfig: "searched" | "left out" }): Promise<Place[]> {
  const exported = await runPulumi(["stack", "export", "--stack", project.stack.name, "--non-interactive"], { cwd: project.dir, env: project.env });
  if (exported.code !== 0) throw new Error(`pulumi stack export exited ${exported.code}: ${exported.stderr}`);
  const backendDir = project.env.PULUMI_BACKEND_URL.replace("file://", "");
  const read = (f: string) =>
    options.historyConfig === "left out" && f.endsWith(".history.json") ? JSON.stringify({ ...JSON.parse(readFileSync(f, "utf8")), config: undefined }) : readFileSync(f, "utf8");
  return [{ where: `pulumi stack export (${project.stack.name})`, text: exported.stdout }, ...backendPlaces(backendDir, read)];
}

/** Every file of a backend folder, each named, as read by `read` (as it is, unless told). */
export function backendPlaces(backendDir: string, read: (file: string) => string = (f) => readFileSync(f, "utf8")): Place[] {
  return listFiles(backendDir).map((f) => ({ where: `backend file ${relative(backendDir, f)}`, text: read(f) }));
}

/**
 * A small text (an error, a client's message) and what it decodes to in every way a secret could
 * be hidden in it, in any order up to four steps deep: JSON unescaping, URL and form decoding, and
 * base64 / base64url decoding of every run that looks like base64 (at each of the four
 * alignments); each a place named by its steps. The other side of {@link encodedForms}: it also
 * finds encodings nested in an order no form lists. Too slow for state files.
 */
export function decodedPlaces(place: Place): Place[] {
  const jsonUnescape = (s: string) =>
    s.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e: string) =>
      e[0] === "u" ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e,
    );
  const percentDecode = (s: string) =>
    s.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  const base64Decode = (shift: number) => (s: string) =>
    s.replace(/[A-Za-z0-9+/_-]{8,}={0,2}/g, (run) => run.slice(0, shift) + Buffer.from(run.slice(shift), "base64").toString("utf8"));
  const steps: [string, (s: string) => string][] = [
    ["JSON-unescaped", jsonUnescape],
    ["URL-decoded", percentDecode],
    ["form-decoded", (s: string) => percentDecode(s.replace(/\+/g, " "))],
    ...[0, 1, 2, 3].map((shift): [string, (s: string) => string] => [`base64-decoded at ${shift}`, base64Decode(shift)]),
  ];
  const seen = new Map([[place.text, place.where]]);
  let frontier = [place.text];
  for (let depth = 0; depth < 4; depth++) {
    const next: string[] = [];
    for (const s of frontier)
      for (const [name, step] of steps) {
        const decoded = step(s);
        if (seen.has(decoded)) continue;
        seen.set(decoded, `${seen.get(s)}, ${name}`);
        next.push(decoded);
      }
    frontier = next;
  }
  return [...seen].map(([text, where]) => ({ where, text }));
}

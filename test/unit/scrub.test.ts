/**
 * scrub(): a secret must not survive in any form a platform may echo it back in, encoded or not.
 * A registry password was once shown by `pulumi up` because the platform echoed it in a 422 body.
 */
import { scrub } from "../../provider/client/errors";

/** Quotes, a backslash, a slash, a newline, a tab, spaces, URL, HTML and base64 specials, and non-ASCII (BMP and astral). */
const secret = 'Pa"ss\\wo/rd+ 1<&>2=3?\n\tzé€😀~end';

const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);
/** Python's json.dumps (ensure_ascii): every non-ASCII character as \uXXXX, lower-case hex, surrogate pairs. */
const pythonAsciiInner = (s: string) =>
  jsonInner(s).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
/** Go's encoding/json: <, > and & as \u003c, \u003e, \u0026. */
const goInner = (s: string) => jsonInner(s).replace(/[<>&]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
const formEncoded = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** [name, how the secret appears in the echoed text] */
const forms: [string, string][] = [
  ["raw", secret],
  ["JSON-escaped (JSON.stringify without the quotes)", jsonInner(secret)],
  ["JSON-escaped, ASCII only (Python's json.dumps)", pythonAsciiInner(secret)],
  ["JSON-escaped, ASCII only, upper-case hex", pythonAsciiInner(secret).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => "\\u" + h.toUpperCase())],
  ["JSON-escaped, Go style (<>& escaped)", goInner(secret)],
  ["a JSON string embedded in JSON (escaped twice)", jsonInner(jsonInner(secret))],
  ["escaped twice, ASCII only inside", jsonInner(pythonAsciiInner(secret))],
  ["escaped twice, ASCII only outside (Python dumps of a JS-made JSON value)", pythonAsciiInner(jsonInner(secret))],
  ["encodeURIComponent", encodeURIComponent(secret)],
  ["encodeURIComponent, lower-case hex", encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
  ["form encoding (spaces as +)", formEncoded(secret)],
  ["URL-encoded JSON-escaped form", encodeURIComponent(jsonInner(secret))],
  ["base64", b64(secret)],
  ["base64url", b64url(secret)],
  ["base64 of the JSON-escaped form", b64(jsonInner(secret))],
];

describe("scrub removes every form of a secret", () => {
  test.each(forms)("%s", (_name, form) => {
    const text = `before ${form} after`;
    const out = scrub(text, [secret]);
    expect(out).not.toContain(form);
    expect(out).toContain("[redacted]");
    expect(out.startsWith("before ")).toBe(true); // only the secret goes, not the platform's words
    expect(out.endsWith(" after")).toBe(true);
  });

  // Inside a longer base64 text the secret's encoding depends on where it starts (offset mod 3).
  test.each([0, 1, 2, 3, 4, 5])("base64 of a text with the secret %i bytes in (e.g. an HTTP Basic header or an encoded body)", (offset) => {
    const whole = `${"u".repeat(offset)}:${secret}:tail-of-the-encoded-body`;
    for (const encoded of [b64(whole), b64url(whole)]) {
      const out = scrub(`echo ${encoded}`, [secret]);
      // Whatever base64 is left must not decode back to the secret or to a good part of it.
      const decodable = out.match(/[A-Za-z0-9+/_=-]{4,}/g) ?? [];
      for (let shift = 0; shift < 4; shift++) {
        for (const run of decodable) {
          const decoded = Buffer.from(run.slice(shift), "base64").toString("latin1");
          expect(decoded).not.toContain("ss\\wo/rd");
          expect(decoded).not.toContain("1<&>2=3?");
        }
      }
    }
  });

  test("a JSON value (a registry credential's {username, password}) is scrubbed as a whole and part by part", () => {
    const password = "r3gistry-Pa$$word";
    const value = JSON.stringify({ username: "robot", password, server: "registry.example.com" });
    for (const echoed of [password, jsonInner(jsonInner(password)), encodeURIComponent(password), b64(password)]) {
      const out = scrub(`the password ${echoed} is wrong`, [value]);
      expect(out).toBe("the password [redacted] is wrong");
    }
    expect(scrub(`bad: ${value}`, [value])).toBe("bad: [redacted]");
    expect(scrub(`bad: ${jsonInner(value)}`, [value])).toBe("bad: [redacted]");
  });

  test("escaped key-value pairs of credentials are redacted even when the value is not known", () => {
    const out = scrub(`{\\"username\\":\\"robot\\",\\"password\\":\\"unknown-to-us-123\\"} and client_secret=abc123xyz&x=1`);
    expect(out).not.toContain("unknown-to-us-123");
    expect(out).not.toContain("abc123xyz");
    expect(out).toContain("robot");
  });

  test("Bearer and Basic credentials are redacted even when the value is not known", () => {
    const basic = b64("client-id:client-secret");
    const out = scrub(`headers: Authorization: Basic ${basic}, authorization: Bearer eyJhbGciOi.payload.sig`);
    expect(out).not.toContain(basic);
    expect(out).not.toContain("eyJhbGciOi");
    expect(out).toBe("headers: Authorization: Basic [redacted], authorization: Bearer [redacted]");
  });

  test("very short secrets are not used (they would redact ordinary words), other text is left as it was", () => {
    expect(scrub("the key abc is too short", ["abc"])).toBe("the key abc is too short");
    expect(scrub("value must be at most 4096 characters", ["s3cr3t-value"])).toBe("value must be at most 4096 characters");
  });

  test("the result is cut to 500 characters after scrubbing, so a cut never leaves half a secret", () => {
    const long = `${"x".repeat(495)}${secret}`;
    const out = scrub(long, [secret]);
    expect(out).not.toContain("Pa\"s");
    expect(out.length).toBeLessThanOrEqual(500);
  });
});

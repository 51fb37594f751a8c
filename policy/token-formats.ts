/**
 * Recognisable credential formats, for spotting a secret pasted into a plain environment
 * variable. Each entry says what the value looks like and which kind should hold it instead.
 * Matching reports only the format's label: callers must never echo the value.
 */

/** One credential format. */
export interface TokenFormat {
  /** Stable id, usable in config and tests. */
  id: string;
  /** What the value is, for messages (no part of the value). */
  label: string;
  pattern: RegExp;
  /** Where such a value belongs instead. */
  useInstead: string;
}

const BEARER = "ccluster.BearerToken (endpoint tokens) or a secret store the deployment reads at start-up";

/** Known formats, most specific first (an Anthropic key also looks like a generic `sk-` key). */
export const TOKEN_FORMATS: readonly TokenFormat[] = [
  { id: "huggingface", label: "a Hugging Face token (hf_…)", pattern: /\bhf_[A-Za-z0-9]{30,}/, useInstead: "ccluster.HuggingFaceToken (deployment field hf_token)" },
  { id: "huggingface-org", label: "a Hugging Face organisation token (api_org_…)", pattern: /\bapi_org_[A-Za-z0-9]{30,}/, useInstead: "ccluster.HuggingFaceToken" },
  { id: "anthropic", label: "an Anthropic API key (sk-ant-…)", pattern: /\bsk-ant-[a-z]+\d{2}-[A-Za-z0-9_-]{20,}/, useInstead: BEARER },
  { id: "openai", label: "an OpenAI API key (sk-…)", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/, useInstead: BEARER },
  { id: "nvidia", label: "an NVIDIA API key (nvapi-…)", pattern: /\bnvapi-[A-Za-z0-9_-]{20,}/, useInstead: BEARER },
  { id: "aws-access-key", label: "an AWS access key id (AKIA…/ASIA…)", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/, useInstead: "ccluster.RegistryCredential for ECR pulls, otherwise a role or a secret store" },
  { id: "github", label: "a GitHub token (ghp_…/github_pat_…)", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/, useInstead: "ccluster.RegistryCredential for ghcr.io pulls, otherwise a secret store" },
  { id: "gitlab", label: "a GitLab token (glpat-…)", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/, useInstead: "ccluster.RegistryCredential for registry pulls, otherwise a secret store" },
  { id: "docker-hub", label: "a Docker Hub access token (dckr_pat_…)", pattern: /\bdckr_pat_[A-Za-z0-9_-]{20,}/, useInstead: "ccluster.RegistryCredential" },
  { id: "google-api-key", label: "a Google API key (AIza…)", pattern: /\bAIza[0-9A-Za-z_-]{35}/, useInstead: BEARER },
  { id: "slack", label: "a Slack token (xox…)", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, useInstead: BEARER },
  { id: "stripe", label: "a Stripe live key", pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}/, useInstead: BEARER },
  { id: "jwt", label: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/, useInstead: BEARER },
  { id: "private-key", label: "a PEM private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, useInstead: "ccluster.Certificate (mTLS) with ccluster.PemFile, or ccluster.SshKey for the public half of an SSH key" },
  { id: "azure-connection-string", label: "an Azure connection string with an account key", pattern: /AccountKey=[A-Za-z0-9+/=]{40,}/, useInstead: "a secret store the deployment reads at start-up" },
  { id: "url-credentials", label: "a URL with an embedded password", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i, useInstead: "a URL without credentials plus a dedicated credential" },
];

/** The first known format a value matches, if any. */
export function detectTokenFormat(value: string, extraPatterns: readonly string[] = []): TokenFormat | undefined {
  const known = TOKEN_FORMATS.find((f) => f.pattern.test(value));
  if (known) return known;
  const extra = extraPatterns.find((p) => new RegExp(p).test(value));
  return extra === undefined ? undefined : { id: "custom", label: "a configured secret pattern", pattern: new RegExp(extra), useInstead: BEARER };
}

/**
 * Words of a variable name: split on `_`, `-`, `.` and lower→upper case changes, upper-cased.
 *
 * @example nameWords("hfToken_VALUE") // ["HF", "TOKEN", "VALUE"]
 */
export function nameWords(name: string): string[] {
  return name
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((w) => w.length > 0)
    .map((w) => w.toUpperCase());
}

/** Words that mark a name as secret-looking by default. `TOKENS` and `KEYS` are left out: MAX_TOKENS is not a secret. */
export const DEFAULT_SECRET_NAME_WORDS = [
  "TOKEN",
  "KEY",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "CREDENTIAL",
  "CREDENTIALS",
  "PRIVATE",
  "APIKEY",
  "ACCESSKEY",
  "SECRETKEY",
  "PRIVATEKEY",
  "PAT",
] as const;

/** Shortest word that also counts as a suffix of a longer word (HFTOKEN, DBPASSWORD); shorter ones (KEY, PAT) must stand alone. */
const MIN_SUFFIX_WORD = 5;

/** The secret word a name contains, if any (whole word, or the end of a glued word for long words). */
export function secretWordIn(name: string, words: readonly string[]): string | undefined {
  const wanted = words.map((w) => w.toUpperCase());
  for (const w of nameWords(name)) {
    const hit = wanted.find((s) => w === s || (s.length >= MIN_SUFFIX_WORD && w.endsWith(s)));
    if (hit) return hit;
  }
  return undefined;
}

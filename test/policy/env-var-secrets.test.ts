/** no-secret-environment-variables: credentials are not plain environment variables. */
import { TOKEN_FORMATS } from "../../policy/token-formats";
import { secret, UNKNOWN } from "./harness";
import { messages, packRunner, resource } from "./fixtures";

const RULE = "no-secret-environment-variables";
const envVar = (key: unknown, value: unknown) => resource("EnvironmentVariable", { key, value });

/** One realistic-looking (fake) value per known format. */
const SAMPLES: Record<string, string> = {
  huggingface: `hf_${"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789".slice(0, 34)}`,
  "huggingface-org": `api_org_${"q".repeat(34)}`,
  anthropic: `sk-ant-api03-${"x".repeat(40)}`,
  openai: `sk-proj-${"Y".repeat(40)}`,
  nvidia: `nvapi-${"z".repeat(40)}`,
  "aws-access-key": "AKIAIOSFODNN7EXAMPLE",
  github: `ghp_${"a1".repeat(18)}`,
  gitlab: `glpat-${"b".repeat(20)}`,
  "docker-hub": `dckr_pat_${"c".repeat(27)}`,
  "google-api-key": `AIza${"d".repeat(35)}`,
  slack: "xoxb-1234567890-abcdefghij",
  stripe: `sk_live_${"e".repeat(24)}`,
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
  "private-key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
  "azure-connection-string": `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${"f".repeat(86)}==`,
  "url-credentials": "postgres://app:pa55w0rd@db.internal:5432/app",
};

describe(RULE, () => {
  it("accepts an ordinary variable", async () => {
    const result = await packRunner().analyze(envVar("LOG_LEVEL", secret("debug")));
    expect(messages(result, RULE)).toEqual([]);
  });

  it.each(["HF_TOKEN", "OPENAI_API_KEY", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "hfToken", "DBPASSWORD", "SSH_PRIVATE_KEY"])(
    "blocks the secret-looking name %s",
    async (name) => {
      const result = await packRunner().analyze(envVar(name, "x"));
      expect(messages(result, RULE)).toHaveLength(1);
      expect(messages(result, RULE)[0]).toMatch(new RegExp(`^EnvironmentVariable "${name}": the name contains "[A-Z]+", so it looks like a credential`));
      expect(result.blocked).toBe(true);
    },
  );

  it.each(["MAX_TOKENS", "MAX_NEW_TOKENS", "TOKENIZERS_PARALLELISM", "HOTKEY_ENABLED", "MONKEY_PATCH", "CUDA_VISIBLE_DEVICES", "PATH_PREFIX"])(
    "does not flag %s",
    async (name) => {
      expect(messages(await packRunner().analyze(envVar(name, "1")), RULE)).toEqual([]);
    },
  );

  it("covers every known format with a sample", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(TOKEN_FORMATS.map((f) => f.id).sort());
  });

  it.each(TOKEN_FORMATS.map((f) => [f.id, f.label] as const))("recognises %s in a value and never echoes the value", async (id, label) => {
    const value = SAMPLES[id];
    const result = await packRunner().analyze(envVar("SETTING", secret(value)));
    const texts = messages(result, RULE);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(`the value looks like ${label}`);
    const everything = JSON.stringify(result);
    expect(everything).not.toContain(value);
    // Not even the distinctive tail of the value.
    expect(everything).not.toContain(value.slice(-12));
  });

  it("suggests the dedicated kind for a Hugging Face token", async () => {
    const result = await packRunner().analyze(envVar("MODEL_ACCESS", secret(SAMPLES.huggingface)));
    expect(messages(result, RULE)).toEqual([
      'EnvironmentVariable "MODEL_ACCESS": the value looks like a Hugging Face token (hf_…); store it as ccluster.HuggingFaceToken (deployment field hf_token).',
    ]);
  });

  it("reports both the name and the value", async () => {
    expect(messages(await packRunner().analyze(envVar("HF_TOKEN", secret(SAMPLES.huggingface))), RULE)).toHaveLength(2);
  });

  it("accepts allow-listed names but still checks their values", async () => {
    const runner = packRunner({ [RULE]: { allowNames: ["CACHE_KEY"] } });
    expect(messages(await runner.analyze(envVar("CACHE_KEY", "model-v3")), RULE)).toEqual([]);
    expect(messages(await runner.analyze(envVar("CACHE_KEY", SAMPLES.openai)), RULE)).toHaveLength(1);
  });

  it("uses configured name words and extra value patterns", async () => {
    const runner = packRunner({ [RULE]: { secretNameWords: ["SEED"], extraValuePatterns: ["^corp-[0-9a-f]{16}$"] } });
    expect(messages(await runner.analyze(envVar("RANDOM_SEED", "42")), RULE)).toHaveLength(1);
    expect(messages(await runner.analyze(envVar("API_TOKEN", "plain")), RULE)).toEqual([]);
    expect(messages(await runner.analyze(envVar("ID", "corp-0123456789abcdef")), RULE)).toEqual([
      'EnvironmentVariable "ID": the value looks like a configured secret pattern; store it as ccluster.BearerToken (endpoint tokens) or a secret store the deployment reads at start-up.',
    ]);
  });

  it("skips value checks when checkValues is off", async () => {
    const runner = packRunner({ [RULE]: { checkValues: false } });
    expect(messages(await runner.analyze(envVar("SETTING", SAMPLES.jwt)), RULE)).toEqual([]);
  });

  it("has defaults and rejects a bad regular expression", () => {
    const props = packRunner().configOf(RULE).properties;
    expect(props.allowNames).toEqual([]);
    expect(props.checkValues).toBe(true);
    expect(props.secretNameWords).toEqual(expect.arrayContaining(["TOKEN", "KEY", "SECRET", "PASSWORD", "CREDENTIAL", "PRIVATE"]));
    expect(() => packRunner({ [RULE]: { extraValuePatterns: ["(unclosed"] } })).toThrow(`${RULE}: extraValuePatterns.0: Does not match format 'regex'`);
    expect(() => packRunner({ [RULE]: { allowNames: ["A", "A"] } })).toThrow(`${RULE}: allowNames: array items[0,1] must be unique`);
  });

  it("checks the name while the value is unknown, and nothing when both are", async () => {
    const runner = packRunner();
    expect(messages(await runner.analyze(envVar("HF_TOKEN", UNKNOWN)), RULE)).toHaveLength(1);
    expect((await runner.analyze(envVar(UNKNOWN, UNKNOWN))).diagnostics).toEqual([]);
  });
});

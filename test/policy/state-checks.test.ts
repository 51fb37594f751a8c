/** certificate-renewal-due and credential-age, on stored state (outputs), with a fixed clock. */
import { TLS_TYPES } from "../../policy/types";
import { UNKNOWN, urnOf } from "./harness";
import { messages, NOW, of, packRunner, resource } from "./fixtures";

const daysFromNow = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

describe("certificate-renewal-due", () => {
  const RULE = "certificate-renewal-due";
  const certificate = (notAfterInDays: number, props: Record<string, unknown> = {}) =>
    resource("Certificate", { key: "endpoint", notAfter: daysFromNow(notAfterInDays), ...props });

  it("accepts a certificate outside its renewal window", async () => {
    expect(messages(await packRunner().analyzeStack([certificate(31)]), RULE)).toEqual([]);
  });

  it("advises renewal inside the default 30-day window, on the certificate", async () => {
    const c = certificate(20);
    const result = await packRunner().analyzeStack([c]);
    expect(messages(result, RULE)).toEqual([`Certificate "endpoint" expires at ${daysFromNow(20)}, in 20 days, inside its 30-day renewal window.`]);
    expect(of(result, RULE).map((d) => [d.urn, d.enforcementLevel])).toEqual([[urnOf(c), "advisory"]]);
    expect(result.blocked).toBe(false);
  });

  it("uses the certificate's own earlyRenewalDays and the extra warning days", async () => {
    expect(messages(await packRunner().analyzeStack([certificate(50, { earlyRenewalDays: 60 })]), RULE)).toHaveLength(1);
    const runner = packRunner({ [RULE]: { extraWarningDays: 14 } });
    expect(messages(await runner.analyzeStack([certificate(40)]), RULE)).toEqual([
      `Certificate "endpoint" expires at ${daysFromNow(40)}, in 40 days, inside its 30-day renewal window (plus 14 warning days).`,
    ]);
  });

  it("reports an expired certificate", async () => {
    expect(messages(await packRunner().analyzeStack([certificate(-1)]), RULE)).toEqual([`Certificate "endpoint" expired at ${daysFromNow(-1)}.`]);
  });

  it("checks @pulumi/tls certificates", async () => {
    const tls = { type: TLS_TYPES.LocallySignedCert, name: "leaf", props: { validityEndTime: daysFromNow(5), earlyRenewalHours: 240 } };
    expect(messages(await packRunner().analyzeStack([tls]), RULE)).toEqual([`tls.LocallySignedCert "leaf" expires at ${daysFromNow(5)}, in 5 days, inside its 10-day renewal window.`]);
  });

  it("skips certificates not created yet (preview)", async () => {
    expect((await packRunner().analyzeStack([resource("Certificate", { key: "endpoint", notAfter: UNKNOWN })])).diagnostics).toEqual([]);
  });

  it("can be made mandatory for a scheduled check", async () => {
    const result = await packRunner({ [RULE]: "mandatory" }).analyzeStack([certificate(-1)]);
    expect(result.blocked).toBe(true);
  });
});

describe("credential-age", () => {
  const RULE = "credential-age";
  const token = (props: Record<string, unknown>) => resource("BearerToken", { key: "ci-token", ...props });

  it("accepts a credential younger than its rotation period", async () => {
    expect(messages(await packRunner().analyzeStack([token({ rotationDays: 30, createdAt: daysFromNow(-29), expiresAt: daysFromNow(1) })]), RULE)).toEqual([]);
  });

  it("reports a credential past its expiresAt", async () => {
    const result = await packRunner().analyzeStack([token({ rotationDays: 30, createdAt: daysFromNow(-31), expiresAt: daysFromNow(-1) })]);
    expect(messages(result, RULE)).toEqual([`BearerToken "ci-token" was due for rotation at ${daysFromNow(-1)}.`]);
    expect(result.blocked).toBe(false);
  });

  it("reports a credential older than its rotationDays even without expiresAt", async () => {
    expect(messages(await packRunner().analyzeStack([token({ rotationDays: 30, createdAt: daysFromNow(-45) })]), RULE)).toEqual([
      `BearerToken "ci-token" is 45 days old (created ${daysFromNow(-45)}); its rotationDays is 30.`,
    ]);
  });

  it("holds credentials without rotationDays to maxAgeDays", async () => {
    const old = resource("ServerlessApiKey", { name: "batch", keepers: { v: "1" }, createdAt: daysFromNow(-100) });
    expect(messages(await packRunner().analyzeStack([old]), RULE)).toEqual([
      `ServerlessApiKey "batch" is 100 days old (created ${daysFromNow(-100)}); the most allowed without rotationDays is 90 days.`,
    ]);
    expect(messages(await packRunner({ [RULE]: { maxAgeDays: 120 } }).analyzeStack([old]), RULE)).toEqual([]);
  });

  it("checks only the configured kinds", async () => {
    const cred = resource("RegistryCredential", { key: "ghcr", createdAt: daysFromNow(-400) });
    expect(messages(await packRunner().analyzeStack([cred]), RULE)).toEqual([]);
    expect(messages(await packRunner({ [RULE]: { kinds: ["RegistryCredential"] } }).analyzeStack([cred]), RULE)).toHaveLength(1);
  });

  it("skips credentials not created yet (preview)", async () => {
    expect((await packRunner().analyzeStack([token({ rotationDays: 30, createdAt: UNKNOWN, expiresAt: UNKNOWN })])).diagnostics).toEqual([]);
  });

  it("has its defaults and rejects a bad age", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ maxAgeDays: 90, kinds: ["BearerToken", "ServerlessApiKey", "HuggingFaceToken", "AuthToken"] });
    expect(() => packRunner({ [RULE]: { maxAgeDays: 1000 } })).toThrow(`${RULE}: maxAgeDays: Must be less than or equal to 730`);
  });
});

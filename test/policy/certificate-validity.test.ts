/** certificate-validity: short-lived certificates that renew early. */
import { TLS_TYPES } from "../../policy/types";
import { UNKNOWN } from "./harness";
import { messages, packRunner, resource } from "./fixtures";

const RULE = "certificate-validity";

describe(RULE, () => {
  it("accepts the resource defaults (365 days, renewal 30 days before)", async () => {
    expect(messages(await packRunner().analyze(resource("Certificate", { key: "endpoint" })), RULE)).toEqual([]);
  });

  it("blocks a certificate valid longer than 397 days", async () => {
    const result = await packRunner().analyze(resource("Certificate", { key: "endpoint", validityDays: 1825 }));
    expect(messages(result, RULE)).toEqual(['Certificate "endpoint" is valid for 1825 days (validityDays); the most allowed is 397 days.']);
    expect(result.blocked).toBe(true);
  });

  it("blocks a renewal window shorter than 30 days", async () => {
    const result = await packRunner().analyze(resource("Certificate", { key: "endpoint", earlyRenewalDays: 7 }));
    expect(messages(result, RULE)).toEqual(['Certificate "endpoint" renews 7 days before it expires (earlyRenewalDays); it must renew at least 30 days before.']);
  });

  it("reports a renewal window as long as the validity", async () => {
    const result = await packRunner().analyze(resource("Certificate", { key: "endpoint", validityDays: 30, earlyRenewalDays: 30 }));
    expect(messages(result, RULE)).toEqual(['Certificate "endpoint" has earlyRenewalDays 30 ≥ validityDays 30: it would be due for renewal as soon as it is issued.']);
  });

  it("applies configured limits", async () => {
    const runner = packRunner({ [RULE]: { maxValidityDays: 90, minEarlyRenewalDays: 14 } });
    expect(messages(await runner.analyze(resource("Certificate", { validityDays: 90, earlyRenewalDays: 14 })), RULE)).toEqual([]);
    expect(messages(await runner.analyze(resource("Certificate", { validityDays: 91, earlyRenewalDays: 13 })), RULE)).toHaveLength(2);
  });

  it("checks @pulumi/tls certificates in hours", async () => {
    const runner = packRunner();
    const tlsCert = (props: Record<string, unknown>) => ({ type: TLS_TYPES.SelfSignedCert, name: "ca", props });
    // @pulumi/tls renews 0 hours early unless told otherwise.
    expect(messages(await runner.analyze(tlsCert({ validityPeriodHours: 8760 })), RULE)).toEqual([
      'tls.SelfSignedCert "ca" renews 0 hours before it expires (earlyRenewalHours); it must renew at least 720 hours before.',
    ]);
    expect(messages(await runner.analyze(tlsCert({ validityPeriodHours: 8760, earlyRenewalHours: 720 })), RULE)).toEqual([]);
    const locally = { type: TLS_TYPES.LocallySignedCert, name: "leaf", props: { validityPeriodHours: 87600, earlyRenewalHours: 720 } };
    expect(messages(await runner.analyze(locally), RULE)).toEqual(['tls.LocallySignedCert "leaf" is valid for 87600 hours (validityPeriodHours); the most allowed is 9528 hours.']);
  });

  it("leaves @pulumi/tls certificates alone when includeTlsCertificates is off", async () => {
    const runner = packRunner({ [RULE]: { includeTlsCertificates: false } });
    const result = await runner.analyze({ type: TLS_TYPES.SelfSignedCert, name: "ca", props: { validityPeriodHours: 87600 } });
    expect(messages(result, RULE)).toEqual([]);
  });

  it("has the issue's defaults and rejects out-of-range config", () => {
    expect(packRunner().configOf(RULE).properties).toEqual({ maxValidityDays: 397, minEarlyRenewalDays: 30, includeTlsCertificates: true });
    expect(() => packRunner({ [RULE]: { maxValidityDays: 0 } })).toThrow(`${RULE}: maxValidityDays: Must be greater than or equal to 1`);
    expect(() => packRunner({ [RULE]: { minEarlyRenewalDays: -1 } })).toThrow(`${RULE}: minEarlyRenewalDays: Must be greater than or equal to 0`);
  });

  it("judges only what is known at preview", async () => {
    const runner = packRunner();
    const unknownValidity = await runner.analyze(resource("Certificate", { key: "endpoint", validityDays: UNKNOWN, earlyRenewalDays: 7 }));
    expect(messages(unknownValidity, RULE)).toEqual(['Certificate "endpoint" renews 7 days before it expires (earlyRenewalDays); it must renew at least 30 days before.']);
    const allUnknown = await runner.analyze(resource("Certificate", { key: UNKNOWN, validityDays: UNKNOWN, earlyRenewalDays: UNKNOWN }));
    expect(allUnknown.diagnostics).toEqual([]);
  });
});

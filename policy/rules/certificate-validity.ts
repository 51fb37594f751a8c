/** certificate-validity: certificates are short-lived and renew early. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, labelOf } from "../rule-kit";
import { INPUT_DEFAULTS, isKind, Props, TLS_TYPES, untypedProps, valueOr, type KindProps } from "../types";

/** Configuration of {@link certificateValidity}. */
export interface CertificateValidityConfig {
  maxValidityDays: number;
  minEarlyRenewalDays: number;
  includeTlsCertificates: boolean;
}

const schema = configSchema<CertificateValidityConfig>({
  maxValidityDays: {
    type: "integer",
    minimum: 1,
    maximum: 3650,
    default: 397,
    description: "Longest certificate validity allowed, in days (397 is the CA/Browser Forum's limit for public TLS certificates).",
  },
  minEarlyRenewalDays: {
    type: "integer",
    minimum: 0,
    maximum: 365,
    default: 30,
    description: "Fewest days before expiry at which a certificate must renew.",
  },
  includeTlsCertificates: {
    type: "boolean",
    default: true,
    description: "Apply the same limits to @pulumi/tls `SelfSignedCert` and `LocallySignedCert` (hours converted to days).",
  },
});

const HOURS_PER_DAY = 24;

/**
 * `certificate-validity`: a `Certificate` (and, by default, @pulumi/tls certificates) is valid at
 * most `maxValidityDays` and renews at least `minEarlyRenewalDays` before it expires.
 */
export const certificateValidity: ResourceValidationPolicy = {
  name: "certificate-validity",
  description: "Certificates must be short-lived and renew well before they expire.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Lower `validityDays` to the configured maximum or less and set `earlyRenewalDays` to at least the configured minimum " +
    "(and below `validityDays`). For @pulumi/tls certificates set `validityPeriodHours` and `earlyRenewalHours`.",
  configSchema: schema,
  validateResource: (args, report) => {
    const cfg = configOf(args, schema);
    let who: string;
    let validity: number | undefined;
    let early: number | undefined;
    let unit: { name: string; validityInput: string; earlyInput: string; perDay: number };
    if (isKind(args.type, "Certificate")) {
      const props = new Props<KindProps["Certificate"]>(args.props);
      who = labelOf("Certificate", args.props);
      validity = valueOr(props.number("validityDays"), INPUT_DEFAULTS.certificate.validityDays);
      early = valueOr(props.number("earlyRenewalDays"), INPUT_DEFAULTS.certificate.earlyRenewalDays);
      unit = { name: "days", validityInput: "validityDays", earlyInput: "earlyRenewalDays", perDay: 1 };
    } else if (cfg.includeTlsCertificates && (args.type === TLS_TYPES.SelfSignedCert || args.type === TLS_TYPES.LocallySignedCert)) {
      const props = untypedProps(args.props);
      who = `${args.type.endsWith("SelfSignedCert") ? "tls.SelfSignedCert" : "tls.LocallySignedCert"} "${args.name}"`;
      const hours = props.number("validityPeriodHours");
      validity = hours.state === "known" ? hours.value : undefined; // required by @pulumi/tls
      early = valueOr(props.number("earlyRenewalHours"), INPUT_DEFAULTS.tls.earlyRenewalHours);
      unit = { name: "hours", validityInput: "validityPeriodHours", earlyInput: "earlyRenewalHours", perDay: HOURS_PER_DAY };
    } else {
      return args.notApplicable("Policy only applies to Certificate and @pulumi/tls certificates");
    }

    const maxValidity = cfg.maxValidityDays * unit.perDay;
    const minEarly = cfg.minEarlyRenewalDays * unit.perDay;
    if (validity !== undefined && validity > maxValidity) {
      report(`${who} is valid for ${validity} ${unit.name} (${unit.validityInput}); the most allowed is ${maxValidity} ${unit.name}.`);
    }
    if (early !== undefined && early < minEarly) {
      report(`${who} renews ${early} ${unit.name} before it expires (${unit.earlyInput}); it must renew at least ${minEarly} ${unit.name} before.`);
    }
    if (validity !== undefined && early !== undefined && early >= validity) {
      report(`${who} has ${unit.earlyInput} ${early} ≥ ${unit.validityInput} ${validity}: it would be due for renewal as soon as it is issued.`);
    }
  },
};

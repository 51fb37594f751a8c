/**
 * certificate-renewal-due and credential-age: checks on stored state, meant for a schedule (`pulumi policy analyze` where the CLI has
 * it, otherwise `pulumi preview`): certificates inside their renewal window and credentials older
 * than their rotation period. They read outputs, so they are stack validations, and they are
 * advisory by default: a mandatory level would block the very `pulumi up` that renews.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, daysBetween, labelOf, parseTime } from "../rule-kit";
import { INPUT_DEFAULTS, isKind, kindOfType, Props, TLS_TYPES, TOKEN_KINDS, untypedProps, valueOr, type Kind, type KindProps } from "../types";

/** Where rules get the time; tests pass a fixed one. */
export type Clock = () => Date;

const systemClock: Clock = () => new Date();

/** Configuration of the certificate renewal check. */
export interface CertificateRenewalConfig {
  extraWarningDays: number;
}

const renewalSchema = configSchema<CertificateRenewalConfig>({
  extraWarningDays: {
    type: "integer",
    minimum: 0,
    maximum: 365,
    default: 0,
    description: "Report this many days before a certificate's own renewal window opens.",
  },
});

function certificateExpiry(r: PolicyResource): { who: string; notAfter: Date; windowDays: number } | undefined {
  if (isKind(r.type, "Certificate")) {
    const props = new Props<KindProps["Certificate"]>(r.props);
    const notAfter = props.string("notAfter");
    const early = valueOr(props.number("earlyRenewalDays"), INPUT_DEFAULTS.certificate.earlyRenewalDays);
    const at = notAfter.state === "known" ? parseTime(notAfter.value) : undefined;
    if (at === undefined || early === undefined) return undefined;
    return { who: labelOf("Certificate", r.props), notAfter: at, windowDays: early };
  }
  if (r.type === TLS_TYPES.SelfSignedCert || r.type === TLS_TYPES.LocallySignedCert) {
    const props = untypedProps(r.props);
    const end = props.string("validityEndTime");
    const earlyHours = valueOr(props.number("earlyRenewalHours"), INPUT_DEFAULTS.tls.earlyRenewalHours);
    const at = end.state === "known" ? parseTime(end.value) : undefined;
    if (at === undefined || earlyHours === undefined) return undefined;
    return { who: `${r.type.endsWith("SelfSignedCert") ? "tls.SelfSignedCert" : "tls.LocallySignedCert"} "${r.name}"`, notAfter: at, windowDays: earlyHours / 24 };
  }
  return undefined;
}

/**
 * `certificate-renewal-due`: a certificate (this package's or @pulumi/tls's) whose `notAfter` is
 * inside its early-renewal window, or past. `pulumi up` renews it.
 */
export function certificateRenewalDue(clock: Clock = systemClock): StackValidationPolicy {
  return {
    name: "certificate-renewal-due",
    description: "Certificates inside their renewal window (or expired) must be renewed.",
    enforcementLevel: "advisory",
    severity: "high",
    remediationSteps:
      "Run `pulumi up` on the stack: the provider replaces a certificate it generated once it is inside its renewal window (a brought or adopted CA " +
      "is renewed by whoever holds its key: declare the new one as `caCertificatePem`). Then redeploy whatever " +
      "reads the PEM file or the CA from the vault. Schedule `pulumi policy analyze --policy-pack <pack> --stack <stack>` (or `pulumi preview`) to catch this early.",
    configSchema: renewalSchema,
    validateStack: (args, report) => {
      const { extraWarningDays } = configOf(args, renewalSchema);
      const now = clock();
      for (const r of args.resources) {
        const c = certificateExpiry(r);
        if (c === undefined) continue;
        const daysLeft = daysBetween(now, c.notAfter);
        const when = c.notAfter.toISOString();
        if (c.notAfter.getTime() <= now.getTime()) {
          report(`${c.who} expired at ${when}.`, r.urn);
        } else if (daysLeft < c.windowDays + extraWarningDays) {
          report(`${c.who} expires at ${when}, in ${daysLeft} days, inside its ${c.windowDays}-day renewal window${extraWarningDays ? ` (plus ${extraWarningDays} warning days)` : ""}.`, r.urn);
        }
      }
    },
  };
}

/** Configuration of the credential age check. */
export interface CredentialAgeConfig {
  maxAgeDays: number;
  kinds: Kind[];
}

const ageSchema = configSchema<CredentialAgeConfig>({
  maxAgeDays: {
    type: "integer",
    minimum: 1,
    maximum: 730,
    default: 90,
    description: "Oldest a credential without rotationDays may be (credentials with rotationDays are held to their own period).",
  },
  kinds: {
    type: "array",
    items: { type: "string", enum: [...TOKEN_KINDS, "RegistryCredential", "EnvironmentVariable", "SshKey"] },
    uniqueItems: true,
    default: [...TOKEN_KINDS],
    description: "Kinds whose age is checked (they must output createdAt).",
  },
});

/**
 * `credential-age`: a credential older than its `rotationDays` (or, without it, than
 * `maxAgeDays`), or past its `expiresAt`. For tokens with `rotationDays`, `pulumi up` rotates them.
 */
export function credentialAge(clock: Clock = systemClock): StackValidationPolicy {
  return {
    name: "credential-age",
    description: "Credentials older than their rotation period must be rotated.",
    enforcementLevel: "advisory",
    severity: "high",
    remediationSteps:
      "Run `pulumi up`: a credential with `rotationDays` is replaced once it is due. Without `rotationDays`, change one of its `keepers` " +
      "(or replace it with `pulumi up --replace <urn>`) and set `rotationDays` so it rotates by itself from now on.",
    configSchema: ageSchema,
    validateStack: (args, report) => {
      const cfg = configOf(args, ageSchema);
      const now = clock();
      for (const r of args.resources) {
        const kind = kindOfType(r.type);
        if (kind === undefined || !cfg.kinds.includes(kind)) continue;
        const props = untypedProps(r.props);
        const who = labelOf(kind, r.props);
        const expires = props.string("expiresAt");
        const expiresAt = expires.state === "known" ? parseTime(expires.value) : undefined;
        if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) {
          report(`${who} was due for rotation at ${expiresAt.toISOString()}.`, r.urn);
          continue;
        }
        const created = props.string("createdAt");
        const createdAt = created.state === "known" ? parseTime(created.value) : undefined;
        if (createdAt === undefined) continue;
        const rotation = props.number("rotationDays");
        if (rotation.state === "unknown") continue;
        const limit = rotation.state === "known" ? rotation.value : cfg.maxAgeDays;
        const age = daysBetween(createdAt, now);
        if (age > limit) {
          const why = rotation.state === "known" ? `its rotationDays is ${limit}` : `the most allowed without rotationDays is ${limit} days`;
          report(`${who} is ${age} days old (created ${createdAt.toISOString()}); ${why}.`, r.urn);
        }
      }
    },
  };
}

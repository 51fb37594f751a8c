/** When a certificate should be replaced, in the manner of @pulumi/tls's `earlyRenewalHours`. */
import { CertificateError, CertificateErrorCodes } from "./errors";

const MS_PER_DAY = 86_400_000;

/** Input of {@link renewalDue}. */
export interface RenewalInput {
  /** The certificate's notAfter, as a Date or an ISO 8601 string. */
  notAfter: Date | string;
  /** Renew this many days before notAfter. Default 0. */
  earlyRenewalDays?: number;
  /** Default `new Date()`. */
  now?: Date;
}

/** `ok`: keep it; `renew`: inside the early-renewal window; `expired`: past notAfter. */
export type RenewalState = "ok" | "renew" | "expired";

function toDate(value: Date | string, property: string): Date {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new CertificateError(CertificateErrorCodes.BAD_DATE, property, `${property} must be a valid date or ISO 8601 string`);
  }
  return date;
}

/**
 * Says whether a certificate is still fine, due for early renewal, or expired.
 *
 * @example
 * ```ts
 * renewalDue({ notAfter: certs.notAfter, earlyRenewalDays: 30 }); // "ok" | "renew" | "expired"
 * ```
 */
export function renewalDue(input: RenewalInput): RenewalState {
  const notAfter = toDate(input.notAfter, "notAfter");
  const now = toDate(input.now ?? new Date(), "now");
  const earlyRenewalDays = input.earlyRenewalDays ?? 0;
  if (!Number.isInteger(earlyRenewalDays) || earlyRenewalDays < 0) {
    throw new CertificateError(
      CertificateErrorCodes.BAD_EARLY_RENEWAL,
      "earlyRenewalDays",
      `earlyRenewalDays must be a whole number of days, 0 or more (got ${String(earlyRenewalDays)})`,
    );
  }
  // A certificate is still valid during its notAfter second (RFC 5280 validity is inclusive).
  if (now.getTime() > notAfter.getTime()) return "expired";
  if (now.getTime() >= notAfter.getTime() - earlyRenewalDays * MS_PER_DAY) return "renew";
  return "ok";
}

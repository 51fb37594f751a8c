/** key-strength: key strength of certificates, SSH keys, PEM files and @pulumi/tls private keys. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { CURVE_BITS, HASH_BITS, normalizeCurve, pemFacts, sshPublicKeyFacts, type KeyFacts } from "../crypto-inspect";
import { configOf, configSchema, labelOf } from "../rule-kit";
import { INPUT_DEFAULTS, isKind, Props, TLS_TYPES, untypedProps, valueOr, type KindProps } from "../types";

/** Configuration of {@link keyStrength}. */
export interface KeyStrengthConfig {
  minRsaBits: number;
  minEcdsaCurve: "P-256" | "P-384" | "P-521";
  minSshRsaBits: number;
  minSignatureHash: "SHA-256" | "SHA-384" | "SHA-512";
  checkTlsPrivateKeys: boolean;
}

const schema = configSchema<KeyStrengthConfig>({
  minRsaBits: {
    type: "integer",
    minimum: 2048,
    maximum: 16384,
    default: 2048,
    description: "Smallest RSA modulus for certificate and TLS keys (for example 3072).",
  },
  minEcdsaCurve: {
    type: "string",
    enum: ["P-256", "P-384", "P-521"],
    default: "P-256",
    description: "Weakest NIST curve allowed for ECDSA keys (certificates, TLS keys and SSH keys).",
  },
  minSshRsaBits: {
    type: "integer",
    minimum: 2048,
    maximum: 16384,
    default: 3072,
    description: "Smallest RSA modulus for SSH keys.",
  },
  minSignatureHash: {
    type: "string",
    enum: ["SHA-256", "SHA-384", "SHA-512"],
    default: "SHA-256",
    description: "Weakest hash allowed in certificate signatures (bring-your-own CA, certificates in PEM files).",
  },
  checkTlsPrivateKeys: {
    type: "boolean",
    default: true,
    description: "Also check @pulumi/tls `PrivateKey` (its ECDSA default is the weak P-224).",
  },
});

/** Why a key is too weak, or undefined when it is fine. */
function weakness(key: KeyFacts, minRsaBits: number, minCurve: string): string | undefined {
  switch (key.type) {
    case "rsa":
      if (key.bits === undefined) return undefined;
      return key.bits < minRsaBits ? `an RSA ${key.bits}-bit key (at least ${minRsaBits} bits required)` : undefined;
    case "ec": {
      if (key.curve === undefined) return undefined;
      const bits = CURVE_BITS[key.curve];
      if (bits === undefined) return `an ECDSA key on curve ${key.curve}, which is not an approved NIST curve (${minCurve} or stronger)`;
      return bits < CURVE_BITS[minCurve] ? `an ECDSA ${key.curve} key (${minCurve} or stronger required)` : undefined;
    }
    case "ed25519":
    case "ed448":
      return undefined;
    case "dsa":
      return "a DSA key (DSA is never allowed)";
    default:
      return `a ${key.type} key, which is not an allowed key type`;
  }
}

function hashWeakness(hash: string | undefined, minHash: string): string | undefined {
  if (hash === undefined) return undefined; // an algorithm the table does not know: not judged
  return (HASH_BITS[hash] ?? 0) < HASH_BITS[minHash] ? `signed with ${hash} (${minHash} or stronger required)` : undefined;
}

const certificateAlgorithms: Readonly<Record<string, KeyFacts>> = {
  ECDSA_P256: { type: "ec", curve: "P-256" },
  ECDSA_P384: { type: "ec", curve: "P-384" },
  RSA_2048: { type: "rsa", bits: 2048 },
  RSA_3072: { type: "rsa", bits: 3072 },
  RSA_4096: { type: "rsa", bits: 4096 },
};

/** Checks every certificate and key in a PEM text; `where` names the property in messages. */
function checkPem(text: string, where: string, cfg: KeyStrengthConfig, report: (m: string) => void): void {
  const facts = pemFacts(text);
  facts.forEach((f, i) => {
    const which = facts.length > 1 ? `${where} (block ${i + 1})` : where;
    if (f.what === "unreadable") return; // malformed PEM is the provider's `check` to reject
    const weak = weakness(f.key, cfg.minRsaBits, cfg.minEcdsaCurve);
    if (weak) report(`${which} holds a ${f.what} with ${weak}.`);
    if (f.what === "certificate") {
      const badHash = hashWeakness(f.signatureHash, cfg.minSignatureHash);
      if (badHash) report(`${which} holds a certificate ${badHash}.`);
    }
  });
}

/**
 * `key-strength`: ECDSA P-256 or stronger and RSA ≥ `minRsaBits` for certificates, SHA-256 or
 * stronger signatures, SSH keys ed25519 / ECDSA / RSA ≥ `minSshRsaBits` and never DSA, and no
 * weak @pulumi/tls `PrivateKey`.
 */
export const keyStrength: ResourceValidationPolicy = {
  name: "key-strength",
  description: "Keys and signatures must be strong: ECDSA P-256+, RSA 2048+ (SSH: 3072+), SHA-256+, never DSA.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Certificate: use `algorithm: \"ECDSA_P384\"` (the default) or an RSA size at or above the minimum. " +
    "SshKey: generate `ssh-keygen -t ed25519`. @pulumi/tls PrivateKey: use `algorithm: \"ED25519\"`, or `ECDSA` with `ecdsaCurve: \"P384\"`, " +
    "or `RSA` with `rsaBits` at or above the minimum. Re-issue any bring-your-own CA signed with SHA-1 or MD5.",
  configSchema: schema,
  validateResource: (args, report) => {
    const cfg = configOf(args, schema);
    if (isKind(args.type, "Certificate")) {
      const props = new Props<KindProps["Certificate"]>(args.props);
      const who = labelOf("Certificate", args.props);
      const algorithm = valueOr(props.string("algorithm"), INPUT_DEFAULTS.certificate.algorithm);
      const facts = algorithm === undefined ? undefined : certificateAlgorithms[algorithm];
      const weak = facts && weakness(facts, cfg.minRsaBits, cfg.minEcdsaCurve);
      if (weak) report(`${who} uses algorithm ${algorithm}: ${weak}.`);
      const ca = props.string("caCertificatePem");
      if (ca.state === "known") checkPem(ca.value, `${who} caCertificatePem`, cfg, report);
      return;
    }
    if (isKind(args.type, "SshKey")) {
      const props = new Props<KindProps["SshKey"]>(args.props);
      const line = props.string("publicKey");
      if (line.state !== "known") return;
      const facts = sshPublicKeyFacts(line.value);
      if (facts === undefined) return; // the provider's `check` rejects a line that does not parse
      const weak = weakness(facts, cfg.minSshRsaBits, cfg.minEcdsaCurve);
      if (weak) report(`${labelOf("SshKey", args.props)} publicKey is ${weak}; use ed25519.`);
      return;
    }
    if (isKind(args.type, "PemFile")) {
      const pem = new Props<KindProps["PemFile"]>(args.props).string("pem");
      if (pem.state === "known") checkPem(pem.value, `${labelOf("PemFile", args.props)} pem`, cfg, report);
      return;
    }
    if (cfg.checkTlsPrivateKeys && args.type === TLS_TYPES.PrivateKey) {
      const props = untypedProps(args.props);
      const algorithm = props.string("algorithm");
      if (algorithm.state !== "known") return;
      const who = `tls.PrivateKey "${args.name}"`;
      let facts: KeyFacts;
      if (algorithm.value === "RSA") {
        const bits = valueOr(props.number("rsaBits"), INPUT_DEFAULTS.tls.rsaBits);
        if (bits === undefined) return;
        facts = { type: "rsa", bits };
      } else if (algorithm.value === "ECDSA") {
        const curve = valueOr(props.string("ecdsaCurve"), INPUT_DEFAULTS.tls.ecdsaCurve);
        if (curve === undefined) return;
        facts = { type: "ec", curve: normalizeCurve(curve) };
      } else {
        facts = { type: algorithm.value.toLowerCase() };
      }
      const weak = weakness(facts, cfg.minRsaBits, cfg.minEcdsaCurve);
      const byDefault = algorithm.value === "ECDSA" && props.string("ecdsaCurve").state === "absent";
      if (weak) report(`${who} is ${weak}${byDefault ? "; @pulumi/tls uses P224 when ecdsaCurve is not set" : ""}.`);
      return;
    }
    return args.notApplicable("Policy only applies to Certificate, SshKey, PemFile and @pulumi/tls PrivateKey");
  },
};

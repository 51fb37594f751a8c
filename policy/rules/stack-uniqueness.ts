/** unique-credential-targets (a stack policy): no two resources write the same vault item or the same PEM file. */
import * as path from "node:path";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { INPUT_DEFAULTS, kindOfType, Props, VAULT_TYPES, type KindProps, type VaultKind } from "../types";

/** What a resource writes, as a comparable identity, or undefined when that is not known. */
function targetOf(r: PolicyResource): { id: string; describe: string } | undefined {
  const kind = kindOfType(r.type);
  if (kind === undefined) return undefined;
  if (kind in VAULT_TYPES) {
    const props = new Props<KindProps[VaultKind]>(r.props);
    const key = props.string("key");
    const visibility = props.string("visibility");
    if (key.state !== "known" || visibility.state === "unknown") return undefined;
    const vis = visibility.state === "known" ? visibility.value : INPUT_DEFAULTS.visibility;
    const vaultType = VAULT_TYPES[kind as VaultKind];
    return { id: `vault\u0000${vaultType}\u0000${key.value}\u0000${vis}`, describe: `vault item ${vaultType} "${key.value}" (${vis})` };
  }
  if (kind === "PemFile") {
    const p = new Props<KindProps["PemFile"]>(r.props).string("path");
    if (p.state !== "known") return undefined;
    // Every PemFile of a stack resolves relative paths against the same directory, so normalising is enough.
    const normalized = path.normalize(p.value);
    return { id: `file\u0000${normalized}`, describe: `file ${normalized}` };
  }
  return undefined;
}

/**
 * `unique-credential-targets`: two resources writing the same (vault type, key, visibility), or
 * the same PEM file path, would overwrite each other on every update and delete each other's
 * item on destroy.
 */
export const uniqueCredentialTargets: StackValidationPolicy = {
  name: "unique-credential-targets",
  description: "No two resources may write the same vault item (type, key, visibility) or the same PEM file.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Give each resource its own `key` (or its own `path` for PemFile), or keep one resource and reference its outputs where the others were used. " +
    "To share a credential across stacks, create it in one stack and read it through a stack reference.",
  validateStack: (args, report) => {
    const groups = new Map<string, { describe: string; members: PolicyResource[] }>();
    for (const r of args.resources) {
      const t = targetOf(r);
      if (t === undefined) continue;
      const g = groups.get(t.id) ?? { describe: t.describe, members: [] };
      g.members.push(r);
      groups.set(t.id, g);
    }
    for (const { describe, members } of groups.values()) {
      if (members.length < 2) continue;
      for (const r of members) {
        const others = members.filter((o) => o !== r).map((o) => `"${o.name}"`);
        report(`"${r.name}" writes ${describe}, which ${others.join(", ")} also write${others.length === 1 ? "s" : ""}.`, r.urn);
      }
    }
  },
};

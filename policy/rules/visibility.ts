/** org-visibility: least privilege — ORG-visible vault items only for allow-listed names. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, configSchema, forKinds } from "../rule-kit";
import { VAULT_KINDS, type VaultKind } from "../types";

/** Configuration of {@link orgVisibility}. */
export interface OrgVisibilityConfig {
  orgAllowList: string[];
}

const schema = configSchema<OrgVisibilityConfig>({
  orgAllowList: {
    type: "array",
    items: { type: "string", minLength: 1 },
    uniqueItems: true,
    default: [],
    description:
      'Vault keys that may be ORG-visible: "key" for any kind or "Kind:key" for one kind (e.g. "HuggingFaceToken:shared-hf"); "*" matches any run of characters.',
  },
});

function globMatches(glob: string, text: string): boolean {
  const re = new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(text);
}

/** Whether an allow-list entry admits a key of a kind. */
export function allowListAdmits(entry: string, kind: VaultKind, key: string): boolean {
  const colon = entry.indexOf(":");
  const forKind = colon > 0 ? entry.slice(0, colon) : undefined;
  const pattern = colon > 0 ? entry.slice(colon + 1) : entry;
  return (forKind === undefined || forKind === kind) && globMatches(pattern, key);
}

/**
 * `org-visibility`: vault items are USER-visible unless their key is on `orgAllowList`; an ORG
 * item must name its key explicitly (an auto-generated key cannot be on the list).
 */
export const orgVisibility: ResourceValidationPolicy = {
  name: "org-visibility",
  description: "Vault items are visible to the whole organisation only when their name is on the allow-list.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Drop `visibility: "ORG"` (USER is the default) so only you can read the item, or, if the whole organisation really needs it, ' +
    "give it an explicit `key` and add that key to this policy's `orgAllowList`.",
  configSchema: schema,
  validateResource: forKinds(VAULT_KINDS, ({ kind, props, args }, report) => {
    const visibility = props.string("visibility");
    if (visibility.state !== "known" || visibility.value !== "ORG") return;
    const key = props.string("key");
    if (key.state === "unknown") return;
    if (key.state === "absent") {
      report(`${kind} is ORG-visible with an auto-generated key; ORG items need an explicit key on the allow-list.`);
      return;
    }
    const { orgAllowList } = configOf(args, schema);
    if (!orgAllowList.some((entry) => allowListAdmits(entry, kind, key.value))) {
      report(`${kind} "${key.value}" is ORG-visible but "${key.value}" is not on the org allow-list; make it USER-visible.`);
    }
  }),
};

import { z } from "zod";
import { vaultItemInputs, vaultItemOutputs } from "../framework/common-inputs";
import { defineKind } from "../framework/declaration";
import { vaultItemFeatures, vaultItemOperations } from "../framework/vault-item";
import { parseSshPublicKey, SshKeyError } from "../formats/ssh-public-key";

const inputs = z.strictObject({
  ...vaultItemInputs,
  publicKey: z
    .string()
    // A key read from a .pub file ends in a newline; the vault keeps the bare line, so must state.
    .trim()
    .max(4096, "must be at most 4096 characters")
    .superRefine((line, ctx) => {
      try {
        parseSshPublicKey(line);
      } catch (e) {
        if (!(e instanceof SshKeyError)) throw e;
        ctx.addIssue({ code: "custom", message: e.message });
      }
    })
    .describe("An OpenSSH public key line: ed25519, ECDSA (P-256/384/521) or RSA ≥ 2048 bits. DSA is refused."),
});

/** An SSH public key for deployments (`ssh_public_key`), vault type `ssh_keys`. */
export const sshKey = defineKind({
  module: "ccluster",
  typeName: "SshKey",
  description: "An SSH public key that deployments install (deployment field `ssh_public_key`). The key is parsed: ed25519, ECDSA, or RSA of at least 2048 bits.",
  example: 'new ccluster.SshKey("laptop", { publicKey: fs.readFileSync(`${os.homedir()}/.ssh/id_ed25519.pub`, "utf8") });',
  platformObject: "vault item, type `ssh_keys`",
  inputs,
  replaceOnChange: ["key", "visibility"],
  secretInputs: [],
  outputs: {
    ...vaultItemOutputs,
    keyType: { type: "string", description: "`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ..." },
    bits: { type: "number", description: "Key size in bits." },
    fingerprintSha256: { type: "string", description: "`SHA256:...` as `ssh-keygen -l` prints it." },
  },
  autoName: { property: "key", style: "kebab" },
  deleteBeforeReplace: "when-same-key",
  features: vaultItemFeatures,
  operations: vaultItemOperations<z.output<typeof inputs>>({
    type: "ssh_keys",
    buildValue: (i) => i.publicKey,
    outputsFromValue: (value) => {
      // A value changed outside Pulumi may not parse; report what is there rather than fail a refresh.
      try {
        const info = parseSshPublicKey(value, 0);
        return { publicKey: value, keyType: info.keyType, bits: info.bits, fingerprintSha256: info.fingerprintSha256 };
      } catch {
        return { publicKey: value };
      }
    },
  }),
});

/**
 * The inputs a kind with SDK-only alternatives (its declaration's `sdkAlternatives`) passes to the
 * provider, made from what the program gave: the generated class in sdk/resources.ts calls
 * `<kind>Inputs(name, args)`. Written by hand: choosing and checking the alternative is behaviour.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PemFileArgs } from "./args";

/** PemFile: `certificate` becomes the `pem` that `contents` chooses from it; `pem` is passed as it is. */
export function pemFileInputs(name: string, args: PemFileArgs): pulumi.Inputs {
  const { certificate: cert, pem, ...rest } = args ?? {};
  return { ...rest, pem: pemText(name, cert, pem, rest.contents) };
}

/** Which output of a Certificate each `contents` choice writes. */
const bundleOutput = {
  combined: "combinedPem",
  ca: "caCertificatePem",
  certificate: "clientCertificatePem",
  privateKey: "clientPrivateKeyPem",
} as const;

/**
 * The text a PemFile writes: `pem`, or the bundle of `certificate` that `contents` names.
 * A RunError (not a plain Error) so that the engine prints the rule rather than "unhandled exception" and a stack.
 */
function pemText(name: string, cert: unknown, pem: pulumi.Input<string> | undefined, contents: pulumi.Input<string | undefined> | undefined): pulumi.Input<string> {
  const refuse = (rule: string): never => {
    throw new pulumi.RunError(`PemFile "${name}": ${rule}`);
  };
  if (cert !== undefined && pem !== undefined)
    refuse("PemFile.certificate and PemFile.pem cannot both be given: give exactly one (certificate writes its bundle chosen by contents; pem writes the text as it is)");
  if (pem !== undefined) return pem;
  if (cert === undefined)
    refuse("PemFile.certificate or PemFile.pem is required: give exactly one (certificate: a ccluster.Certificate, whose bundle contents chooses; or pem: PEM text)");
  // Judged by shape rather than instanceof: a program may load two copies of this package.
  const certificate = cert as Record<string, unknown>;
  if (!pulumi.Resource.isInstance(cert) || !Object.values(bundleOutput).every((output) => pulumi.Output.isInstance(certificate[output])))
    refuse("PemFile.certificate must be a ccluster.Certificate resource (to write PEM text, give it as pem)");
  const bundleOf = (choice: string): pulumi.Output<string> => {
    if (!(choice in bundleOutput)) refuse(`PemFile.contents must be one of ${Object.keys(bundleOutput).map((c) => JSON.stringify(c)).join(", ")} (got ${JSON.stringify(choice)})`);
    return certificate[bundleOutput[choice as keyof typeof bundleOutput]] as pulumi.Output<string>;
  };
  // A plain choice is judged now; one computed by another resource once it is known.
  return typeof contents === "string" || contents === undefined ? bundleOf(contents ?? "combined") : pulumi.output(contents).apply((c) => bundleOf(c ?? "combined"));
}

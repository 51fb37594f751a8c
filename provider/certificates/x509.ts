/**
 * Loads @peculiar/x509 and points it at Node's WebCrypto. Every module of this package that
 * needs the library goes through {@link loadX509}; importing "@peculiar/x509" directly would
 * crash a fresh Node process (see below).
 *
 * Why the detour: @peculiar/x509 2.x registers its algorithms with tsyringe, and tsyringe
 * refuses to load unless a Reflect metadata polyfill (`reflect-metadata`) is present. This
 * package does not depend on one, and Pulumi's dynamic-provider process has none. tsyringe
 * reads metadata only while the library's classes are being declared, and none of those
 * classes has constructor parameters, so for that moment two functions answering "no
 * metadata" are enough. They are removed again right after loading: the global `Reflect`
 * is left as it was found. If a real polyfill is already loaded it is used untouched.
 *
 * @internal
 */
import type * as X509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

type ReflectWithMetadata = typeof Reflect & { getMetadata?: unknown; getOwnMetadata?: unknown };

let cached: typeof X509 | undefined;

function requireX509(): typeof X509 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (): typeof X509 => require("@peculiar/x509") as typeof X509;
  const reflect = Reflect as ReflectWithMetadata;
  if (typeof reflect.getMetadata === "function") return load();

  const noMetadata = (): undefined => undefined;
  const hadOwn = typeof reflect.getOwnMetadata === "function";
  reflect.getMetadata = noMetadata;
  if (!hadOwn) reflect.getOwnMetadata = noMetadata;
  try {
    return load();
  } finally {
    delete reflect.getMetadata;
    if (!hadOwn) delete reflect.getOwnMetadata;
  }
}

/**
 * Returns the @peculiar/x509 module, loaded once, with Node's WebCrypto as its crypto
 * provider (the only process-wide state this package sets).
 * @internal
 */
export function loadX509(): typeof X509 {
  if (!cached) {
    const lib = requireX509();
    // Node's webcrypto is structurally the WebCrypto `Crypto` the library expects.
    lib.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof lib.cryptoProvider.get>);
    cached = lib;
  }
  return cached;
}

/**
 * The provider object Pulumi serializes into every resource's state.
 *
 * Pulumi stores the *source text* of these functions in state, and `refresh`/`destroy` later run
 * that text against whatever version of this package is installed. So it captures nothing but
 * the kind's name and `require`s the implementation by package path at run time. Changing this
 * file changes what every existing stack stores: don't, unless you mean to (a test guards it).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the stored text loads the package at run time */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** @internal */
export function serializedProvider(typeName: string): dynamic.ResourceProvider {
  return {
    configure: (req) => require("pulumi-ccluster/provider").providerFor(typeName).configure(req),
    check: (olds, news) => require("pulumi-ccluster/provider").providerFor(typeName).check(olds, news),
    diff: (id, olds, news) => require("pulumi-ccluster/provider").providerFor(typeName).diff(id, olds, news),
    create: (inputs) => require("pulumi-ccluster/provider").providerFor(typeName).create(inputs),
    read: (id, props) => require("pulumi-ccluster/provider").providerFor(typeName).read(id, props),
    update: (id, olds, news) => require("pulumi-ccluster/provider").providerFor(typeName).update(id, olds, news),
    delete: (id, props) => require("pulumi-ccluster/provider").providerFor(typeName).delete(id, props),
  };
}

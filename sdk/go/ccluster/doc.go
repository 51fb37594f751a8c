// ML-platform credentials (CentML / NVIDIA CCluster vault, AI gateway tokens) as Pulumi resources, served by the provider plugin `pulumi-resource-ccluster` (npm package `pulumi-ccluster`).
package ccluster

// Every pulumi-ccluster credential, declared in Go on the provider plugin. The Go SDK is generated
// into sdk/go of the pulumi-ccluster repository; go.mod points at it with a replace directive.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"example.com/pulumi-ccluster/sdk/go/ccluster"
	"example.com/pulumi-ccluster/sdk/go/ccluster/aigateway"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		// A strong bearer token (256 bits from a CSPRNG), rotated every 30 days on a plain `pulumi up`.
		token, err := ccluster.NewBearerToken(ctx, "inference-token", &ccluster.BearerTokenArgs{RotationDays: pulumi.Int(30)})
		if err != nil {
			return err
		}
		if _, err := ccluster.NewServerlessApiKey(ctx, "serverless-key", nil); err != nil {
			return err
		}
		registry, err := ccluster.NewRegistryCredential(ctx, "registry", &ccluster.RegistryCredentialArgs{
			Username: pulumi.String("AWS"),
			Password: cfg.RequireSecret("registryPassword"),
			ImageUrl: pulumi.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1"),
		})
		if err != nil {
			return err
		}
		if _, err := ccluster.NewEnvironmentVariable(ctx, "log-level", &ccluster.EnvironmentVariableArgs{Key: pulumi.String("LOG_LEVEL"), Value: pulumi.String("info")}); err != nil {
			return err
		}
		hfToken, err := ccluster.NewHuggingFaceToken(ctx, "hf-token", &ccluster.HuggingFaceTokenArgs{Value: cfg.RequireSecret("hfToken")})
		if err != nil {
			return err
		}
		deployKey, err := ccluster.NewSshKey(ctx, "deploy-key", &ccluster.SshKeyArgs{PublicKey: pulumi.String(cfg.Require("sshPublicKey"))})
		if err != nil {
			return err
		}

		// An mTLS certificate like the platform's CLI makes it, and its <name>.pem on disk (mode 0600).
		cert, err := ccluster.NewCertificate(ctx, "endpoint-cert", &ccluster.CertificateArgs{ValidityDays: pulumi.Int(365), EarlyRenewalDays: pulumi.Int(30)})
		if err != nil {
			return err
		}
		if _, err := ccluster.NewPemFile(ctx, "endpoint-pem", &ccluster.PemFileArgs{Path: pulumi.String("certs/endpoint.pem"), Pem: cert.CombinedPem.Elem()}); err != nil {
			return err
		}
		gatewayToken, err := aigateway.NewAuthToken(ctx, "gateway-token", &aigateway.AuthTokenArgs{Gateway: pulumi.String("go-gateway"), RequestsPerMinute: pulumi.Int(600)})
		if err != nil {
			return err
		}

		// The fields of the platform's deployment request that these credentials feed.
		ctx.Export("deployment", pulumi.Map{
			"endpoint_certificate_authority": cert.CaCertificatePem,
			"endpoint_bearer_token":          token.Value,
			"hf_token":                       hfToken.Value,
			"image_pull_secret_credentials":  registry.ImagePullSecretCredentials,
			"ssh_public_key":                 deployKey.PublicKey,
		})
		ctx.Export("gatewayToken", gatewayToken.Token)
		return nil
	})
}

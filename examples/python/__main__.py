"""Every pulumi-ccluster credential, declared in Python on the provider plugin.

`pulumi up` runs this file; the e2e tests run `declare` as an Automation API inline program.
"""
import pulumi
import pulumi_ccluster as ccluster


def declare() -> None:
    config = pulumi.Config()

    # A strong bearer token (256 bits from a CSPRNG), rotated every 30 days on a plain `pulumi up`.
    token = ccluster.BearerToken("inference-token", rotation_days=30)
    serverless_key = ccluster.ServerlessApiKey("serverless-key")
    registry = ccluster.RegistryCredential(
        "registry",
        username="AWS",
        password=config.require_secret("registryPassword"),
        image_url="123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1",
    )
    log_level = ccluster.EnvironmentVariable("log-level", key="LOG_LEVEL", value="info")
    hf_token = ccluster.HuggingFaceToken("hf-token", value=config.require_secret("hfToken"))
    deploy_key = ccluster.SshKey("deploy-key", public_key=config.require("sshPublicKey"))

    # An mTLS certificate like the platform's CLI makes it, and its <name>.pem on disk (mode 0600).
    cert = ccluster.Certificate("endpoint-cert", validity_days=365, early_renewal_days=30)
    pem = ccluster.PemFile("endpoint-pem", path="certs/endpoint.pem", pem=cert.combined_pem)

    gateway_token = ccluster.aigateway.AuthToken("gateway-token", gateway=config.get("gateway") or "python-gateway", requests_per_minute=600)

    # The fields of the platform's deployment request that these credentials feed.
    pulumi.export("deployment", {
        "endpoint_certificate_authority": cert.ca_certificate_pem,
        "endpoint_bearer_token": token.value,
        "hf_token": hf_token.value,
        "image_pull_secret_credentials": registry.image_pull_secret_credentials,
        "ssh_public_key": deploy_key.public_key,
        "env_vars": {"LOG_LEVEL": log_level.value},
    })
    pulumi.export("serverlessApiKey", serverless_key.key)
    pulumi.export("gatewayToken", gateway_token.token)
    pulumi.export("pemPath", pem.absolute_path)


if __name__ == "__main__":
    declare()

import { classifyRegistryHost, registryOfImage } from "../../provider/formats/container-registry";

test.each([
  ["nginx:1.27", "dockerhub", "docker.io"],
  ["library/nginx", "dockerhub", "docker.io"],
  ["docker.io/vllm/vllm-openai:latest", "dockerhub", "docker.io"],
  ["123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1", "ecr", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
  ["us-central1-docker.pkg.dev/proj/repo/img:tag", "artifact-registry", "us-central1-docker.pkg.dev"],
  ["gcr.io/proj/img", "artifact-registry", "gcr.io"],
  ["myregistry.azurecr.io/team/model:2", "acr", "myregistry.azurecr.io"],
  ["registry.example.com:5000/a/b", "docker", "registry.example.com:5000"],
  ["localhost/a", "docker", "localhost"],
])("image %s is on %s (%s)", (image, kind, server) => {
  expect(registryOfImage(image)).toEqual({ kind, server });
});

test("a server name is classified the same way, with or without a scheme", () => {
  expect(classifyRegistryHost("https://index.docker.io/")).toEqual({ kind: "dockerhub", server: "docker.io" });
  expect(classifyRegistryHost("myregistry.azurecr.io").kind).toBe("acr");
});

test("nonsense is refused with a message that shows an example", () => {
  expect(() => classifyRegistryHost("not a host")).toThrow(/is not a registry host name \(e\.g\. docker\.io/);
  expect(() => registryOfImage("has space/x")).toThrow("is not an image reference");
});

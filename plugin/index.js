// Starts the provider plugin; the Node.js language host runs this folder (see PulumiPlugin.yaml).
require("../dist/provider/plugin/main.js");

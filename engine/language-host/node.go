package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// nodeBinary finds `node` on PATH.
func nodeBinary() (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on PATH: %w", err)
	}
	return node, nil
}

// resolveNodeModule asks node to resolve a module the way the program itself would, from
// dir, so the @pulumi/pulumi installed next to the program is the one that runs it.
func resolveNodeModule(node, dir, module string) (string, error) {
	const script = "process.stdout.write(require.resolve(process.argv[1]))"
	path, err := commandOutput(context.Background(), dir, node, "-e", script, module)
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s; is @pulumi/pulumi installed there "+
			"(npm install)? %w", module, dir, err)
	}
	return path, nil
}

// commandOutput runs a short command and returns its trimmed stdout; stderr goes into the error.
func commandOutput(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", err, firstLine(msg))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that we honour.
type runtimeOptions struct {
	typescript bool     // compile .ts with the ts-node bundled in @pulumi/pulumi (default true)
	tsconfig   string   // path of the tsconfig file to use, if not tsconfig.json
	nodeArgs   []string // extra arguments for node, split on white space
}

func parseRuntimeOptions(options *structpb.Struct) (runtimeOptions, error) {
	opts := runtimeOptions{typescript: true}
	for key, value := range options.AsMap() {
		switch key {
		case "typescript":
			b, ok := value.(bool)
			if !ok {
				return opts, errors.New("runtime option 'typescript' must be true or false")
			}
			opts.typescript = b
		case "tsconfig":
			s, ok := value.(string)
			if !ok {
				return opts, errors.New("runtime option 'tsconfig' must be a string")
			}
			opts.tsconfig = s
		case "nodeargs":
			s, ok := value.(string)
			if !ok {
				return opts, errors.New("runtime option 'nodeargs' must be a string")
			}
			opts.nodeArgs = strings.Fields(s)
		}
	}
	return opts, nil
}

// env returns the variables through which @pulumi/pulumi's runners read these options.
func (o runtimeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

// configEnv serialises stack configuration for PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS.
// Keys stay in the engine's "namespace:name" form, which @pulumi/pulumi reads directly.
func configEnv(config map[string]string, secretKeys []string) (configJSON, secretKeysJSON string, err error) {
	if config == nil {
		config = map[string]string{}
	}
	if secretKeys == nil {
		secretKeys = []string{}
	}
	c, err := json.Marshal(config)
	if err != nil {
		return "", "", fmt.Errorf("could not serialise the stack configuration: %w", err)
	}
	s, err := json.Marshal(secretKeys)
	if err != nil {
		return "", "", fmt.Errorf("could not serialise the secret configuration keys: %w", err)
	}
	return string(c), string(s), nil
}

// directDependencies reads package.json in dir and reports each dependency with the version
// installed in node_modules, or the declared range when it is not installed.
func directDependencies(dir string) ([]*pulumirpc.DependencyInfo, error) {
	var manifest struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &manifest); err != nil {
		return nil, err
	}
	declared := map[string]string{}
	for name, r := range manifest.DevDependencies {
		declared[name] = r
	}
	for name, r := range manifest.Dependencies {
		declared[name] = r
	}
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)

	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		version := declared[name]
		var installed struct {
			Version string `json:"version"`
		}
		if readJSON(filepath.Join(dir, "node_modules", name, "package.json"), &installed) == nil &&
			installed.Version != "" {
			version = installed.Version
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: version})
	}
	return deps, nil
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("could not parse %s: %w", path, err)
	}
	return nil
}

// writerOnly hides *os.File from exec.Cmd so the child's output is copied through a pipe.
type writerOnly struct{ io.Writer }

// streamWriter sends whatever is written to it as one gRPC stream message. gRPC streams
// must not be sent on concurrently, and stdout and stderr are copied by separate
// goroutines, so all writers of one stream share a lock.
type streamWriter struct {
	lock *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.lock.Lock()
	defer w.lock.Unlock()
	if err := w.send(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func newRunPluginStreams(server pulumirpc.LanguageRuntime_RunPluginServer) (stdout, stderr io.Writer) {
	lock := &sync.Mutex{}
	stdout = streamWriter{lock, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	stderr = streamWriter{lock, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	return stdout, stderr
}

func newInstallStreams(server pulumirpc.LanguageRuntime_InstallDependenciesServer) (stdout, stderr io.Writer) {
	lock := &sync.Mutex{}
	stdout = streamWriter{lock, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	stderr = streamWriter{lock, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	return stdout, stderr
}

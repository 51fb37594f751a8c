package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitCodeAlreadyReported is the exit code @pulumi/pulumi's runner uses after it has printed
// an actionable error itself; the engine should then stop without adding its own message.
const exitCodeAlreadyReported = 32

// Kinds of plugin the engine may ask RunPlugin to start (apitype.PluginKind values).
const analyzerPluginKind = "analyzer"

// languageHost implements pulumirpc.LanguageRuntimeServer. Methods that are not defined
// here answer codes.Unimplemented through the embedded type, which the engine tolerates.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// ctx ends when the host is told to stop (signal or engine gone); children are interrupted.
	ctx  context.Context
	stop context.CancelFunc

	mu            sync.Mutex
	engineAddress string
}

func newLanguageHost(ctx context.Context, stop context.CancelFunc) *languageHost {
	return &languageHost{ctx: ctx, stop: stop}
}

// attachEngine records the engine's address and starts watching its health (once).
func (h *languageHost) attachEngine(address string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.engineAddress != "" {
		return nil
	}
	h.engineAddress = address
	return rpcutil.Healthcheck(h.ctx, address, engineHealthInterval, h.stop)
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is only sent when the engine attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); a normally started host gets the address as an argument.
func (h *languageHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if err := h.attachEngine(req.GetEngineAddress()); err != nil {
		return nil, fmt.Errorf("could not watch the engine at %s: %w", req.GetEngineAddress(), err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports this host's version.
func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins answers "none": nothing is downloaded ahead of time (these machines are
// offline); the engine still loads plugins such as pulumi-nodejs from PATH when first used.
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages answers "none", for the same reason as GetRequiredPlugins.
func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// Run executes a Pulumi program with `node @pulumi/pulumi/cmd/run` and waits for it.
// A failing program is reported in RunResponse.Error (not as an RPC error), as the engine expects.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	programDir, entryPoint := programLocation(req)
	opts, err := parseRuntimeOptions(req.GetInfo().GetOptions())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	runScript := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runScript == "" {
		runScript = "@pulumi/pulumi/cmd/run"
	}
	runScript, err = resolveNodeModule(node, programDir, runScript)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configJSON, secretKeysJSON, err := configEnv(req.GetConfig(), req.GetConfigSecretKeys())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+configJSON, "PULUMI_CONFIG_SECRET_KEYS="+secretKeysJSON)
	env = append(env, opts.env()...)

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runScript)
	args = append(args, runArguments(req, h.engine(), programDir, entryPoint)...)

	cmd, release := h.nodeCommand(ctx, node, args)
	defer release()
	cmd.Env = env
	// Our own stdout/stderr go to the engine, which shows them to the user. Wrapping them
	// makes Go copy through a pipe, so node cannot flip our file descriptors to non-blocking.
	cmd.Stdout = writerOnly{os.Stdout}
	cmd.Stderr = writerOnly{os.Stderr}
	logging.V(5).Infof("starting program: %s %v", node, args)

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: describeExit(exitErr)}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node for the program: %v", err)}, nil
	}
}

// runArguments builds the command line of @pulumi/pulumi/cmd/run (see its usage text).
func runArguments(req *pulumirpc.RunRequest, engineAddress, programDir, entryPoint string) []string {
	var args []string
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	// The SDK talks to the engine's resource monitor directly; no proxy in between.
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// RunPlugin starts a plugin written in Node.js and streams its output back to the engine.
// Policy packs (kind "analyzer", e.g. `pulumi preview --policy-pack DIR`) run through
// @pulumi/pulumi/cmd/run-policy-pack behind the SDK's PolicyProxy, which learns the stack
// configuration from the engine before the pack starts; other kinds use cmd/run-plugin.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	stdout, stderr := newRunPluginStreams(server)

	node, err := nodeBinary()
	if err != nil {
		return err
	}
	pluginDir := req.GetInfo().GetProgramDirectory()
	opts, err := parseRuntimeOptions(req.GetInfo().GetOptions())
	if err != nil {
		return err
	}
	isPolicyPack := req.GetKind() == analyzerPluginKind

	module := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		module = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	script, err := resolveNodeModule(node, pluginDir, module)
	if err != nil {
		return err
	}

	env := append(append([]string{}, req.GetEnv()...), opts.env()...)
	args := append(append([]string{}, opts.nodeArgs...), script)
	if isPolicyPack {
		// run-policy-pack expects `<engine-address> <policy pack dir>` last; the engine's
		// arguments start with its address (possibly after logging flags).
		args = append(append(args, req.GetArgs()...), pluginDir)
	} else {
		args = append(append(args, pluginDir), req.GetArgs()...)
	}

	cmd, release := h.nodeCommand(ctx, node, args)
	defer release()
	cmd.Stderr = stderr
	if !isPolicyPack {
		cmd.Dir = req.GetPwd()
		cmd.Env = env
		cmd.Stdout = stdout
		logging.V(5).Infof("starting plugin %q: %s %v", req.GetName(), node, args)
		return finishPlugin(server, cmd.Run())
	}

	// The proxy prints its own port as the plugin's first stdout line, then waits for the
	// engine's ConfigureStack call (or another call, for commands without a stack).
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	stackConfig, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not receive the stack configuration for the policy pack: %w", err)
	}
	if stackConfig != nil {
		configJSON, secretKeysJSON, err := configEnv(stackConfig.GetConfig(), stackConfig.GetConfigSecretKeys())
		if err != nil {
			return err
		}
		env = append(env,
			"PULUMI_NODEJS_ORGANIZATION="+stackConfig.GetOrganization(),
			"PULUMI_NODEJS_PROJECT="+stackConfig.GetProject(),
			"PULUMI_NODEJS_STACK="+stackConfig.GetStack(),
			"PULUMI_NODEJS_DRY_RUN="+strconv.FormatBool(stackConfig.GetDryRun()),
			"PULUMI_CONFIG="+configJSON,
			"PULUMI_CONFIG_SECRET_KEYS="+secretKeysJSON,
		)
	}
	// Policy packs have always run from their own directory, so their node_modules are found.
	cmd.Dir = pluginDir
	cmd.Env = env
	cmd.Stdout = packStdout
	logging.V(5).Infof("starting policy pack %q: %s %v", req.GetName(), node, args)
	if err := cmd.Start(); err != nil {
		return finishPlugin(server, err)
	}
	// Attach reads the pack's port from its stdout, forwards the engine's calls to it and
	// returns when the pack exits.
	return finishPlugin(server, proxy.Attach(ctx, cmd))
}

// finishPlugin turns a plugin's end into the RunPlugin answer: a non-zero exit is sent as
// an exit code message (the engine reports it), a failure to start is an RPC error.
func finishPlugin(server pulumirpc.LanguageRuntime_RunPluginServer, runErr error) error {
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
		return nil
	case errors.As(runErr, &exitErr) && exitErr.ExitCode() > 0:
		return server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
		})
	case errors.As(runErr, &exitErr):
		return fmt.Errorf("plugin ended abnormally: %s", exitErr)
	default:
		return fmt.Errorf("could not run the plugin with node: %w", runErr)
	}
}

// InstallDependencies runs `npm install` only when node_modules is missing; projects in this
// repository usually link node_modules to the package's own, and these machines are offline.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	stdout, stderr := newInstallStreams(server)
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory() //nolint:staticcheck // older engines only fill this field
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		fmt.Fprintf(stdout, "node_modules already present in %s; nothing to install\n", dir)
		return nil
	}
	fmt.Fprintf(stdout, "Installing dependencies with npm in %s...\n", dir)
	cmd := exec.CommandContext(server.Context(), "npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return nil
}

// About tells `pulumi about` which node runs the programs.
func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	nodeVersion, err := commandOutput(ctx, "", node, "--version")
	if err != nil {
		return nil, fmt.Errorf("could not ask %s for its version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    nodeVersion,
		Metadata:   map[string]string{"packagemanager": "npm"},
	}, nil
}

// GetProgramDependencies lists the program's direct npm dependencies with their installed
// versions (transitive dependencies are not listed).
func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd() //nolint:staticcheck // older engines only fill this field
	}
	deps, err := directDependencies(dir)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// nodeCommand prepares a node child that is interrupted (then killed after a grace period)
// when the RPC is cancelled or the host stops. Call release once the child has ended.
func (h *languageHost) nodeCommand(ctx context.Context, node string, args []string) (*exec.Cmd, func()) {
	childCtx, cancel := context.WithCancel(ctx)
	stopWatching := context.AfterFunc(h.ctx, cancel)
	cmd := exec.CommandContext(childCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 5 * time.Second
	return cmd, func() {
		stopWatching()
		cancel()
	}
}

// programLocation returns the program directory and the entry point to hand to cmd/run.
func programLocation(req *pulumirpc.RunRequest) (dir, entryPoint string) {
	dir = req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	entryPoint = req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	return dir, entryPoint
}

func describeExit(exitErr *exec.ExitError) string {
	if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return fmt.Sprintf("Program was stopped by signal %s", status.Signal())
	}
	return fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
}

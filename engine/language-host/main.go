// Command pulumi-language-nodejs is pulumi-ccluster's own, minimal Node.js language host.
//
// The official host cannot be built on machines that only reach the Go module proxy (its
// module is not served there), so this one implements the small part of the
// LanguageRuntime gRPC service that `pulumi up/preview/refresh/destroy` and
// `pulumi preview --policy-pack` need. The heavy lifting stays in the npm package
// @pulumi/pulumi: this host only starts `node @pulumi/pulumi/cmd/run` (programs),
// `cmd/run-policy-pack` (policy packs) or `cmd/run-plugin` (other plugins) with the
// arguments and environment that package expects.
//
// Protocol with the engine: the engine starts this binary with its own gRPC address as
// the last argument, reads one line from stdout (the port we listen on) and then calls
// the service. Everything we print after that line is shown as diagnostics.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is reported by GetPluginInfo; install-pulumi.sh sets it with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// engineHealthInterval is how often we check that the engine is still alive; when it is
// gone we stop serving so no orphaned host (or node child) is left behind.
const engineHealthInterval = 30 * time.Second

func main() {
	// The engine passes --tracing when the user asked for tracing; we accept it so the
	// command line parses, but do not forward traces.
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted, not used)")
	// Hosts started by other hosts (the YAML host's plugin loader, to run a Node.js plugin from its
	// PulumiPlugin.yaml) also get -root=<dir>; accepted, as the engine sends the same in ProgramInfo.
	flag.String("root", "", "root directory of the program or plugin (accepted, not used)")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	// Those hosts also pass each runtime option as -<option>=<value>; RunPlugin reads them from the
	// request's ProgramInfo, so unknown -name=value flags are dropped rather than fail the start.
	_ = flag.CommandLine.Parse(definedFlagsOnly(flag.CommandLine, os.Args[1:]))
	if *showVersion {
		fmt.Println(version)
		return
	}
	// Honours the -v and --logtostderr flags the engine forwards with `pulumi -v=N --logflow`.
	logging.InitLogging(false, 0, false)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	host := newLanguageHost(ctx, stop)
	if engineAddress := flag.Arg(0); engineAddress != "" {
		if err := host.attachEngine(engineAddress); err != nil {
			cmdutil.Exit(fmt.Errorf("could not watch the engine at %s: %w", engineAddress, err))
		}
	}

	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stopServing)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host gRPC server: %w", err))
	}

	// The engine reads exactly this line to learn where to connect.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped serving: %w", err))
	}
}

// definedFlagsOnly drops the -name=value arguments whose flag is not defined in fs. Everything
// else (defined flags, flags without "=", the engine address) is kept, in order.
func definedFlagsOnly(fs *flag.FlagSet, args []string) []string {
	kept := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			return append(kept, args[i:]...)
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if hasValue && fs.Lookup(name) == nil {
			continue
		}
		kept = append(kept, arg)
	}
	return kept
}

package main

import (
	"flag"
	"reflect"
	"testing"
)

// The arguments other hosts start a language host with: runtime options as flags, -root, the
// engine address last (sdk v3.206 buildArgsForNewPlugin, which the YAML host uses).
func TestDefinedFlagsOnlyDropsRuntimeOptionFlags(t *testing.T) {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	fs.String("tracing", "", "")
	fs.String("root", "", "")
	fs.Bool("logtostderr", false, "")
	args := []string{"-typescript=false", "-nodeargs=--max-old-space-size=4096", "--logtostderr", "-tracing", "http://t", "-root=/plugins/ccluster", "127.0.0.1:4000"}
	kept := definedFlagsOnly(fs, args)
	want := []string{"--logtostderr", "-tracing", "http://t", "-root=/plugins/ccluster", "127.0.0.1:4000"}
	if !reflect.DeepEqual(kept, want) {
		t.Fatalf("kept %q, want %q", kept, want)
	}
	if err := fs.Parse(kept); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if fs.Arg(0) != "127.0.0.1:4000" || fs.Lookup("root").Value.String() != "/plugins/ccluster" {
		t.Fatalf("engine address %q, root %q", fs.Arg(0), fs.Lookup("root").Value.String())
	}
}

// Positional arguments end the flags: a value after them that looks like a flag is kept as it is.
func TestDefinedFlagsOnlyStopsAtTheFirstPositional(t *testing.T) {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	kept := definedFlagsOnly(fs, []string{"127.0.0.1:4000", "-unknown=x"})
	if !reflect.DeepEqual(kept, []string{"127.0.0.1:4000", "-unknown=x"}) {
		t.Fatalf("kept %q", kept)
	}
}

#!/usr/bin/env bash
# Provides the real Pulumi engine for this project's end-to-end tests and demos.
#
# If `pulumi` and `pulumi-language-nodejs` are already on PATH, they are used as they are.
# Otherwise this builds, once per machine, into
#   ${PULUMI_CCLUSTER_CACHE:-$HOME/.cache/pulumi-ccluster}/pulumi-v<version of @pulumi/pulumi>/bin/
# - pulumi                         the CLI, from the Go modules pkg/v3 + sdk/v3 (a prebuilt
#                                  binary cannot be downloaded here; the Go module proxy works);
# - pulumi-language-nodejs         our own language host, from engine/language-host (the
#                                  official one is not served by the Go module proxy);
# - pulumi-language-yaml           Pulumi YAML's language host (github.com/pulumi/pulumi-yaml), for
#                                  YAML programs on the provider plugin pulumi-resource-ccluster;
# - pulumi-resource-pulumi-nodejs  the dynamic-provider plugin script from @pulumi/pulumi.
# The language host is rebuilt whenever its sources change (their hash is kept next to it).
#
# Progress goes to stderr. The LAST line on stdout is the bin directory to put on PATH.
# Usage: scripts/install-pulumi.sh        Environment: PULUMI_CCLUSTER_CACHE (cache root).
set -euo pipefail

readonly CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
readonly VERSION_FLAG="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
# The newest pulumi-yaml the Go module proxy serves. It builds only at its own pinned pkg/sdk
# (v3.206.0; forced onto the CLI's release it does not compile) and runs fine under the CLI.
readonly YAML_VERSION="v1.25.0"
readonly YAML_VERSION_FLAG="github.com/pulumi/pulumi-yaml/pkg/version.Version"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The engine is built at the release of the @pulumi/pulumi this repository installed (package.json pins it).
sdk_dir="$(cd "$repo_root" && node -e 'process.stdout.write(require("path").dirname(require.resolve("@pulumi/pulumi/package.json")))' 2>/dev/null)" || {
  echo "[install-pulumi] FAILED: @pulumi/pulumi is not installed in $repo_root (run npm ci there first)" >&2
  exit 1
}
sdk_version="$(node -p 'require(process.argv[1]).version' "$sdk_dir/package.json")"
readonly PULUMI_VERSION="v$sdk_version"
host_src="$repo_root/engine/language-host"
cache_root="${PULUMI_CCLUSTER_CACHE:-$HOME/.cache/pulumi-ccluster}"
bin_dir="$cache_root/pulumi-$PULUMI_VERSION/bin"
PROGRESS_TAG="install-pulumi"
# shellcheck source=scripts/progress.sh
source "$repo_root/scripts/progress.sh"

# 1. A Pulumi installation already on PATH wins (a developer's machine).
if command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-nodejs >/dev/null 2>&1 && command -v pulumi-language-yaml >/dev/null 2>&1; then
  existing="$(dirname "$(command -v pulumi)")"
  log "using pulumi, pulumi-language-nodejs and pulumi-language-yaml already on PATH ($existing)"
  echo "$existing"
  exit 0
fi

command -v go >/dev/null 2>&1 || fail "Go is needed to build the Pulumi engine, but 'go' is not on PATH"
command -v node >/dev/null 2>&1 || fail "node is needed, but it is not on PATH"
[ -f "$host_src/go.mod" ] || fail "language host sources not found at $host_src"

mkdir -p "$bin_dir"
# Several test workers may call this at once: one builds, the others wait, then reuse.
exec 9>"$bin_dir/../.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9 || fail "could not lock $bin_dir"
fi

# Builds one Go command through a throw-away wrapper module: `go install pkg@version` refuses
# modules whose go.mod has replace directives, so the wrapper requires them and repeats the one
# non-local replace (clipboard). GOFLAGS=-mod=mod lets go settle what the pins leave open.
# Usage: build_wrapped <what> <output file> <ldflags> <package> <module@version>...
build_wrapped() {
  local what="$1" out="$2" ldflags="$3" package="$4"
  shift 4
  local work m requires=()
  work="$(mktemp -d)" # kept on failure, so the logs named in the message can be read
  for m in "$@"; do requires+=("-require=$m"); done
  printf 'module pulumi-ccluster/%s\n\ngo 1.25.8\n' "$(basename "$out")" >"$work/go.mod"
  # An import keeps the package (and so its dependencies) in the module graph for tidy.
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >"$work/tools.go"
  (
    cd "$work"
    export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
    run_logged "go mod edit of the $what wrapper module" "$work/edit.log" \
      go mod edit "${requires[@]}" -replace="$CLIPBOARD_REPLACE"
    log "resolving modules for $what (go mod tidy)"
    if ! run_quietly "resolving modules for $what" "$work/tidy.log" go mod tidy; then
      # The checksum database is often unreachable when only the module proxy is allowed.
      if grep -q "sum.golang.org\|verifying" "$work/tidy.log"; then
        log "checksum database unreachable; retrying with GOSUMDB=off"
        export GOSUMDB=off
        run_logged "resolving modules for $what" "$work/tidy.log" go mod tidy
      else
        fail "go mod tidy of the $what wrapper failed (full log: $work/tidy.log):
$(tail -n 25 "$work/tidy.log")"
      fi
    fi
    log "compiling $what (go build)"
    # -v: the log lists each package as it is compiled, which the progress lines count.
    run_logged "compiling $what" "$work/build.log" go build -v -trimpath -ldflags "$ldflags" -o "$out.partial" "$package"
  ) || exit 1
  mv -f "$out.partial" "$out"
  rm -rf "$work"
}

# 2. The CLI: the expensive part, built once per version.
if [ -x "$bin_dir/pulumi" ] && [ "$("$bin_dir/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  log "pulumi $PULUMI_VERSION already built"
else
  log "building pulumi $PULUMI_VERSION with $(go version) (a cold build downloads modules and compiles for minutes)"
  build_wrapped "the Pulumi CLI" "$bin_dir/pulumi" "-s -w -X $VERSION_FLAG=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  log "built $bin_dir/pulumi ($("$bin_dir/pulumi" version))"
fi

# 2b. The YAML language host, at its own pinned pkg/sdk, built once per version (a minute or two).
if [ -x "$bin_dir/pulumi-language-yaml" ] && [ "$(cat "$bin_dir/.language-yaml.version" 2>/dev/null)" = "$YAML_VERSION" ]; then
  log "pulumi-language-yaml $YAML_VERSION already built"
else
  log "building pulumi-language-yaml $YAML_VERSION"
  build_wrapped "the YAML language host" "$bin_dir/pulumi-language-yaml" "-s -w -X $YAML_VERSION_FLAG=$YAML_VERSION" \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "github.com/pulumi/pulumi-yaml@$YAML_VERSION"
  echo "$YAML_VERSION" >"$bin_dir/.language-yaml.version"
  log "built $bin_dir/pulumi-language-yaml"
fi

# 3. Our language host, rebuilt when its sources change.
host_hash="$(cd "$host_src" && find . -maxdepth 1 -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) \
  ! -name '*_test.go' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if [ -x "$bin_dir/pulumi-language-nodejs" ] && [ "$(cat "$bin_dir/.language-host.hash" 2>/dev/null)" = "$host_hash" ]; then
  log "language host up to date (sources $host_hash)"
else
  log "building the language host from engine/language-host (sources $host_hash)"
  host_log="$(mktemp)"
  (
    cd "$host_src"
    if ! go build -trimpath -ldflags "-s -w -X main.version=${PULUMI_VERSION#v}-ccluster.$host_hash" \
      -o "$bin_dir/pulumi-language-nodejs.partial" . >"$host_log" 2>&1; then
      if grep -q "sum.golang.org\|verifying" "$host_log"; then
        log "checksum database unreachable; retrying with GOSUMDB=off"
        GOSUMDB=off run_logged "go build of the language host" "$host_log" \
          go build -trimpath -ldflags "-s -w -X main.version=${PULUMI_VERSION#v}-ccluster.$host_hash" \
          -o "$bin_dir/pulumi-language-nodejs.partial" .
      else
        fail "go build of the language host failed (full log: $host_log):
$(tail -n 25 "$host_log")"
      fi
    fi
  ) || exit 1
  mv -f "$bin_dir/pulumi-language-nodejs.partial" "$bin_dir/pulumi-language-nodejs"
  echo "$host_hash" >"$bin_dir/.language-host.hash"
  rm -f "$host_log"
  log "built $bin_dir/pulumi-language-nodejs"
fi

# 4. The dynamic-provider plugin script, from the same @pulumi/pulumi.
if ! cmp -s "$sdk_dir/pulumi-resource-pulumi-nodejs" "$bin_dir/pulumi-resource-pulumi-nodejs"; then
  cp "$sdk_dir/pulumi-resource-pulumi-nodejs" "$bin_dir/pulumi-resource-pulumi-nodejs.partial"
  chmod +x "$bin_dir/pulumi-resource-pulumi-nodejs.partial"
  mv -f "$bin_dir/pulumi-resource-pulumi-nodejs.partial" "$bin_dir/pulumi-resource-pulumi-nodejs"
  log "copied pulumi-resource-pulumi-nodejs from @pulumi/pulumi $sdk_version"
fi

log "ready"
echo "$bin_dir"

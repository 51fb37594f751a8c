# Progress for long shell steps, sourced by scripts/install-pulumi.sh (and its test): lines on
# stderr with the time since the start, so stdout stays free for the script's answer.
# PROGRESS_TAG names the script in each line; PROGRESS_EVERY_SECONDS (default 30) paces the
# "still at work" lines of run_quietly.
export LC_NUMERIC=C # a dot as decimal separator in $EPOCHREALTIME
now() { echo "${EPOCHREALTIME:-$(date +%s)}"; }
started_at="$(now)"

log() { echo "[${PROGRESS_TAG:-progress} +$(awk "BEGIN { printf \"%.1f\", $(now) - $started_at }")s] $*" >&2; }
fail() {
  echo "[${PROGRESS_TAG:-progress}] FAILED: $*" >&2
  exit 1
}
# Runs a command with its output in a log file and returns its status. A cold build spends minutes
# in single commands: every PROGRESS_EVERY_SECONDS it says it is still at work, and how far its log has got.
run_quietly() {
  local what="$1" logfile="$2" pid seconds=0 every="${PROGRESS_EVERY_SECONDS:-30}"
  shift 2
  "$@" >"$logfile" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    seconds=$((seconds + 1))
    if [ $((seconds % every)) -eq 0 ]; then log "still $what ($(wc -l <"$logfile" | tr -d ' ') lines in $logfile)"; fi
  done
  wait "$pid"
}
# Runs a command with its output in a log file; on failure shows the log's tail and stops.
run_logged() {
  local what="$1" logfile="$2"
  shift 2
  if ! run_quietly "$what" "$logfile" "$@"; then
    fail "$what failed (full log: $logfile):
$(tail -n 25 "$logfile")"
  fi
}

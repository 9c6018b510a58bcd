# Sourced by scripts/demo and scripts/test: run one named step with its output
# kept in a log, and on failure say which step failed, show the last lines of
# the tool's output and exit non-zero. Nothing fails silently.
#
#   step "Configuring the build in build/" meson setup build
#
# STEP_LOG (a file) is where the output goes; it is removed on success.

step() {
  local what=$1 log rc t0=$SECONDS
  shift
  log=$(mktemp /tmp/step.XXXXXX)
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    # say how long the slow steps took (a fresh machine's installs)
    [ $((SECONDS - t0)) -lt 2 ] || echo "    (done in $((SECONDS - t0)) s)"
    return 0
  else
    rc=$?
  fi
  {
    echo
    echo "FAILED: $what (exit $rc): $*"
    echo "The last lines of its output (all of it: $log):"
    tail -n 30 "$log" | sed 's/^/    /'
  } >&2
  exit 1
}

# meson_setup DIR [OPTIONS...]: configure DIR unless it is configured; a
# failed setup removes what it made, so the next run starts clean instead of
# failing another way on a half-made directory.
meson_setup() {
  local dir=$1 fresh=0
  shift
  [ -f "$dir/build.ninja" ] && return 0
  [ -e "$dir" ] || fresh=1
  if ! step "Configuring the build in $dir/ (meson setup)" \
    _meson_setup_or_clean "$dir" "$fresh" "$@"; then
    return 1
  fi
}
_meson_setup_or_clean() {
  local dir=$1 fresh=$2
  shift 2
  if meson setup "$dir" "$@"; then
    return 0
  fi
  if [ "$fresh" = 1 ]; then
    rm -rf "$dir"
  else
    rm -rf "$dir/meson-private" "$dir/build.ninja"
  fi
  return 1
}

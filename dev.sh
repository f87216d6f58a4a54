#!/usr/bin/env bash
# printpost's two entry points on a fresh machine:
#   ./dev.sh samples   set up (.venv, system libraries) and build every edition in issues/
#   ./dev.sh test      set up and run the test suite
# Setup is idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP=$VENV/.printpost-installed

APT_LOCK_WAIT=${APT_LOCK_WAIT:-600}  # seconds to wait for another apt or dpkg to finish

apt_get() {
  # apt-get, quietly; while another apt or dpkg holds its lock (an unattended upgrade, a
  # second setup), wait for it, up to APT_LOCK_WAIT seconds. On failure apt's own error is
  # shown. (DPkg::Lock::Timeout waits for dpkg's lock; `apt-get update`'s lock it does not,
  # hence the loop.)
  local log waited=0 said=
  log=$(mktemp)
  while true; do
    if DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=60 "$@" >"$log" 2>&1; then
      rm -f "$log"
      return 0
    fi
    if grep -q -e "Could not get lock" -e "Unable to acquire the dpkg frontend lock" \
         -e "Unable to lock" "$log" && [ "$waited" -lt "$APT_LOCK_WAIT" ]; then
      [ -n "$said" ] || echo "setup: waiting for apt's lock: $(grep -m1 -e 'lock' "$log")" >&2
      said=1
      sleep 5
      waited=$((waited + 5))
      continue
    fi
    echo "setup: apt-get $1 failed:" >&2
    grep -v '^$' "$log" | tail -n 15 | sed 's/^/  /' >&2
    rm -f "$log"
    return 1
  done
}

setup_system() {
  # libharfbuzz-subset0: deterministic, faster font subsetting in WeasyPrint;
  # poppler-utils: pdftoppm/pdffonts for looking at pages. Both optional: printpost
  # works without them (WeasyPrint falls back to fontTools, tests use pypdfium2).
  # chromium: the browser the subscriber-site test drives through Playwright (that test
  # is skipped without it).
  local missing=()
  ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || missing+=(libharfbuzz-subset0)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}" >&2
    if ! { apt_get update && apt_get install -y "${missing[@]}"; }; then
      echo "setup: notice: could not install ${missing[*]}; continuing without" >&2
    fi
  else
    echo "setup: notice: ${missing[*]} not installed (needs root and apt-get); continuing without" >&2
  fi
}

setup_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
    touch "$STAMP"
  fi
  # Bytecode for printpost's own modules (an editable install is not compiled, and where
  # PYTHONDONTWRITEBYTECODE is set every process would compile them again: ~0.04 s a build).
  "$VENV/bin/python" -m compileall -q printpost >/dev/null || true
}

case "${1:-}" in
  samples)
    setup_system
    setup_python
    shift
    exec "$VENV/bin/printpost" build issues/*.yaml "$@"
    ;;
  test)
    setup_system
    setup_python
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh samples | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac

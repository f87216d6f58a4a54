#!/usr/bin/env bash
# printpost's two entry points on a fresh machine:
#   ./dev.sh samples   set up (.venv, system libraries) and build every edition in issues/
#   ./dev.sh test      set up and run the test suite
# Setup is idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP=$VENV/.printpost-installed

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
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
      >/dev/null 2>&1 || echo "setup: notice: could not install ${missing[*]}; continuing without" >&2
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

#!/usr/bin/env bash
# The README's test command: install what the tests need when it is missing, then run pytest.
# Works on a fresh Debian 12 machine as root (see ../shared/recipes.md sections 1-5).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/browser -x`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)                 # browser tests (issue 4)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)      # Nu HTML checker
command -v npm >/dev/null || need+=(npm)                           # axe-core, vnu-jar
[ -x .venv/bin/python ] || python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -r requirements-dev.txt         # all pinned ==
# axe-core and vnu-jar from the committed lock; --ignore-scripts stops vnu-jar's
# postinstall from fetching a JDK. Never `playwright install`: we use Debian's chromium.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

exec .venv/bin/python -m pytest -q "$@"

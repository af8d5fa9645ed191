#!/usr/bin/env bash
# Install everything the tests need (dev requirements, the PyTorch oracle, Debian's Chromium) and
# run the whole suite: lint, format check, unit/AppTest/oracle/browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt torch==2.13.0

# Debian packages: Chromium for the browser tests, nginx and Redis for the workshop-hosting tests, a
# font with Chinese glyphs for the pages in 简体中文 (wqy-microhei: 1.6 MB; fonts-noto-cjk is fuller).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
command -v redis-server >/dev/null || missing="$missing redis-server"
{ command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; } || missing="$missing fonts-wqy-microhei"
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null; }; then
    echo "WARNING: could not install$missing; the tests that need them will be skipped." >&2
  fi
fi

echo "== ruff"
python3 -m ruff check .
python3 -m ruff format --check .

echo "== pytest"
if [ "$#" -gt 0 ]; then  # the tests named on the command line, in one process
  exec python3 -m pytest -q -ra --durations=15 -p no:cacheprovider "$@"
fi
# The whole suite in four parts, on two lanes (one per core): the browser tests (tests/e2e, which spend
# much of their time waiting on a server and a browser) on one; everything but the browser and hosting
# tests, then the two heaviest labs' browser tests, on the other (so both lanes take about as long);
# then the hosting tests alone (a workshop of replicas, nginx and Redis, timed failovers: they need the
# machine to themselves). Lines are prefixed ([browser] / [rest] / [labs] / [hosting]); each part ends
# with its own summary of how many tests ran, passed and were skipped, and the script fails if any
# part fails.
run_part() {
  local tag=$1
  shift
  PYTHONUNBUFFERED=1 python3 -m pytest -q -ra --durations=10 -p no:cacheprovider "$@" 2>&1 | sed -u "s/^/[$tag] /"
}
LABS=(tests/e2e/test_fasttext_e2e.py tests/e2e/test_conv_e2e.py)
run_part browser tests/e2e "${LABS[@]/#/--ignore=}" &
browser=$!
(
  lane=0
  run_part rest tests --ignore=tests/e2e --ignore=tests/hosting || lane=1
  run_part labs "${LABS[@]}" || lane=1
  exit "$lane"
) &
rest=$!
status=0
wait "$rest" || status=1
wait "$browser" || status=1
run_part hosting tests/hosting || status=1
[ "$status" -eq 0 ] && echo "== pytest: every part passed" || echo "== pytest: a part FAILED (see above)"
exit "$status"

#!/usr/bin/env bash
# Installs what the tests need and runs them: lint, then the suite on SQLite and on a throwaway
# PostgreSQL (installed from Debian's packages when missing and we are root), types (mypy)
# beside its last two runs. Any failure fails the whole.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    start_postgres || {
        if [ "${CI:-}" = "true" ]; then echo "PostgreSQL could not be started" >&2; exit 1; fi
        echo "PostgreSQL not available: the suite runs on SQLite only" >&2
    }
fi

# The browser tests drive Debian's Chromium through Playwright (never `playwright install`:
# nothing is downloaded); tests/support/browser.py finds it at CHROMIUM_PATH. The emoji font
# lets the screenshots show the posts' emoji as a phone does.
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; } \
        || true
fi
if ! command -v chromium >/dev/null && [ "${CI:-}" = "true" ]; then
    echo "chromium could not be installed" >&2; exit 1
fi
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

python3 -m ruff check .

# Compiled modules, and pytest's rewritten test modules, are cached outside the tree for this
# run: every worker, every later run and every `python -m bot` a test starts reads them
# instead of compiling (and rewriting) them again. A machine whose environment says
# PYTHONDONTWRITEBYTECODE would otherwise pay that in each: collecting the suite took 15-17 s
# of CPU a process that way, 11-12 s with the cache.
unset PYTHONDONTWRITEBYTECODE
made_cache=""
if [ -z "${PYTHONPYCACHEPREFIX:-}" ]; then
    made_cache="$(mktemp -d)"
    export PYTHONPYCACHEPREFIX="$made_cache"
fi
# One EXIT trap for the whole script (it replaces scripts/postgres.sh's): the throwaway
# PostgreSQL server stopped and its folder removed, and the cache made here removed.
cleanup() {
    if [ -n "${PG_DIR:-}" ]; then stop_postgres; fi
    if [ -n "$made_cache" ]; then rm -rf "$made_cache"; fi
}
trap cleanup EXIT

# The suite must pass whatever today's date is: the date-bound tests again with the machine's
# clock set far away (a month end, a leap-year neighbour, a minute before midnight in Vietnam).
# The bot reads time only through storage/clock.py, so they pass only if nothing else does.
# In one process (pytest-xdist's workers under the faked clock took 132 s against 57 s), beside
# the main run: that run keeps the two cores only about 1.3 busy on average while its tests
# wait, and this fills some of the rest (57 s after it before). Its output is printed after the
# main run, and it ends before the next run restarts the PostgreSQL server it also uses.
if ! command -v faketime >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; } \
        || true
fi
faketime_pid=""
if command -v faketime >/dev/null; then
    faketime_out="$(mktemp)"
    # Its own cache: the faked clock may show the files' times shifted as well.
    PYTHONPYCACHEPREFIX="$PYTHONPYCACHEPREFIX/faketime" \
        TZ=Asia/Ho_Chi_Minh FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '2029-02-28 23:59:30' \
        python3 -m pytest -p no:cacheprovider -q \
        tests/test_clock.py tests/test_report.py tests/test_report_flow.py \
        tests/test_report_files.py tests/test_schedule.py tests/test_slots.py \
        tests/test_retention.py tests/test_nudges.py tests/test_weekly_nudge.py \
        >"$faketime_out" 2>&1 &
    faketime_pid=$!
elif [ "${CI:-}" = "true" ]; then
    echo "faketime could not be installed" >&2; exit 1
fi

# Every core and one more (pytest-xdist): the tests wait on the fakes, timers and PostgreSQL
# about half their time, so a third worker on two cores fills the waits (7 min 41 s against
# 10 min 44 s with two, on 2026-12-07). Each test has its own database (a copy of a template
# migrated once per worker), its own ports and folders. What restarts the PostgreSQL server
# every test shares (marked `alone`) runs after, by itself; "no test selected" (exit 5) is not
# a failure there.
# A failed main run ends the faked one too (the EXIT trap above stays the only one).
main_status=0
python3 -m pytest -n "$(( $(nproc) + 1 ))" --dist worksteal -m "not alone" "$@" || main_status=$?
if [ "$main_status" != 0 ]; then
    [ -z "$faketime_pid" ] || { kill "$faketime_pid" 2>/dev/null; rm -f "$faketime_out"; }
    exit "$main_status"
fi

if [ -n "$faketime_pid" ]; then
    faketime_status=0
    wait "$faketime_pid" || faketime_status=$?
    echo "again under faketime, 2029-02-28 23:59:30 in Asia/Ho_Chi_Minh:"
    cat "$faketime_out"
    rm -f "$faketime_out"
    [ "$faketime_status" = 0 ] || exit "$faketime_status"
fi

# mypy (strict) runs beside the small run that follows, which leaves a core free (one test that
# mostly waits for PostgreSQL's restart). Its verdict counts the same; its output is printed
# when that run ends.
mypy_out="$(mktemp)"
python3 -m mypy >"$mypy_out" 2>&1 &
mypy_pid=$!

# With no arguments, only the files that mark a test so are collected (collecting all of them
# for one story took a quarter of a minute); a marker put anywhere is found the same way.
if [ $# -eq 0 ]; then
    mapfile -t alone_files < <(grep -rl --include='*.py' 'mark\.alone' tests)
    if [ "${#alone_files[@]}" -gt 0 ]; then
        python3 -m pytest -m alone "${alone_files[@]}" || [ $? = 5 ]
    fi
else
    python3 -m pytest -m alone "$@" || [ $? = 5 ]
fi

mypy_status=0
wait "$mypy_pid" || mypy_status=$?
cat "$mypy_out"
rm -f "$mypy_out"
exit "$mypy_status"

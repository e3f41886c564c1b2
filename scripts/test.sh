#!/usr/bin/env bash
# Installs what the tests need and runs them: lint, types, then the suite on SQLite and on a
# throwaway PostgreSQL (installed from Debian's packages when missing and we are root).
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

python3 -m ruff check .
python3 -m mypy
python3 -m pytest "$@"

# Sourced by scripts/test.sh: a throwaway PostgreSQL cluster for the tests, stopped on exit.
# Sets TEST_POSTGRES_URL to a superuser connection the tests use to create one database each.

PG_PORT="${PG_PORT:-54329}"

find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

start_postgres() {
    local bin
    if ! bin="$(find_pg_bin)"; then
        if [ "$(id -u)" != 0 ]; then return 1; fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq postgresql >/dev/null || return 1
        bin="$(find_pg_bin)" || return 1
    fi
    PG_DIR="$(mktemp -d /tmp/tintot-pg.XXXXXX)"
    local run=()
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root.
        chown postgres "$PG_DIR"
        run=(runuser -u postgres --)
    fi
    PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast stop)
    trap 'stop_postgres' EXIT
    "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >/dev/null || return 1
    # Its own server or none: a server left on the port by another run would otherwise serve
    # these tests while the fault tests restart this one (its log says why it did not start).
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >/dev/null || { cat "$PG_DIR/log" >&2; return 1; }
    export TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/postgres"
    # The fault tests restart the server under load with "$TEST_POSTGRES_CTL restart".
    export TEST_POSTGRES_CTL="${run[*]} $bin/pg_ctl -D $PG_DIR/data -w -m fast"
}

stop_postgres() {
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}

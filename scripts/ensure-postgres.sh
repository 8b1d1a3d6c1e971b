#!/usr/bin/env bash
# Makes sure a PostgreSQL server for this checkout's tests is running, and prints its URL.
#
#   scripts/ensure-postgres.sh            install if missing (root), start or reuse, print the URL
#   scripts/ensure-postgres.sh --status   print the URL and exit 0 if this checkout's server runs, else exit 1
#   scripts/ensure-postgres.sh --stop     stop this checkout's server (never any other)
#
# The server is private to this checkout and user: its directory (KAMFLOW_PG_DIR, default
# /tmp/kamflow-pg-<uid>-<hash of the checkout path>) holds the data, the socket, the log and
# a generated password. It listens on 127.0.0.1 only, on a free port chosen at start, with
# password (scram-sha-256) authentication. PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` user of Debian's package (or a `kamflow-pg` system user this
# script creates). Without the server binaries it installs Debian's `postgresql` package when
# run as root, and otherwise says how to get them. Only the URL goes to stdout; messages go to
# stderr. Exit codes: 0 ok, 1 failed, 3 PostgreSQL is not installed and cannot be installed here.
set -euo pipefail

MODE=start
case "${1:-}" in
  '' ) ;;
  --status ) MODE=status ;;
  --stop ) MODE=stop ;;
  -h | --help ) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  * ) echo "ensure-postgres: unknown argument '$1' (use --status, --stop or nothing)" >&2; exit 1 ;;
esac

say() { echo "ensure-postgres: $*" >&2; }

REPO="$(cd "$(dirname "$0")/.." && pwd -P)"
INVOKER_UID="$(id -u)"
KEY="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
ROOT="${KAMFLOW_PG_DIR:-/tmp/kamflow-pg-${INVOKER_UID}-${KEY}}"
DATA="$ROOT/data"
# The server's own directory for its socket and log (owned by the user it runs as).
RUN="$ROOT/run"
LOG="$RUN/server.log"
DB_USER=kamflow
DB_NAME=kamflow

find_bindir() {
  local dir
  # Debian installs each major version side by side; take the newest.
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

install_debian_package() {
  if [ "$INVOKER_UID" -ne 0 ]; then
    say "the PostgreSQL server is not installed. Install it with 'sudo apt-get install postgresql' (Debian/Ubuntu),"
    say "run this script as root to have it do so, or point KAMFLOW_TEST_DATABASE_URL at a server you run."
    exit 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "the PostgreSQL server is not installed and apt-get is not available: install PostgreSQL 13 or later by hand"
    exit 3
  fi
  local started=$SECONDS
  # Debian's package creates and starts a system cluster on port 5432 unless told not to; the
  # tests need none, so only the binaries are installed.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/kamflow-no-main-cluster.conf
  fi
  say "installing Debian's postgresql package (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  say "installed PostgreSQL in $((SECONDS - started)) s"
}

# The user the server runs as: ourselves, or, as root, an unprivileged system user.
server_user() {
  if [ "$INVOKER_UID" -ne 0 ]; then id -un; return; fi
  if id -u postgres >/dev/null 2>&1; then echo postgres; return; fi
  if ! id -u kamflow-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kamflow-pg
    say "created the system user kamflow-pg to run PostgreSQL (it refuses to run as root)"
  fi
  echo kamflow-pg
}

as_server() {
  if [ "$INVOKER_UID" -eq 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

running_port() {
  # postmaster.pid's fourth line is the port of the server that wrote it.
  [ -f "$DATA/postmaster.pid" ] || return 1
  as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || return 1
  sed -n 4p "$DATA/postmaster.pid"
}

url_for() {
  echo "postgres://${DB_USER}:$(cat "$ROOT/password")@127.0.0.1:$1/${DB_NAME}"
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});"
}

init_cluster() {
  say "creating a cluster in $DATA (as $RUN_AS)"
  rm -rf "$DATA" "$RUN"
  mkdir -p "$DATA" "$RUN"
  chown "$RUN_AS" "$DATA" "$RUN"
  chmod 700 "$DATA" "$RUN"
  (umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$ROOT/password")
  local pwfile="$RUN/initdb-password"
  cp "$ROOT/password" "$pwfile"
  chown "$RUN_AS" "$pwfile"
  as_server "$BINDIR/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$ROOT/initdb.log" 2>&1 || {
      rm -f "$pwfile"; say "initdb failed:"; cat "$ROOT/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  # A test server: loopback only, a private socket directory, and commits that wait for no
  # disk flush (a crash may lose the last transactions, never corrupts; the data is throwaway).
  cat >> "$DATA/postgresql.conf" <<EOF

# --- written by scripts/ensure-postgres.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
unix_socket_permissions = 0700
max_connections = 200
synchronous_commit = off
EOF
}

start_server() {
  local attempt port
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    # The port goes on the command line, not into the config, so a restart picks a free one
    # again; the server must not inherit the lock's descriptor (9), or it would hold it forever.
    if as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $port" start >/dev/null 2>&1 9>&-; then
      echo "$port"
      return 0
    fi
    say "start on port $port failed (attempt $attempt); the log says:"
    tail -n 5 "$LOG" >&2 || true
  done
  say "could not start PostgreSQL; see $LOG"
  exit 1
}

ensure_database() {
  local port=$1 exists
  exists="$(PGPASSWORD="$(cat "$ROOT/password")" "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"
  if [ "$exists" != 1 ]; then
    PGPASSWORD="$(cat "$ROOT/password")" "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -qc "CREATE DATABASE $DB_NAME" >&2
  fi
}

if ! BINDIR="$(find_bindir)"; then
  if [ "$MODE" != start ]; then [ "$MODE" = stop ] && exit 0; exit 1; fi
  install_debian_package
  BINDIR="$(find_bindir)" || { say "the postgresql package installed but its server binaries were not found"; exit 1; }
fi
RUN_AS="$(server_user)"

mkdir -p "$ROOT"
chmod 755 "$ROOT"
# One invocation at a time per directory: concurrent test runs of this checkout share one server.
exec 9>"$ROOT/lock"
flock 9

case "$MODE" in
  status )
    if port="$(running_port)"; then url_for "$port"; exit 0; fi
    exit 1 ;;
  stop )
    if running_port >/dev/null; then
      as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
      say "stopped the server in $DATA"
    fi
    exit 0 ;;
esac

if port="$(running_port)"; then
  say "reusing the server in $DATA (port $port, running as $RUN_AS)"
else
  if [ ! -f "$DATA/PG_VERSION" ] || [ ! -s "$ROOT/password" ]; then init_cluster; fi
  port="$(start_server)"
  say "started PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') in $DATA on 127.0.0.1:$port as $RUN_AS (stop it with: $0 --stop)"
fi
ensure_database "$port"
url_for "$port"

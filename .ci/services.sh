#!/usr/bin/env bash
# Finds or starts the services the tests need. Each function exports the URL the tests
# use and fails loudly if the service cannot be had: tests never skip silently in CI.

pg_url_trust="postgres://postgres@127.0.0.1:5432/postgres"
pg_url_password="postgres://postgres:postgres@127.0.0.1:5432/postgres"

pg_ok() { PGCONNECT_TIMEOUT=3 psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1; }

ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    pg_ok "$TEST_DATABASE_URL" || { echo "TEST_DATABASE_URL is set but not reachable" >&2; return 1; }
    echo "PostgreSQL: using TEST_DATABASE_URL"
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL not installed: installing Debian's package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "PostgreSQL not running: starting it"
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  if pg_ok "$pg_url_trust"; then
    export TEST_DATABASE_URL="$pg_url_trust"
  else
    # A stock Debian cluster wants a password over TCP: give the postgres role one.
    su postgres -c "psql -Atqc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    pg_ok "$pg_url_password" || { echo "cannot connect to PostgreSQL on 127.0.0.1:5432" >&2; return 1; }
    export TEST_DATABASE_URL="$pg_url_password"
  fi
  echo "PostgreSQL: $(psql "$TEST_DATABASE_URL" -Atqc 'SHOW server_version')"
}

# NATS with JetStream for the webhook engine tests. Uses NATS_URL when set, else a server on
# 127.0.0.1:4222, else installs Debian's nats-server and starts `nats-server -js` there.
nats_info() {
  local host port
  host=$(echo "$1" | sed -E 's#^[a-z]+://##; s#:.*##')
  port=$(echo "$1" | sed -E 's#^.*:([0-9]+)/?$#\1#')
  timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && head -n 1 <&3" 2>/dev/null
}

ensure_nats() {
  local url="${NATS_URL:-nats://127.0.0.1:4222}"
  if nats_info "$url" | grep -q '"jetstream":true'; then
    export NATS_URL="$url"
    echo "NATS: using $url (JetStream on)"
    return 0
  fi
  if [ -n "${NATS_URL:-}" ]; then
    echo "NATS_URL is set but $NATS_URL is not a NATS server with JetStream" >&2
    return 1
  fi
  if ! command -v nats-server >/dev/null 2>&1; then
    echo "nats-server not installed: installing Debian's package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  fi
  local dir
  dir=$(mktemp -d /tmp/vw-nats-XXXXXX)
  echo "NATS not running: starting nats-server -js on 127.0.0.1:4222"
  nohup nats-server -js -a 127.0.0.1 -p 4222 -sd "$dir" >"$dir/nats.log" 2>&1 &
  for _ in $(seq 1 30); do
    nats_info "$url" | grep -q '"jetstream":true' && break
    sleep 1
  done
  nats_info "$url" | grep -q '"jetstream":true' || { echo "cannot start nats-server (see $dir/nats.log)" >&2; return 1; }
  export NATS_URL="$url"
  echo "NATS: started $(nats-server --version)"
}

# promtool (Debian's prometheus package) for the alerting-rule tests in test/deploy.
ensure_promtool() {
  if ! command -v promtool >/dev/null 2>&1; then
    echo "promtool not installed: installing Debian's prometheus package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    # The package may start a server; the tests need only the tool.
    (systemctl stop prometheus || service prometheus stop || pkill -x prometheus) >/dev/null 2>&1 || true
  fi
  command -v promtool >/dev/null 2>&1 || { echo "cannot install promtool" >&2; return 1; }
  echo "promtool: $(promtool --version 2>&1 | head -n 1)"
}

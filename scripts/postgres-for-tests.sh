#!/usr/bin/env bash
# Prepares the machine's Debian PostgreSQL cluster for Headwater's integration tests and prints
# the line that points the tests at it:
#
#   eval "$(scripts/postgres-for-tests.sh)"   # exports HEADWATER_TEST_DB_URL
#   ./mvnw verify
#
# Idempotent: settings go to conf.d, the cluster is started if stopped and restarted only when a
# setting that needs a restart (wal_level, slots, senders, connections) has changed. Needs root.
# Without it, the tests start a throw-away server from the installed binaries by themselves.
set -euo pipefail

version=${HEADWATER_PG_VERSION:-15}
cluster=${HEADWATER_PG_CLUSTER:-main}
password=${HEADWATER_TEST_DB_PASSWORD:-headwater-tests}

log() { printf 'postgres-for-tests: %s\n' "$*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x "/usr/lib/postgresql/$version/bin/postgres" ]; then
  log "installing PostgreSQL $version from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "postgresql-$version" >&2 || { apt-get update -q >&2 && apt-get install -y -q "postgresql-$version" >&2; }
fi
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$version/$cluster"; then
  log "creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" >&2
fi

conf_dir=/etc/postgresql/$version/$cluster/conf.d
mkdir -p "$conf_dir"
cat >"$conf_dir/headwater-tests.conf" <<CONF
# Written by scripts/postgres-for-tests.sh: what Headwater's CDC relay and its tests need.
wal_level = logical
max_replication_slots = 64
max_wal_senders = 64
max_connections = 400
listen_addresses = '127.0.0.1'
CONF

port=$(pg_conftool -s "$version" "$cluster" show port 2>/dev/null || echo 5432)
psql_su() { runuser -u postgres -- psql -X -q -t -A -p "$port" -v ON_ERROR_STOP=1 "$@"; }

if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
  log "starting cluster $version/$cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >&2
else
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" reload >&2
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
if [ "$(psql_su -c "SELECT count(*) FROM pg_settings WHERE pending_restart")" != "0" ] \
   || [ "$(psql_su -c "SHOW wal_level")" != "logical" ]; then
  log "restarting cluster $version/$cluster for settings that need a restart"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" restart >&2
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
fi

psql_su -c "ALTER ROLE postgres PASSWORD '${password//\'/\'\'}'" >/dev/null
log "ready: wal_level=$(psql_su -c "SHOW wal_level") on 127.0.0.1:$port"
printf "export HEADWATER_TEST_DB_URL='jdbc:postgresql://127.0.0.1:%s/postgres?user=postgres&password=%s'\n" "$port" "$password"

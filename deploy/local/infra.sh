#!/usr/bin/env bash
# Hostplane's local infrastructure without Docker: a real Apache Kafka broker (KRaft, from
# Maven Central), a PostgreSQL cluster and a Redis of the project's own (Debian's packages),
# with all data, logs and pid files under .local/.
#
#   deploy/local/infra.sh up|down|status|reset|kafka-restart|postgres-restart|redis-restart
#
# Ports: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), PGPORT (55432), REDIS_PORT (56379).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/deploy/local"
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
RUN="$LOCAL/run"

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HOME="$LOCAL/kafka"
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")

PGPORT=${PGPORT:-55432}
PG_HOME="$LOCAL/postgres"
# PostgreSQL runs as the postgres user, who must reach its files: a clone below a private
# directory (such as /root) keeps its cluster under /var/lib/postgresql instead.
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 \
  && ! (cd / && runuser -u postgres -- test -x "$ROOT"); then
  PG_HOME="/var/lib/postgresql/hostplane-$(printf '%s' "$ROOT" | cksum | cut -d ' ' -f 1)"
fi
PG_DATA="$PG_HOME/data"
PG_SOCKETS="$PG_HOME/run"
PG_LOG="$PG_HOME/postgres.log"

REDIS_PORT=${REDIS_PORT:-56379}
REDIS_HOME="$LOCAL/redis"

say() { printf '%s\n' "$*"; }
die() { printf 'infra: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until "$@" succeeds, for at most $1 seconds.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# ---- Kafka -------------------------------------------------------------------------------

kafka_pid() { [ -f "$RUN/kafka.pid" ] && cat "$RUN/kafka.pid"; }
kafka_running() { local pid; pid=$(kafka_pid) && kill -0 "$pid" 2>/dev/null; }
kafka_started() { grep -q "Kafka Server started" "$LOGS/kafka.log" 2>/dev/null; }
kafka_healthy() { kafka_running && port_open "$KAFKA_PORT" && kafka_started; }

# Installs what the project needs from Debian's packages (as root; otherwise says what to do).
apt_packages() {
  [ "$(id -u)" -eq 0 ] || die "missing: apt-get install $*"
  say "installing $* (Debian packages)…"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$LOGS"
  { apt-get update -qq && apt-get install -y -qq "$@"; } >>"$LOGS/apt.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt.log" >&2; die "could not install $*"; }
}

apt_install() {  # COMMAND PACKAGE…: the packages, when COMMAND is missing
  local command=$1; shift
  command -v "$command" >/dev/null || apt_packages "$@"
}

kafka_jars() {
  if [ -f "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then return; fi
  apt_install mvn maven
  say "kafka: resolving Apache Kafka $KAFKA_VERSION from Maven Central…"
  rm -rf "$KAFKA_HOME/libs"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_HOME/libs" >"$LOGS/kafka-maven.log" 2>&1 \
    || { tail -n 20 "$LOGS/kafka-maven.log" >&2; die "could not resolve Kafka's jars"; }
}

KAFKA_JAVA=(java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$HERE/kafka/log4j.properties" -cp "$KAFKA_HOME/libs/*")

kafka_java() { "${KAFKA_JAVA[@]}" "$@"; }

kafka_config() {
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$KAFKA_HOME/data|g" \
      "$HERE/kafka/server.properties.template" >"$KAFKA_HOME/server.properties"
}

kafka_up() {
  if kafka_healthy; then say "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"; return; fi
  kafka_running && kafka_down
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process"
  apt_install java openjdk-17-jre-headless
  mkdir -p "$KAFKA_HOME" "$LOGS" "$RUN"
  kafka_jars
  kafka_config
  if [ ! -f "$KAFKA_HOME/data/meta.properties" ]; then
    [ -f "$KAFKA_HOME/cluster.id" ] \
      || kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$KAFKA_HOME/cluster.id"
    kafka_java kafka.tools.StorageTool format --ignore-formatted \
      -t "$(cat "$KAFKA_HOME/cluster.id")" -c "$KAFKA_HOME/server.properties" \
      >>"$LOGS/kafka-format.log" 2>&1 || die "could not format Kafka's storage (see $LOGS/kafka-format.log)"
  fi
  : >"$LOGS/kafka.log"
  # Detached from this shell, so the broker outlives the script.
  setsid nohup "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_HOME/server.properties" \
    >>"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$RUN/kafka.pid"
  if ! wait_for 90 kafka_healthy; then
    tail -n 30 "$LOGS/kafka.log" >&2
    die "Kafka did not become healthy within 90 s"
  fi
  say "kafka: started on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"
}

kafka_down() {
  local pid
  if ! pid=$(kafka_pid) || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$RUN/kafka.pid"; say "kafka: not running"; return
  fi
  kill -TERM "$pid"
  if ! wait_for 30 bash -c "! kill -0 $pid 2>/dev/null"; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$RUN/kafka.pid"
  say "kafka: stopped"
}

# ---- PostgreSQL --------------------------------------------------------------------------

pg_bin() {
  local ctl
  ctl=$(ls -1d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
  [ -n "$ctl" ] && dirname "$ctl"
}

pg_install() {
  pg_bin >/dev/null || apt_packages postgresql
}

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; }
pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_sql() {
  as_pg "$(pg_bin)/psql" -q -v ON_ERROR_STOP=1 -h "$PG_SOCKETS" -p "$PGPORT" -U postgres -d postgres -tAc "$1"
}

pg_init() {
  [ -f "$PG_DATA/PG_VERSION" ] && return
  say "postgres: creating a cluster in $PG_DATA"
  mkdir -p "$PG_DATA" "$PG_SOCKETS"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    chown -R postgres: "$PG_HOME"
    as_pg test -w "$PG_DATA" || die "the postgres user cannot reach $PG_DATA (a parent directory is not traversable)"
  fi
  as_pg "$(pg_bin)/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$LOGS/postgres-initdb.log" 2>&1 \
    || { tail -n 20 "$LOGS/postgres-initdb.log" >&2; die "initdb failed"; }
  cat >>"$PG_DATA/postgresql.conf" <<CONF
# Hostplane development cluster
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_SOCKETS'
max_connections = 200
shared_buffers = 256MB
fsync = on
log_destination = 'stderr'
CONF
}

pg_up() {
  pg_install
  mkdir -p "$LOGS" "$RUN"
  if pg_running && pg_ready; then say "postgres: running on 127.0.0.1:$PGPORT"; pg_roles; return; fi
  port_open "$PGPORT" && die "port $PGPORT is taken by another process"
  pg_init
  [ "$(id -u)" -eq 0 ] && { touch "$PG_LOG"; chown postgres: "$PG_LOG" "$PG_SOCKETS"; }
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null \
    || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start"; }
  wait_for 30 pg_ready || die "PostgreSQL does not answer on 127.0.0.1:$PGPORT"
  pg_roles
  say "postgres: ready on 127.0.0.1:$PGPORT"
}

pg_roles() {
  pg_sql "SELECT 1 FROM pg_roles WHERE rolname = 'hostplane'" | grep -q 1 \
    || pg_sql "CREATE ROLE hostplane LOGIN CREATEDB PASSWORD 'hostplane'"
  local db
  for db in hostplane hostplane_test; do
    pg_sql "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
      || pg_sql "CREATE DATABASE $db OWNER hostplane"
  done
}

pg_down() {
  if ! pg_bin >/dev/null || ! pg_running; then say "postgres: not running"; return; fi
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
  say "postgres: stopped"
}

# ---- Redis -------------------------------------------------------------------------------

redis_pid() { [ -f "$RUN/redis.pid" ] && cat "$RUN/redis.pid"; }
redis_running() { local pid; pid=$(redis_pid) && kill -0 "$pid" 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  apt_install redis-server redis-server
  mkdir -p "$REDIS_HOME" "$LOGS" "$RUN"
  if redis_running && redis_ready; then say "redis: running on 127.0.0.1:$REDIS_PORT (pid $(redis_pid))"; return; fi
  redis_running && redis_down
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process"
  # Snapshots keep the shared budgets across a restart; a key that is lost starts again
  # empty, which only ever slows provider calls down. Every key the services write expires.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_HOME" \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" \
    --save "60 1" --maxmemory 256mb --maxmemory-policy volatile-lru \
    || die "Redis did not start (see $LOGS/redis.log)"
  if ! wait_for 30 redis_ready; then
    tail -n 20 "$LOGS/redis.log" >&2
    die "Redis does not answer on 127.0.0.1:$REDIS_PORT"
  fi
  say "redis: ready on 127.0.0.1:$REDIS_PORT (pid $(redis_pid))"
}

redis_down() {
  local pid
  if ! pid=$(redis_pid) || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$RUN/redis.pid"; say "redis: not running"; return
  fi
  kill -TERM "$pid"  # saves a snapshot, then exits
  if ! wait_for 30 bash -c "! kill -0 $pid 2>/dev/null"; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$RUN/redis.pid"
  say "redis: stopped"
}

# ---- commands ----------------------------------------------------------------------------

status() {
  local healthy=0
  if kafka_healthy; then say "kafka: healthy on 127.0.0.1:$KAFKA_PORT"; else say "kafka: down"; healthy=1; fi
  if pg_bin >/dev/null && pg_ready; then say "postgres: healthy on 127.0.0.1:$PGPORT"; else say "postgres: down"; healthy=1; fi
  if command -v redis-cli >/dev/null && redis_ready; then say "redis: healthy on 127.0.0.1:$REDIS_PORT"; else say "redis: down"; healthy=1; fi
  return "$healthy"
}

case "${1:-}" in
  up) mkdir -p "$LOGS" "$RUN"; pg_up; redis_up; kafka_up ;;
  down) kafka_down; redis_down; pg_down ;;
  status) status ;;
  kafka-restart) kafka_down; kafka_up ;;
  postgres-restart) pg_down; pg_up ;;
  redis-restart) redis_down; redis_up ;;
  reset) kafka_down; redis_down; pg_down; rm -rf "$KAFKA_HOME/data" "$KAFKA_HOME/cluster.id" "$PG_HOME" "$REDIS_HOME" "$LOGS"; say "reset: data removed" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

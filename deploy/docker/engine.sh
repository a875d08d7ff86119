#!/usr/bin/env bash
# A Docker engine for building and running Hostplane's images on this machine.
#
#   deploy/docker/engine.sh up     start dockerd (Debian's docker.io, installed if missing)
#                                  unless an engine already answers at DOCKER_HOST
#   deploy/docker/engine.sh down   stop the dockerd that `up` started (and only that one)
#   deploy/docker/engine.sh status
#
# DOCKER_HOST chooses the socket (default: Docker's own, unix:///var/run/docker.sock). The
# engine's log and pid file are under .local/docker.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$ROOT/.local/docker"
PIDFILE="$STATE/dockerd.pid"
SOCKET="${DOCKER_HOST:-unix:///var/run/docker.sock}"
mkdir -p "$STATE"

say() { echo "docker: $*"; }
answers() { DOCKER_HOST="$SOCKET" docker info >/dev/null 2>&1; }
ours() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

install() {
  command -v dockerd >/dev/null && return
  say "installing Debian's docker.io…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq docker.io >/dev/null
}

up() {
  if answers; then say "an engine answers at $SOCKET"; return; fi
  install
  say "starting dockerd at $SOCKET…"
  setsid dockerd --host "$SOCKET" --pidfile "$PIDFILE" >"$STATE/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    if answers; then say "ready at $SOCKET (pid $(cat "$PIDFILE"))"; return; fi
    sleep 1
  done
  tail -n 20 "$STATE/dockerd.log" >&2
  say "dockerd did not answer within 60 s" >&2
  exit 1
}

down() {
  if ! ours; then say "no dockerd of ours is running"; return; fi
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$PIDFILE"
  say "stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) if answers; then say "answers at $SOCKET"; else say "none at $SOCKET"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

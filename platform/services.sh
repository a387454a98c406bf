#!/usr/bin/env bash
# Start, when not already running, the services the app needs on this machine: PostgreSQL
# (pg_ctlcluster; one server, a database of this checkout's own), and this checkout's own Redis
# and SecantusDB (MongoDB wire protocol) on ports derived from its path (config/checkout.py),
# with their data, logs and pids under var/. Two checkouts never share a store, a database or
# a Redis; a port held by a process that is not this checkout's is reported, never reused.
# Usage: platform/services.sh start|stop|status
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VAR="$ROOT/var"
PY="$ROOT/.venv/bin/python"
mkdir -p "$VAR/log" "$VAR/run" "$VAR/secantus" "$VAR/redis"
eval "$("$PY" -m config.checkout)"  # SECANTUS_PORT, REDIS_PORT, DEV_DATABASE_NAME (the environment wins)
MONGO_PORT="$SECANTUS_PORT"

port_open() { "$PY" - "$1" <<'PYEOF'
import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PYEOF
}

wait_for() { # name port seconds
  for _ in $(seq 1 $(( $3 * 4 ))); do port_open "$2" && return 0; sleep 0.25; done
  echo "$1 did not start on port $2; see $VAR/log/" >&2; return 1
}

ours() { # pidfile: true when the process it names is alive
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

busy_not_ours() { # name port
  echo "$1: port $2 is taken by a process that is not this checkout's ($ROOT)." >&2
  echo "  Stop it, or point this checkout elsewhere (SECANTUS_PORT/REDIS_PORT with MONGODB_URI/REDIS_URL in .env)." >&2
  return 1
}

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then echo "postgres: running (database $DEV_DATABASE_NAME)"; return; fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for postgres 5432 30 && echo "postgres: started (database $DEV_DATABASE_NAME)"
}

start_redis() {
  local pidfile="$VAR/run/redis-$REDIS_PORT.pid"
  if ours "$pidfile"; then echo "redis: running on $REDIS_PORT"; return; fi
  if port_open "$REDIS_PORT"; then busy_not_ours redis "$REDIS_PORT"; return 1; fi
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$VAR/redis" --logfile "$VAR/log/redis.log" --pidfile "$pidfile"
  wait_for redis "$REDIS_PORT" 15 && echo "redis: started on $REDIS_PORT"
}

start_secantus() {
  local pidfile="$VAR/run/secantus-$MONGO_PORT.pid"
  if ours "$pidfile"; then echo "secantusdb: running on $MONGO_PORT"; return; fi
  if port_open "$MONGO_PORT"; then busy_not_ours secantusdb "$MONGO_PORT"; return 1; fi
  nohup "$ROOT/.venv/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$VAR/secantus" \
    >"$VAR/log/secantus.log" 2>&1 &
  echo $! >"$pidfile"
  wait_for secantusdb "$MONGO_PORT" 60 && echo "secantusdb: started on $MONGO_PORT"
}

stop_pidfile() { # name pidfile
  if ours "$2"; then kill "$(cat "$2")" 2>/dev/null || true; echo "$1: stopped"; fi
  rm -f "$2"
}

case "${1:-start}" in
  start) start_postgres; start_redis; start_secantus ;;
  stop) stop_pidfile secantusdb "$VAR/run/secantus-$MONGO_PORT.pid"; stop_pidfile redis "$VAR/run/redis-$REDIS_PORT.pid" ;;
  status)
    echo "checkout $CHECKOUT_ID: database $DEV_DATABASE_NAME, redis :$REDIS_PORT, secantusdb :$MONGO_PORT"
    pg_isready -h 127.0.0.1 -p 5432 || true
    ours "$VAR/run/redis-$REDIS_PORT.pid" && echo "redis: up" || echo "redis: down"
    ours "$VAR/run/secantus-$MONGO_PORT.pid" && echo "secantusdb: up" || echo "secantusdb: down" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

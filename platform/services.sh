#!/usr/bin/env bash
# Start, when not already running, the services the app needs on this machine:
# PostgreSQL (pg_ctlcluster), Redis and SecantusDB (MongoDB wire protocol, data under var/).
# Usage: platform/services.sh start|stop|status
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VAR="$ROOT/var"
PY="$ROOT/.venv/bin/python"
MONGO_PORT="${SECANTUS_PORT:-27018}"
mkdir -p "$VAR/log" "$VAR/run" "$VAR/secantus"

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

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then echo "postgres: running"; return; fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for postgres 5432 30 && echo "postgres: started"
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then echo "redis: running"; return; fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$VAR" --logfile "$VAR/log/redis.log"
  wait_for redis 6379 15 && echo "redis: started"
}

start_secantus() {
  if port_open "$MONGO_PORT"; then echo "secantusdb: running on $MONGO_PORT"; return; fi
  nohup "$ROOT/.venv/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$VAR/secantus" \
    >"$VAR/log/secantus.log" 2>&1 &
  echo $! >"$VAR/run/secantus.pid"
  wait_for secantusdb "$MONGO_PORT" 60 && echo "secantusdb: started on $MONGO_PORT"
}

stop_secantus() {
  if [ -f "$VAR/run/secantus.pid" ]; then kill "$(cat "$VAR/run/secantus.pid")" 2>/dev/null || true; rm -f "$VAR/run/secantus.pid"; fi
}

case "${1:-start}" in
  start) start_postgres; start_redis; start_secantus ;;
  stop) stop_secantus ;;
  status)
    pg_isready -h 127.0.0.1 -p 5432 || true
    redis-cli -h 127.0.0.1 ping || true
    port_open "$MONGO_PORT" && echo "secantusdb: up" || echo "secantusdb: down" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

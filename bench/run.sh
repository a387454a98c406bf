#!/usr/bin/env bash
# Run benchmarks: `bash bench/run.sh` runs every bench/<name>.py, `bash bench/run.sh NAME [NAME...]`
# the named ones (what `make bench [BENCH=<name>]` calls). Each benchmark is a script with a
# main() that writes flat JSON bench/results/<name>.json (metric name -> number); this prints
# each result file after its run. Helper modules are not benchmarks: bench/__init__.py,
# bench/_*.py (private helpers), bench/loadgen.py and bench/server.py.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
HELPERS=" loadgen server "

if [ $# -gt 0 ] && [ -n "$*" ]; then
  names=("$@")
else
  names=()
  for f in bench/*.py; do
    n=$(basename "$f" .py)
    case "$n" in __init__|_*) continue ;; esac
    [[ "$HELPERS" == *" $n "* ]] && continue
    names+=("$n")
  done
fi

failed=()
for n in "${names[@]}"; do
  if [ ! -f "bench/$n.py" ]; then
    echo "bench: no benchmark bench/$n.py" >&2; failed+=("$n"); continue
  fi
  echo "=== bench $n ($(date -u +%H:%M:%S) UTC) ==="
  rm -f "bench/results/$n.json"
  started=$(date +%s)
  if "$PY" -m "bench.$n"; then
    if [ -f "bench/results/$n.json" ]; then
      echo "--- bench/results/$n.json ($(( $(date +%s) - started )) s)"
      cat "bench/results/$n.json"
    else
      echo "bench $n: finished but wrote no bench/results/$n.json" >&2; failed+=("$n")
    fi
  else
    echo "bench $n: FAILED (exit $?)" >&2; failed+=("$n")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed benchmarks: ${failed[*]}" >&2
  exit 1
fi

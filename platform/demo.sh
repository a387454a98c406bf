#!/usr/bin/env bash
# The demo: local fakes of the MLS and Stripe (and of Groq with LLM_BACKEND=groq), the demo
# network and feed, a Celery worker and beat, and the site on http://localhost:8000 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.local
# A demo shows the product: the sites' own 404 and 500 pages, never Django's debug pages.
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
export SPARK_BASE_URL="${SPARK_BASE_URL:-http://127.0.0.1:8765}"
export SPARK_GPS_API_KEY="${SPARK_GPS_API_KEY:-gps}"
export SPARK_CRMLS_API_KEY="${SPARK_CRMLS_API_KEY:-crmls}"
# A third MLS served by the local RESO Web API server (OAuth2, its own lookup names).
export MLS_SOURCES="${MLS_SOURCES:-gps,crmls,hdmls}"
export MLS_HDMLS_NAME="${MLS_HDMLS_NAME:-High Desert MLS (RESO)}"
export MLS_HDMLS_PROTOCOL="${MLS_HDMLS_PROTOCOL:-reso}"
export MLS_HDMLS_URL="${MLS_HDMLS_URL:-http://127.0.0.1:8766/api/v2/OData/hdmls}"
export MLS_HDMLS_TOKEN_URL="${MLS_HDMLS_TOKEN_URL:-http://127.0.0.1:8766/oauth2/token}"
export MLS_HDMLS_CLIENT_ID="${MLS_HDMLS_CLIENT_ID:-chatrealty-demo}"
export MLS_HDMLS_CLIENT_SECRET="${MLS_HDMLS_CLIENT_SECRET:-demo-secret}"
export MLS_HDMLS_SCOPE="${MLS_HDMLS_SCOPE:-api}"
export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:12111}"
export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_local}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_local}"
export GEOCODER_BASE_URL="${GEOCODER_BASE_URL:-http://127.0.0.1:8767}"
export GEOCODER_API_KEY="${GEOCODER_API_KEY:-dev}"
DEMO_FEED_FLAGS="${DEMO_FEED_FLAGS:-}"
# var/static: production's STATIC_ROOT, empty here (WhiteNoise serves from the apps) but present,
# or WhiteNoise warns at the first request.
mkdir -p var/log var/static
# Another checkout's demo (or anything else) on the demo's ports would answer in its place.
# The assistant: offline by default; LLM_BACKEND=groq with GROQ_BASE_URL on 127.0.0.1 starts the
# local fake Groq server there (a real GROQ_BASE_URL, or none, talks to Groq itself).
GROQ_FAKE_PORT=""
if [ "${LLM_BACKEND:-offline}" = "groq" ] && [[ "${GROQ_BASE_URL:-}" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+) ]]; then
  GROQ_FAKE_PORT="${BASH_REMATCH[2]}"
  export GROQ_API_KEY="${GROQ_API_KEY:-gsk_local_fake}"
fi
for port in 8000 8765 8766 8767 12111 $GROQ_FAKE_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "make demo: port $port is in use (another checkout's demo?). Stop that process first." >&2
    exit 1
  fi
done
pids=()
cleanup() { echo; echo "stopping demo processes"; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -f devtools/spark/server.py ]; then
  $PY -m devtools.spark --port 8765 --seed 42 $DEMO_FEED_FLAGS >var/log/fake_spark.log 2>&1 &
  pids+=($!)
fi
if [ -f devtools/reso/server.py ]; then
  $PY -m devtools.reso --port 8766 --seed 42 \
    --client "$MLS_HDMLS_CLIENT_ID:$MLS_HDMLS_CLIENT_SECRET" >var/log/fake_reso.log 2>&1 &
  pids+=($!)
fi
if [ -d devtools/geocode ]; then
  $PY -m devtools.geocode --port 8767 >var/log/fake_geocode.log 2>&1 &
  pids+=($!)
fi
if [ -d devtools/stripe ]; then
  $PY -m devtools.stripe --port 12111 --webhook-url http://localhost:8000/billing/webhook/ \
    --webhook-secret "$STRIPE_WEBHOOK_SECRET" >var/log/fake_stripe.log 2>&1 &
  pids+=($!)
fi

if [ -n "$GROQ_FAKE_PORT" ]; then
  $PY -m devtools.groq --port "$GROQ_FAKE_PORT" >var/log/fake_groq.log 2>&1 &
  pids+=($!)
fi

$PY manage.py database_create
$PY manage.py migrations_repair
$PY manage.py migrate_schemas --shared -v0
$PY manage.py platform_setup
$PY manage.py migrate_schemas --tenant -v0
$PY manage.py demo_setup
if $PY manage.py help mls_sync >/dev/null 2>&1; then
  $PY manage.py mls_ensure_indexes || true
  $PY manage.py mls_sync --source all --mode full
fi
if $PY manage.py help billing_sync_plans >/dev/null 2>&1; then $PY manage.py billing_sync_plans || true; fi

.venv/bin/celery -A config worker -l warning --concurrency 2 >var/log/celery-worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat -l warning --schedule var/celerybeat-schedule >var/log/celery-beat.log 2>&1 &
pids+=($!)

echo
echo "ChatRealty demo: http://localhost:8000 (flagship), http://sarah.localhost:8000, http://mike.localhost:8000"
echo "Logs in var/log/. Ctrl-C stops everything."
# ASGI (uvicorn), so the assistant's answers stream as in production; pages run in its threads.
.venv/bin/uvicorn config.asgi:application --host 0.0.0.0 --port 8000 --log-level warning

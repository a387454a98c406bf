# ChatRealty: `make demo` runs the whole platform locally; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
BENCH ?=
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: install system-deps python-deps node-deps services demo test lint typecheck checks pytest bench migrate clean

install: system-deps python-deps node-deps

system-deps:
	@bash platform/install-system.sh

python-deps: $(VENV)/.installed
$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --upgrade pip uv
	@$(VENV)/bin/uv pip install -q --python $(PY) -r requirements/base.txt -r requirements/dev.txt
	@touch $@

node-deps: node_modules/.installed bench/node/node_modules/.installed
node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@
bench/node/node_modules/.installed: bench/node/package.json bench/node/package-lock.json
	@npm ci --prefix bench/node --no-audit --no-fund --loglevel=error
	@touch $@

services: python-deps
	@bash platform/services.sh start

migrate: services
	$(PY) manage.py database_create
	$(PY) manage.py migrations_repair
	$(PY) manage.py migrate_schemas --shared -v0
	$(PY) manage.py platform_setup
	$(PY) manage.py migrate_schemas --tenant -v0

demo: install services
	@bash platform/demo.sh

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: python-deps
	$(VENV)/bin/mypy

checks: services
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	@# makemigrations checks the migration history of the dev database: have one, even if empty
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py database_create
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) DJANGO_ALLOWED_HOSTS=example.com \
	  STRIPE_SECRET_KEY=sk_test_check STRIPE_WEBHOOK_SECRET=whsec_check \
	  DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py check --deploy --fail-level WARNING

pytest: services
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest

test: install services lint typecheck checks pytest

bench: install services
	@bash bench/run.sh $(BENCH)

clean:
	bash platform/services.sh stop
	rm -rf var/static var/media

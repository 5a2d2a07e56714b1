# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# `make test` always runs against PostgreSQL and Redis; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cop
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
PYTEST_ARGS ?=

.PHONY: run test lint format worker beat up bench bench-chat install install-test migrate seed services clean pdf-libs

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# WeasyPrint's system libraries (Pango, a font): installed from Debian when missing.
pdf-libs:
	bash scripts/ensure_pdf_libs.sh

install: $(VENV)/.runtime-installed node_modules/.installed pdf-libs

install-test: $(VENV)/.test-installed node_modules/.installed pdf-libs

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# `make run RUN_ADDRESS=127.0.0.1:8101` serves elsewhere; links in emails follow (SITE_URL).
RUN_ADDRESS ?= 127.0.0.1:8000
RUN_ENV = DEMO_MODE=$${DEMO_MODE:-1} SITE_URL=http://$(RUN_ADDRESS)

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(RUN_ADDRESS) (Ctrl-C stops)"
	@# DEBUG off: the demo shows the site's own 404/403/500 pages, not Django's debug pages
	@# (WhiteNoise still serves static files). DEBUG=1 make run brings the debug pages back.
	$(RUN_ENV) DEBUG=$${DEBUG:-0} $(PY) manage.py runserver $(RUN_ADDRESS)

services:
	bash scripts/ensure_test_services.sh

test: install-test services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_ENV=production SECRET_KEY=lint-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
		ALLOWED_HOSTS=forum.example.org SITE_URL=https://forum.example.org \
		DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) manage.py check --deploy --fail-level WARNING

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	$(VENV)/bin/celery -A cop_site worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A cop_site beat --loglevel=INFO --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-/tmp/cop-celerybeat-schedule}

# Web (uvicorn: pages and the chat sockets), worker and beat together against PostgreSQL and Redis.
up: install
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { echo "make up needs DATABASE_URL and REDIS_URL (see .env.example)"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/honcho start -f Procfile

# Load benchmark (issue 9): seeds cop_bench on PostgreSQL once, then gunicorn + wrk. See bench/README.md.
bench: install services
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

# Chat benchmark (issue 22): 200 sockets in one room on one uvicorn process, 10 answers a second. See bench/README.md.
bench-chat: install services
	$(PY) bench/chat_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts

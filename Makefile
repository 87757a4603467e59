# Flowdesk: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PYTHON312 ?= $(shell for p in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	$$HOME/.pyenv/versions/3.13*/bin/python3.13; do \
	  "$$p" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

# Test services: PostgreSQL and Redis on their standard local ports.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/flowdesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help
help:
	@echo "make run          set up, load demo data and serve http://127.0.0.1:8000 (embedded: SQLite, no Redis)"
	@echo "make test         the whole test suite against PostgreSQL and Redis on localhost"
	@echo "make lint         ruff check and format, the layers (import-linter), import circles, migrations,"
	@echo "                  every marked string translated (German)"
	@echo "make bench        every benchmark under bench/ (bench-engine, bench-panel, bench-push, bench-log)"
	@echo "make lock         re-resolve requirements*.lock from pyproject.toml, with hashes"

# A laptop and CI install the development lock (runtime + test tools); the image installs
# requirements.lock only. Every file is checked against the hashes in the lock.
$(PIP_STAMP): pyproject.toml requirements-dev.lock
	@test -n "$(PYTHON312)" || { echo "Python 3.12 or newer is required (python3.12 not found)"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

# Re-resolve every lock from pyproject.toml (newest allowed versions, with hashes).
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 --generate-hashes \
	--upgrade --quiet --custom-compile-command "make lock"
.PHONY: lock
lock: $(PIP_STAMP)
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	$(UV_COMPILE) --extra dev --extra bench -o requirements-bench.lock

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: $(PIP_STAMP) vendor messages

# The translations (locale/<language>/LC_MESSAGES/*.po) compiled to the .mo files Django
# reads; .mo files are build output. Needs gettext's msgfmt.
.PHONY: messages
messages: $(PIP_STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

.PHONY: vendor
vendor: $(NPM_STAMP)
	sh scripts/build-static.sh static/vendor

.PHONY: run
run: install
	@mkdir -p var
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	FLOWDESK_TICKER=1 DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

.PHONY: test
TEST_WORKERS ?= 2
test: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

.PHONY: lint
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m tests.support.import_cycles
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m tests.support.translations

$(VENV)/.bench-installed: requirements-bench.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-bench.lock
	@touch $@

# Benchmarks run with DEBUG off, as production does: settings then need a key of their own.
BENCH_ENV = SECRET_KEY=$${SECRET_KEY:-flowdesk-local-benchmarks-$$RANDOM$$RANDOM$$RANDOM} \
	DATABASE_URL=$(TEST_DATABASE_URL)_bench REDIS_URL=$(TEST_REDIS_URL)

.PHONY: bench bench-engine bench-push bench-panel bench-log bench-external bench-burst bench-lists bench-timers bench-sockets bench-pool
bench: bench-engine bench-panel bench-push bench-log bench-lists bench-timers bench-sockets

bench-engine: install $(VENV)/.bench-installed
	$(BENCH_ENV) $(PY) bench/engine.py

bench-panel: install
	$(BENCH_ENV) $(PY) bench/panel_latency.py

bench-log: install
	$(BENCH_ENV) $(PY) bench/process_log.py

bench-burst: install
	$(BENCH_ENV) $(PY) bench/burst.py

bench-push: install
	$(BENCH_ENV) $(PY) bench/push_latency.py

bench-external: install
	$(BENCH_ENV) $(PY) bench/external_tasks.py

bench-lists: install
	$(BENCH_ENV) $(PY) bench/lists.py

bench-timers: install
	$(BENCH_ENV) $(PY) bench/timers.py

bench-sockets: install
	$(BENCH_ENV) $(PY) bench/sockets.py

# Pool or no pool: push latency and the Cases list / Process log under 1 and 20 clients.
bench-pool: install
	$(BENCH_ENV) $(PY) bench/pool.py

.PHONY: compose-check
compose-check:
	SECRET_KEY=$${SECRET_KEY:-compose-check} docker-compose -f docker-compose.yml config -q

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
	@echo "make lint         ruff and the migrations check"
	@echo "make bench        every benchmark under bench/ (bench-engine, bench-panel, bench-push, bench-log)"

$(PIP_STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON312)" || { echo "Python 3.12 or newer is required (python3.12 not found)"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: $(PIP_STAMP) vendor

.PHONY: vendor
vendor: $(NPM_STAMP)
	@mkdir -p static/vendor
	cp node_modules/htmx-ext-ws/dist/ws.min.js static/vendor/htmx-ext-ws.min.js
	@if [ -d node_modules/bpmn-js/dist ]; then \
	  cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js static/vendor/; \
	  mkdir -p static/vendor/bpmn-js; cp -r node_modules/bpmn-js/dist/assets/* static/vendor/bpmn-js/; fi
	@# bpmn-auto-layout (diagrams of files without a layout) and its imports, as ES modules.
	@mkdir -p static/vendor/esm
	for pkg in bpmn-auto-layout bpmn-moddle moddle moddle-xml saxen min-dash; do \
	  cp node_modules/$$pkg/dist/index.js static/vendor/esm/$$pkg.js; done

.PHONY: run
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	FLOWDESK_TICKER=1 DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

.PHONY: test
test: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true
	$(PY) manage.py makemigrations --check --dry-run

$(VENV)/.bench-installed: requirements-bench.lock
	$(PY) -m pip install --quiet -r requirements-bench.lock
	@touch $@

.PHONY: bench bench-engine bench-push bench-panel bench-log
bench: bench-engine bench-panel bench-push bench-log

bench-engine: install $(VENV)/.bench-installed
	DATABASE_URL=$(TEST_DATABASE_URL)_bench REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/engine.py

bench-panel: install
	DATABASE_URL=$(TEST_DATABASE_URL)_bench REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/panel_latency.py

bench-log: install
	DATABASE_URL=$(TEST_DATABASE_URL)_bench REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/process_log.py

bench-push: install
	DATABASE_URL=$(TEST_DATABASE_URL)_bench REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/push_latency.py

.PHONY: compose-check
compose-check:
	docker-compose -f docker-compose.yml config -q

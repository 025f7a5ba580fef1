# The command menu. `make run` starts the product, `make test` runs every check; both set up what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
BIN := $(VENV)/bin
NPM ?= npm
PYTEST_ARGS ?=
# The API tests run on this many pytest-xdist workers, one test file per worker at a time (module
# fixtures are built once); each worker has its own database and Redis db (api/tests/fixtures/servers.py).
# 0 runs them in this one process. Three on two cores: most tests wait on processes, sockets and the
# emulator's clock rather than compute.
PYTEST_WORKERS ?= 3

PY_STAMP := $(VENV)/.installed
WEB_DEPS_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/package.json

.PHONY: help install run dev test lint typecheck test-python test-web e2e migrate generate-client \
        check-client bench anchor-venv chaos postman compose-check chromium clean fuzz audit

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(PY_STAMP): $(PY) constraints.txt api/pyproject.toml emulator/pyproject.toml
	$(PIP) install --quiet -c constraints.txt -e "api[dev]" -e "emulator[test]"
	@touch $@

$(WEB_DEPS_STAMP): web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

$(WEB_BUILD): $(WEB_DEPS_STAMP) $(WEB_SOURCES)
	cd web && $(NPM) run build

install: $(PY_STAMP) $(WEB_BUILD) ## Set up .venv (pinned packages) and build the panel; idempotent

run: install ## Run the whole product locally (embedded PostgreSQL + Redis, API, worker, scheduler, emulator)
	$(BIN)/spapi-saas dev $(ARGS)

dev: run ## Same as run

chromium: ## Install Debian's Chromium for browser tests when missing (as root)
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing: install it, or set CHROMIUM_PATH" >&2; exit 1; fi

lint: install ## ruff (lint + format check), the architecture's import contracts, the panel's linter
	$(BIN)/ruff check api emulator
	$(BIN)/ruff format --check api emulator
	cd api && ../$(BIN)/lint-imports --no-cache
	cd web && $(NPM) run lint

typecheck: install ## mypy (strict) and tsc
	cd api && ../$(BIN)/mypy
	cd emulator && ../$(BIN)/mypy
	cd web && $(NPM) run typecheck

check-client: install ## Fail if the panel's generated API client is out of date
	@$(BIN)/spapi-saas openapi --out /tmp/spapi-saas-openapi.json
	@diff -q /tmp/spapi-saas-openapi.json web/openapi.json >/dev/null || \
		{ echo "web/openapi.json is stale: run 'make generate-client' and commit"; exit 1; }
	@cd web && npx --no-install openapi-typescript openapi.json -o /tmp/spapi-saas-schema.gen.ts >/dev/null 2>&1; \
		diff -q /tmp/spapi-saas-schema.gen.ts src/client/schema.gen.ts >/dev/null || \
		{ echo "web/src/client/schema.gen.ts is stale: run 'make generate-client' and commit"; exit 1; }

generate-client: install ## Regenerate web/openapi.json and the panel's typed client from the API
	$(BIN)/spapi-saas openapi --out web/openapi.json
	cd web && $(NPM) run generate-client

test-web: install ## The panel's unit tests
	cd web && $(NPM) test

# The emulator's tests run beside the API's (their own process, output shown when they end): together
# they take the time of the longer. The API's failures are printed again last, each with its whole
# message (CI=true: pytest does not cut them to one line), so the end of the output says what failed.
test-python: install chromium ## pytest: API (unit, integration, browser) and emulator
	@mkdir -p test-results; \
	$(BIN)/pytest emulator/tests $(PYTEST_ARGS) > test-results/emulator-tests.log 2>&1 & emulator=$$!; \
	CI=$${CI:-true} $(BIN)/pytest api/tests -n $(PYTEST_WORKERS) --dist loadfile --tb=short $(PYTEST_ARGS) \
		2>&1 | tee test-results/api-tests.log; api=$${PIPESTATUS[0]}; \
	wait $$emulator; emulator_rc=$$?; \
	echo "--- emulator tests (test-results/emulator-tests.log)"; cat test-results/emulator-tests.log; \
	if [ $$api -ne 0 ]; then \
		echo "--- API test failures (whole output: test-results/api-tests.log)"; \
		sed -n '/short test summary info/,$$p' test-results/api-tests.log; \
	fi; \
	[ $$api -eq 0 ] && [ $$emulator_rc -eq 0 ]

test: install chromium lint typecheck check-client test-web test-python compose-check ## Every check: what CI runs

e2e: install chromium ## Only the browser tests
	$(BIN)/pytest api/tests/e2e api/tests/orders/test_orders_browser.py $(PYTEST_ARGS)
	$(BIN)/pytest emulator/tests -k browser $(PYTEST_ARGS)

fuzz: install ## Longer schemathesis run over every route, signed in (make test runs 3 examples per route; FUZZ_MAX_EXAMPLES=100 here)
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-100} $(BIN)/pytest api/tests/security/test_fuzz.py -p no:cacheprovider --timeout=7200 $(PYTEST_ARGS)

audit: install ## pip-audit (constraints.txt) and npm audit --omit=dev; an unreachable audit service is reported, never a failure
	$(PY) scripts/audit.py

migrate: install ## Apply migrations to DATABASE_URL
	$(BIN)/spapi-saas migrate

ANCHOR_VENV := bench/.anchor-venv
ANCHOR_STAMP := $(ANCHOR_VENV)/.installed

$(ANCHOR_STAMP): bench/anchor-requirements.txt
	$(PYTHON) -m venv $(ANCHOR_VENV)
	$(ANCHOR_VENV)/bin/pip install --quiet --upgrade pip
	$(ANCHOR_VENV)/bin/pip install --quiet -r bench/anchor-requirements.txt
	@touch $@

anchor-venv: $(ANCHOR_STAMP) ## B1's anchor client (python-amazon-sp-api) in its own virtualenv, apart from the product's

bench: install anchor-venv ## Benchmarks (print figures; see bench/RESULTS.md)
	@if ls bench/*.py >/dev/null 2>&1; then for b in bench/b*.py; do $(PY) $$b || exit 1; done; \
	else echo "no benchmarks yet"; fi

chaos: install ## Chaos soak (not in `make test`): the whole product under random faults, then exact checks (CHAOS_MINUTES=30, CHAOS_SEED)
	$(PY) bench/chaos.py

postman: install ## Export a Postman/Insomnia collection from the OpenAPI document
	$(PY) -m app.postman > docs/postman_collection.json
	@echo "wrote docs/postman_collection.json"

compose-check: ## Validate docker-compose.yml when the docker client exists
	@if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then \
		docker compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"; \
	else echo "docker compose not installed: skipped compose validation"; fi

clean: ## Remove the venv, the panel build and test artifacts (keeps .local data)
	rm -rf $(VENV) web/node_modules web/dist test-results

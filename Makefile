# emailtrack developer targets. `make up` starts the platform; `make test` installs and tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-deps up test unit integration e2e faults lint proto proto-check bench k8s clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The install runs again only when pyproject.toml changed since the last one (a stamp file).
INSTALLED := $(VENV)/.installed

install: $(INSTALLED) system-deps

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# Debian's Chromium drives the dashboard's browser test (Playwright never downloads a browser);
# Debian's Sisimai (Perl) is the reference the bounce parser is compared with (ORACLE.md);
# swaks is the second real SMTP client of the relay tests. One apt-get run for what is missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	perl -MSisimai -e 1 2>/dev/null || missing="$$missing libsisimai-perl"; \
	command -v swaks >/dev/null || missing="$$missing swaks"; \
	[ -z "$$missing" ] || (apt-get update -qq && apt-get install -y -qq $$missing)

# `make up` needs only Python: the system packages above serve the tests, never the platform
# (no apt-get, no root).
up: $(INSTALLED)
	$(BIN)/emailtrack up

test: install lint
	$(BIN)/pytest -q

unit: install
	$(BIN)/pytest -q tests/unit

integration: install
	$(BIN)/pytest -q tests/integration

e2e: install
	$(BIN)/pytest -q tests/e2e

# Kills and restarts real platform processes under load (docs/reliability.md); ~7 minutes on
# two cores. Also part of `make test`.
faults: install
	$(BIN)/pytest -q tests/faults

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

proto: install
	$(BIN)/python -m emailtrack.protogen
	$(BIN)/python -m emailtrack.eventdocs
	$(BIN)/python -m emailtrack.asyncapi

proto-check: install
	$(BIN)/pytest -q tests/unit/common/test_protos_in_sync.py

k8s: install
	$(BIN)/python deploy/validate.py dev production
	$(BIN)/pytest -q tests/k8s

bench: install
	$(BIN)/python bench/bounce_parse.py
	$(BIN)/python bench/classify_hits.py
	$(BIN)/python bench/recipient_register.py
	$(BIN)/python bench/gateway_http.py
	$(BIN)/python bench/e2e.py --duration 10
	$(BIN)/python bench/analytics_bench.py
	$(BIN)/python bench/relay.py

clean:
	rm -rf $(VENV) .emailtrack .pytest_cache .ruff_cache

# Two commands set everything up on a fresh machine:
#   make serve   — install, build the dataset, serve it on http://127.0.0.1:8080/
#   make test    — install, then run the whole test suite (what CI runs)
# Everything is installed into .venv/ and node_modules/ inside the project.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: setup serve build test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

tests/server/node/node_modules/.stamp: tests/server/node/package.json tests/server/node/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --prefix tests/server/node
	touch $@

# Headless Chromium for the browser tests: Debian's package, installed when we may (root + apt).
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
	@[ -x /usr/bin/chromium ] || echo "note: /usr/bin/chromium missing; browser tests will skip (CI fails them)"

setup: $(STAMP) node_modules/.stamp

serve: setup
	$(BIN)/dprk-kg serve

build: $(STAMP)
	$(BIN)/dprk-kg build

test: setup tests/server/node/node_modules/.stamp chromium
	DPRK_KG_LONG=1 $(BIN)/pytest

test-fast: setup
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# wrk drives the load (Debian's package, installed when we may: root + apt); without it
# bench/run.py falls back to its Python driver and says so in the report.
bench: $(STAMP)
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || (apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)) >/dev/null 2>&1 || true; fi
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache test-artifacts

# ServerStock: `make run` serves the whole product with demo data, `make test` runs the suite.
# Each target creates .venv and installs what it needs on first use.

SHELL := /bin/bash
# The first Python 3.12+ on PATH (pyenv's shims honour .python-version).
PYTHON ?= $(shell for candidate in python3 python3.14 python3.13 python3.12; do \
	if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then command -v $$candidate; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml package.json | cksum | cut -d' ' -f1)
# Debian packages: rrdtool's binding builds against librrd-dev; WeasyPrint needs pango; browser tests use
# Debian's chromium (Playwright never downloads one); snmpd and openipmi are the simulated devices;
# snmp (Net-SNMP's tools) is the collector benchmark's reference, fping the service checks' ICMP reference; nodejs
# (with npm) installs the front-end libraries of package.json into node_modules/, served under /static/vendor/; nginx
# is the reverse proxy the multi-process test (tests/deploy/) runs in front of the product, as deploy/ does.
DEB_PACKAGES := build-essential python3-dev python3-venv pkg-config librrd-dev rrdtool rrdcached libpango-1.0-0 libpangoft2-1.0-0 \
	fonts-dejavu-core chromium poppler-utils snmpd snmp openipmi ipmitool fping nodejs nginx
PYTEST_ARGS ?=

.PHONY: run test lint bench bench-collector bench-pipeline deps install migrate demo check-deploy clean

run: install migrate
	@DEBUG=1 $(MANAGE) demo
	@DEBUG=1 $(MANAGE) serve

# Two workers (the machines have two cores). Default load scheduling keeps pytest-django's order on each worker:
# transactional tests (which empty the tables) run after the others.
test: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

# Benchmarks print figures beside a reference measured in the same run; BENCH="ipam dcim" picks some.
BENCH ?=
bench: install
	$(BIN)/python -m tests.bench $(BENCH)

# The reference is Net-SNMP's snmpbulkwalk (Debian package snmp); BENCH_AGENTS, BENCH_PORTS, BENCH_SECONDS size it.
bench-collector: install
	$(BIN)/python -m tests.bench collector

# The monitoring pipeline on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/): the ingest
# alone at 1,000 / 10,000 / 50,000-interface batches beside a raw COPY, then end to end (snmpd on veth
# interfaces in a network namespace, collectors, rrdcached, granian); needs root. See README "Monitoring at scale"
# (its defaults offer the goal's 3,333 interfaces/s: 170 switches x 201 interfaces every 10 s; 34 GB of RRD files).
bench-pipeline: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/serverstock} BENCH_DATABASES=postgresql \
		$(BIN)/python -m tests.bench ingest pipeline

migrate: install
	@$(MANAGE) migrate --noinput -v 0

check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
		ALLOWED_HOSTS=serverstock.example EMAIL_HOST=smtp.serverstock.example \
		$(MANAGE) check --deploy --fail-level WARNING

deps:
	@missing=$$(for package in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "Missing Debian packages. Run:"; echo "  sudo apt-get install -y $$missing"; exit 1; \
		fi; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian package: npm"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; \
		else \
			echo "npm is missing. Run:"; echo "  sudo apt-get install -y npm"; exit 1; \
		fi; \
	fi

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(MAKE) --no-print-directory deps
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.12 or newer is needed (python3 --version)."; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	npm install --silent --no-audit --no-fund --no-package-lock --ignore-scripts --omit=dev
	@rm -f $(VENV)/.installed-*
	@touch $@

clean:
	rm -rf $(VENV) var/static node_modules

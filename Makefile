# The operator interface: `make run` (demo on a fresh machine) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
IDP := $(BIN)/idp
INTEROP := tests/interop
UPSTREAM := tests/upstream/franceconnect
FRANCECONNECT_PORT ?= 5003
# The demo's IdP configuration: the FranceConnect double as upstream provider (a TOML table no
# environment variable can express), and the double's registration of our IdP.
DEMO_CONFIG := $(abspath clients/demo_rp/idp-demo.toml)
DEMO_FRANCECONNECT_CLIENTS := clients/demo_rp/franceconnect-clients.json

.PHONY: install constraints run test screens lint format browsers node upstream franceconnect clean

# Within constraints.txt's pins: the versions of every package, ours' dependencies' included.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# After a change of pyproject.toml's dependencies: resolve them afresh in a scratch venv (the
# newest releases pyproject.toml admits) and pin what was installed.
constraints:
	rm -rf .venv-constraints && $(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade pip
	.venv-constraints/bin/pip install --quiet -e '.[test]'
	{ grep '^#' constraints.txt; .venv-constraints/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browsers:
	@command -v chromium >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The independent relying party (openid-client) and axe-core, pinned by package-lock.json.
node: $(INTEROP)/node_modules/.installed
$(INTEROP)/node_modules/.installed: $(INTEROP)/package.json $(INTEROP)/package-lock.json
	cd $(INTEROP) && npm ci --silent --no-audit --no-fund
	touch $@

# The FranceConnect v2 double (oidc-provider), pinned by its own package-lock.json.
upstream: $(UPSTREAM)/node_modules/.installed
$(UPSTREAM)/node_modules/.installed: $(UPSTREAM)/package.json $(UPSTREAM)/package-lock.json
	cd $(UPSTREAM) && npm ci --silent --no-audit --no-fund
	touch $@

# The double on a fixed port, for a person or the demo: CLIENTS (JSON) is required, see
# tests/upstream/franceconnect/README.md.
franceconnect: upstream
	PORT=$(FRANCECONNECT_PORT) node $(UPSTREAM)/server.mjs

# Every `idp` command of the demo reads its configuration (IDP_CONFIG). Messages are sent by
# the delivery worker, a process of its own as in production (polling every second).
run: export IDP_CONFIG = $(DEMO_CONFIG)
run: export IDP_DELIVERIES_IN_PROCESS = false
run: export IDP_DELIVERIES_POLL_SECONDS = 1
run: install upstream
	@# git checks out keys/ as 0755: signing keys are for this user alone.
	chmod 700 keys
	$(IDP) init
	$(IDP) demo seed --output instance/demo-client.json \
	  --declarations-output instance/demo-declarations.json
	@echo "IdP: http://127.0.0.1:5000   demo application: http://127.0.0.1:5001"
	@echo "Déclarations sociales en ligne (behind the DPAE service): http://127.0.0.1:5002"
	@echo "FranceConnect double (test identities, never expose it): http://127.0.0.1:$(FRANCECONNECT_PORT)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	PORT=$(FRANCECONNECT_PORT) CLIENTS="$$(cat $(DEMO_FRANCECONNECT_CLIENTS))" \
	  node $(UPSTREAM)/server.mjs & \
	IDP_SERVER_DEVELOPMENT=true $(IDP) serve --port 5000 & \
	$(IDP) deliveries run & \
	$(BIN)/python -m clients.demo_rp --port 5002 \
	  --credentials instance/demo-declarations.json & \
	$(BIN)/python -m clients.demo_rp --port 5001 --credentials instance/demo-client.json; \
	wait

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite on every core (pytest-xdist): each worker has its own PostgreSQL database and Redis
# database number (tests/conftest.py).
TEST_WORKERS ?= auto
test: install browsers node upstream lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# Refresh the README's screenshots (docs/screens/) from the browser tests.
screens: install browsers node
	UPDATE_SCREENS=1 $(BIN)/pytest -m browser -q

clean:
	rm -rf $(VENV) .venv-constraints instance $(INTEROP)/node_modules $(UPSTREAM)/node_modules

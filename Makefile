# teledesk: the commands a person types. `make run` starts the whole desk; `make test` runs
# every test. Both install what is missing first.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The workflows-emulator pins FastAPI 0.111 (Starlette 0.37), functions-framework needs Starlette 1.x:
# it gets a venv of its own (devtools/workflows_server.py runs there).
WORKFLOWS_VENV := .venv-workflows
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.js -type f 2>/dev/null)
# How many relays `make run` starts (the environment wins over .env, as everywhere); more than one needs Redis.
DESK_RELAYS ?= $(or $(shell sed -n 's/^DESK_RELAYS=//p' .env 2>/dev/null | tail -1),1)

.PHONY: run test bench build install prerequisites chromium redis lint test-unit test-frontend test-integration \
        test-e2e screenshots clean deploy rotate-secrets

run: prerequisites install build $(if $(filter 1,$(DESK_RELAYS)),,redis)  ## Start the whole desk locally until Ctrl-C
	$(PY) -m teledesk.local

test: prerequisites install build chromium redis lint test-frontend  ## Every test: unit, integration, e2e, reliability
	$(PY) -m pytest -q -p no:cacheprovider

bench: prerequisites install build redis  ## Benchmarks: print latency figures
	$(PY) -m bench

# Google Cloud (docs/deploy.md): gcloud logged in, a project (PROJECT or gcloud's), terraform/terraform.tfvars
# written, and on the first run the bot's token (TELEGRAM_BOT_TOKEN in the environment or .env).
deploy: $(VENV)/.installed  ## Put the desk in production on Google Cloud, or bring it up to this commit; a second run changes nothing
	$(PY) -m devtools.deploy deploy

rotate-secrets: $(VENV)/.installed  ## New webhook and session secrets (and bot token, given TELEGRAM_BOT_TOKEN), rolled out to every service
	$(PY) -m devtools.deploy rotate-secrets

prerequisites:
	@$(PYTHON) -m teledesk.local.prerequisites

install: $(VENV)/.installed $(WORKFLOWS_VENV)/.installed frontend/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

$(WORKFLOWS_VENV)/.installed: workflows/emulator-requirements.txt
	$(PYTHON) -m venv $(WORKFLOWS_VENV)
	$(WORKFLOWS_VENV)/bin/pip install --quiet --upgrade pip
	$(WORKFLOWS_VENV)/bin/pip install --quiet -r workflows/emulator-requirements.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

build: frontend/dist/index.html  ## Build the console

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

chromium:  ## Debian's Chromium for the browser tests (Playwright never downloads a browser here)
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

redis:  ## Debian's redis-server: several relays share it (DESK_RELAYS > 1), and their tests
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y redis-server; }

lint: $(VENV)/.installed frontend/node_modules/.installed  ## ruff and mypy --strict over the Python, ESLint over the console
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	cd frontend && npm run lint

test-unit: install redis  # the shared state is tested on a real redis-server too
	$(PY) -m pytest -q tests/unit

test-frontend: frontend/node_modules/.installed
	cd frontend && npm test

test-integration: install build redis
	$(PY) -m pytest -q tests/integration

test-e2e: install build chromium
	$(PY) -m pytest -q tests/e2e

screenshots: install build chromium  ## Retake the screenshots in docs/screenshots from the browser tests
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/e2e/test_console_look.py

clean:
	rm -rf $(VENV) $(WORKFLOWS_VENV) frontend/node_modules frontend/dist .teledesk

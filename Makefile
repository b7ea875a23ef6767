# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app surveyapp

NAME   ?= admin

.PHONY: run admin test install install-test serve-prod bench clean

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

# The secret key signs sessions: only this user may read it (instance/ 0700, config.py 0600).
instance/config.py:
	umask 077 && mkdir -p instance && chmod 700 instance && \
	  $(BIN)/python -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@.tmp && \
	  mv $@.tmp $@

## Install, migrate the SQLite database in instance/, load the default survey and the example
## evaluation, serve on $(PORT).
run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) survey load-default --if-absent
	$(FLASK) evaluation load-default --if-absent
	@echo ""
	@echo "  The surveys:  http://127.0.0.1:$(PORT)/s/KEY for each open survey (KEY below);"
	@echo "                http://127.0.0.1:$(PORT)/ leads to them"
	@$(FLASK) survey list
	@echo "  The console:  http://127.0.0.1:$(PORT)/console   (log in at /auth/login)"
	@echo "  No account yet? In another terminal:  make admin NAME=yourname"
	@echo "  (asks for a password twice; then log in to the console with it)"
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Create an administrator called $(NAME) (the password is asked twice), e.g. make admin NAME=li.
admin: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) users create $(NAME) --role admin

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

## Print every benchmark's figures (submissions under gunicorn, page weight, analysis, export,
## results at scale, interval coverage in repeated samples: a few minutes).
bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/submit_bench.py
	$(BIN)/python bench/page_weight.py
	@for b in analysis_bench export_bench results_bench coverage; do \
	  if [ -f bench/$$b.py ]; then $(BIN)/python bench/$$b.py || exit 1; \
	  else echo "bench/$$b.py: missing"; fi; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis

# Every target is one line a user can copy. A fresh machine needs only python3, pip and git.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/demo-home

.PHONY: setup run test test-fast lint typecheck bench clean frameworks services class-demo

# Debian packages, installed when missing: bubblewrap is the sandbox around learner code,
# chromium drives the browser tests (never a downloaded browser).
BWRAP := /usr/bin/bwrap
CHROMIUM := /usr/bin/chromium
APT = if [ "$$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
	$$S apt-get update -q && $$S apt-get install -y -q --no-install-recommends
$(BWRAP):
	@$(APT) bubblewrap
$(CHROMIUM):
	@$(APT) chromium
# The class server's tests start private PostgreSQL and Redis instances (never the system's).
PG_INITDB = $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))
REDIS := /usr/bin/redis-server
services:
	@[ -n "$(PG_INITDB)" ] || { $(APT) postgresql; }
	@[ -x $(REDIS) ] || { $(APT) redis-server; }

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src  # bytecode for fast starts, even where Python may not write it
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP) $(BWRAP)
	@echo "deepcareer is installed in $(VENV): 'source $(VENV)/bin/activate' gives you the deepcareer command."
	@$(BIN)/deepcareer serve --no-browser --home $(DEMO_HOME)

# The class server on this machine with a simulated cohort (private PostgreSQL and Redis,
# removed on Ctrl-C); prints the instructor's address and password.
class-demo: $(STAMP) $(BWRAP) services
	$(BIN)/python -m deepcareer.server.demo

# The PyTorch/TensorFlow outputs that ship beside each exercise's frameworks.py: rebuild after
# changing its frameworks.py or checks.py, or after upgrading a framework (a test says when).
frameworks: $(STAMP)
	$(BIN)/python -m deepcareer.grading.crosscheck

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck $(BWRAP) $(CHROMIUM) services
	DEEPCAREER_REQUIRE_EXTRAS=1 $(BIN)/python -m pytest

# The quick loop while coding: everything but the browser, training and framework tests
# (tests/conftest.py lists what it leaves out), on every core. `make test` is the full run.
test-fast: $(STAMP) $(BWRAP) services
	DEEPCAREER_FAST=1 $(BIN)/python -m pytest -m "not slow" -n auto

bench: $(STAMP)
	$(BIN)/python bench/check_latency.py
	$(BIN)/python bench/curriculum_verify.py
	$(BIN)/python bench/mentor_scale.py
	$(BIN)/python bench/project_training.py
	$(BIN)/python bench/portfolio_build.py
	$(BIN)/python bench/web_latency.py
	$(BIN)/python bench/class_load.py
	$(BIN)/python bench/concurrency.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache

# 评审答辩工作台 — every target but `install` depends on `install`, which is a no-op when nothing changed.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8866
export SCORING_HOME ?= $(CURDIR)/var
export MPLCONFIGDIR ?= $(CURDIR)/var/mpl

.PHONY: install demo test bench lint format clean deploy

install: $(STAMP)

$(STAMP): pyproject.toml .ci/system-deps
	.ci/system-deps --fonts-only
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/nbstripout --install --attributes .gitattributes 2>/dev/null || true
	touch $(STAMP)

# Seed (or re-open) the demo database, print its access codes, write the file-based demo exports, serve.
demo: install
	$(BIN)/scoring init --demo
	$(BIN)/scoring demo --out out/demo > /dev/null
	$(BIN)/scoring serve --port $(PORT)

# The whole suite, nothing skipped: installs the system packages it needs (Chromium, poppler, PostgreSQL, the CJK
# font) and runs against a throwaway PostgreSQL cluster that is stopped and removed afterwards.
test: install
	.ci/system-deps
	.ci/with-postgres $(BIN)/python -m pytest

# Try-out of the scaled deployment (docs/DEPLOY.md): WORKERS workers behind HAProxy on one PostgreSQL (a
# throwaway cluster seeded with the demo unless SCORING_DB names one), on http://127.0.0.1:$(DEPLOY_PORT).
WORKERS     ?= 3
DEPLOY_PORT ?= 8080
deploy: install
	.ci/system-deps --deploy
	$(BIN)/scoring deploy --workers $(WORKERS) --port $(DEPLOY_PORT)

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check scoring tests benchmarks
	$(BIN)/ruff format --check scoring tests benchmarks

format: install
	$(BIN)/ruff format scoring tests benchmarks
	$(BIN)/ruff check --fix scoring tests benchmarks

clean:
	rm -rf $(VENV) var out .pytest_cache .hypothesis

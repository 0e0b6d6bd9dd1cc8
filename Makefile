# kvalitet — the two commands: `make report` (the main job) and `make test` (what CI runs).
# Both set up .venv from pyproject.toml when it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
JOBS   ?=

.DEFAULT_GOAL := help
.PHONY: help test report demo lab bench clean

help: ## list the targets
	@echo "kvalitet — make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

test: $(STAMP) ## set up the environment if needed and run every test
	$(BIN)/python -m pytest

report: $(STAMP) ## set up the environment, build the demo database, render every report into reports/
	$(BIN)/kvalitet demo
	$(BIN)/kvalitet report --all $(if $(JOBS),--jobs $(JOBS))

demo: $(STAMP) ## build the demo database only (data/kvalitet.duckdb)
	$(BIN)/kvalitet demo

lab: $(STAMP) ## JupyterLab on the same environment
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## run the benchmarks in bench/ (they print figures; not part of the tests)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/stats.py
	$(BIN)/python bench/indicators.py
	$(BIN)/python bench/report_suite.py

clean: ## remove the environment, the demo database and rendered reports
	rm -rf $(VENV) data/ reports/*.html reports/*.xlsx reports/_executed

# kvalitet — the two commands: `make report` (the main job) and `make test` (what CI runs).
# Both set up .venv from pyproject.toml when it is missing or older than pyproject.toml or constraints.txt, installing
# the exact versions in constraints.txt (pyproject.toml keeps the lower bounds; `make constraints` refreshes the pins).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
JOBS   ?=

.DEFAULT_GOAL := help
.PHONY: help test report demo lab bench constraints clean

help: ## list the targets
	@echo "kvalitet — make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -c constraints.txt
	@touch $(STAMP)

test: $(STAMP) ## set up the environment if needed and run every test
	$(BIN)/python -m pytest

report: $(STAMP) ## set up the environment, build the demo database, render every report into reports/
	$(BIN)/kvalitet demo
	$(BIN)/kvalitet report --all $(if $(JOBS),--jobs $(JOBS))

demo: $(STAMP) ## build the demo database only (data/kvalitet.duckdb)
	$(BIN)/kvalitet demo

lab: $(STAMP) ## JupyterLab on the same environment
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,lab]' -c constraints.txt
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## run the benchmarks in bench/ (they print figures; not part of the tests)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/stats.py
	$(BIN)/python bench/indicators.py
	$(BIN)/python bench/report_suite.py

constraints: $(STAMP) ## write the exact versions installed in .venv to constraints.txt (then run make test, commit)
	@{ sed -n '1,/^[^#]/{/^#/p}' constraints.txt; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v -i -e '^#' -e '^kvalitet[=@ ]' | LC_ALL=C sort -f; \
	 } > constraints.txt.new && mv constraints.txt.new constraints.txt
	@echo "constraints.txt: $$(grep -c '==' constraints.txt) pakker med faste versioner"

clean: ## remove the environment, the demo database and rendered reports
	rm -rf $(VENV) data/ reports/*.html reports/*.pdf reports/*.xlsx reports/_executed

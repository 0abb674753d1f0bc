# The two commands of the README. Everything else is set up from here, on a fresh machine that
# has Python 3.11+ and git: no global installs, no network beyond the package index.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORES  ?= 1

.PHONY: report test lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "review needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed-run

## Run the whole review on the committed data and write reports/review.html
report: $(VENV)/.installed-run
	$(BIN)/review run --cores $(CORES)
	@echo "Report: reports/review.html (audit trail: reports/audit.html)"

## Run the whole test suite: ruff, mypy, then pytest (the workflow's lint included) with the
## coverage floor of pyproject.toml
test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest --cov --cov-report=term

# Backups of filled sheets (*.backup-*, kept by --force) hold people's work: never removed.
clean:
	rm -rf data/interim reports logs .snakemake
	if [ -d data/extracted ]; then find data/extracted -type f ! -name '*.backup-*' -delete; fi

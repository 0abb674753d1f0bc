# The two commands of the README. Everything else is set up from here, on a fresh machine that
# has Python 3.11+ and git: no global installs, no network beyond the package index.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORES  ?= 1

.PHONY: report test lint clean

# The installer. uv when it can be had: on PATH, or installed into the venv by pip (one wheel,
# a few seconds); it installs the project in ~15 s where pip takes ~35-100 s (measured on a fresh
# clone: docs/developing.md). Without uv (or when uv fails: it does not read pip's own
# configuration, e.g. a private index) pip installs. `make INSTALLER=pip ...` always uses pip.
# Both byte-compile what they install: where PYTHONDONTWRITEBYTECODE is set (many containers,
# this machine) Python never caches what it compiles, and every process (each rule of a run is
# one) would compile pandas, scikit-learn and Snakemake again: ~3x the CPU of each command.
INSTALLER ?= auto
PIP := $(BIN)/python -m pip install --quiet
define install
	@if [ "$(INSTALLER)" != pip ] && { command -v uv >/dev/null 2>&1 || [ -x $(BIN)/uv ] || $(PIP) uv >/dev/null 2>&1; }; then \
		uv=$$(command -v uv || echo $(BIN)/uv); \
		echo "$$uv pip install --compile-bytecode --python $(BIN)/python $(1)"; \
		$$uv pip install --quiet --compile-bytecode --python $(BIN)/python $(1) || $(PIP) $(1); \
	else \
		echo "$(PIP) $(1)"; $(PIP) $(1); \
	fi
endef

# One test process per core and one more (at most 8): the tests that run the engine spend part
# of their time waiting for its processes, and the extra worker runs other tests meanwhile; more
# workers than that only contend for the cores (on 2 cores, make test alternating 3 and 4
# workers: 108.5 and 112.4 s against 116.7 and 119.2 s; docs/developing.md).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1; print(min(n + 1, 8))')

# The package itself is installed editable (src/), so it is compiled here, on each call: only
# what changed since is compiled again (a fraction of a second), for the reason above.
COMPILE_SRC := $(BIN)/python -m compileall -q src

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "review needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(call install,-e .)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(call install,-e ".[test]")
	@touch $@ $(VENV)/.installed-run

## Run the whole review on the committed data and write reports/review.html
report: $(VENV)/.installed-run
	@$(COMPILE_SRC)
	$(BIN)/review run --cores $(CORES)
	@echo "Report: reports/review.html (audit trail: reports/audit.html)"

## Run the whole test suite: ruff, mypy, then pytest (the workflow's lint included) with the
## coverage floor of pyproject.toml, on every core (pytest-xdist; worksteal, as the tests that
## run the workflow take seconds and the others milliseconds)
test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	@$(COMPILE_SRC)
	@# pytest caches each test module with its assertions rewritten only where Python may write
	@# bytecode: without this, every worker rewrote and compiled all of tests/ on each run.
	@# Coverage prints its total against the floor; the table per file costs a second pass
	@# over every source file (~2.5 s on one core): `.venv/bin/coverage report` prints it.
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --cov --cov-report=

# Backups of filled sheets (*.backup-*, kept by --force) hold people's work: never removed.
clean:
	rm -rf data/interim reports logs .snakemake
	if [ -d data/extracted ]; then find data/extracted -type f ! -name '*.backup-*' -delete; fi

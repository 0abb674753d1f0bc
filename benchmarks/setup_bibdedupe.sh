#!/usr/bin/env bash
# Create benchmarks/work/venv-bibdedupe with PyPI bib-dedupe in its own venv, so the peer tool's
# dependencies never touch the project's .venv. Run from the repository root.
set -euo pipefail
VENV=benchmarks/work/venv-bibdedupe
PY=${PYTHON:-python3.11}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import bib_dedupe" 2>/dev/null; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "bib-dedupe${BIBDEDUPE_VERSION:+==$BIBDEDUPE_VERSION}"
fi
"$VENV/bin/python" -c "import importlib.metadata as m; print('bib-dedupe', m.version('bib-dedupe'))"

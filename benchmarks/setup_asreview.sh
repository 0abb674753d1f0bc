#!/usr/bin/env bash
# Create benchmarks/work/venv-asreview with PyPI asreview (ASReview LAB) in its own venv, so the
# peer tool's dependencies never touch the project's .venv. Run from the repository root.
set -euo pipefail
VENV=benchmarks/work/venv-asreview
PY=${PYTHON:-python3.11}
if [ ! -x "$VENV/bin/asreview" ]; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "asreview${ASREVIEW_VERSION:+==$ASREVIEW_VERSION}"
fi
"$VENV/bin/asreview" --version

"""Fixtures shared by the whole suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the project; tests that read it skip cleanly without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


def copy_project(dest: Path, *, with_decisions: bool = True) -> Path:
    """A throw-away copy of the project's workflow, protocol and committed data."""
    for name in ("Snakefile", "workflow", "config", "data/raw"):
        src = REPO / name
        target = dest / name
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    decisions = REPO / "data" / "decisions"
    if with_decisions and decisions.is_dir():
        shutil.copytree(decisions, dest / "data" / "decisions")
    else:
        (dest / "data" / "decisions").mkdir(parents=True, exist_ok=True)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")

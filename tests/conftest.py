"""Fixtures shared by the whole suite.

The real Snakemake engine builds the default review once per test session
(:func:`built_project`); tests that only read its outputs share it, and tests that change an
input work on a copy of it (:func:`built_copy`), whose outputs and Snakemake metadata are those
of the built project, so only the rules downstream of their change run again.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
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
    for name in ("Snakefile", "workflow", "profiles", "config", "data/raw"):
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


def tool_env() -> dict[str, str]:
    """The environment of a workflow run: this interpreter's ``review`` first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def snakemake(
    root: Path, *args: str, snakefile: str = "Snakefile"
) -> subprocess.CompletedProcess[str]:
    """The real Snakemake engine in ``root`` (its outputs, logs and metadata stay there)."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", snakefile, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
    )


def derived_files(
    root: Path, folders: Sequence[str] = ("data/interim", "data/extracted", "reports")
) -> list[str]:
    """Every file the workflow derived under ``root``, relative and sorted."""
    return sorted(
        p.relative_to(root).as_posix()
        for folder in folders
        for p in (root / folder).rglob("*")
        if p.is_file()
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _build(root: Path) -> Path:
    from review.cli import main

    copy_project(root)
    assert main(["run", "-d", str(root), "--cores", "2"]) == 0  # as a user runs it
    return root


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default review, built once per test run by the real engine: read it, never change it.

    Under pytest-xdist (``make test`` runs several workers) every worker has its own session, so
    the first worker to ask builds it, holding a lock, in the run's temporary folder they share;
    the others wait and read the same project. A build that failed is not reused: the next
    worker to ask builds again (and fails with its own message).
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build(tmp_path_factory.mktemp("built") / "project")
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's
    root = shared / "built" / "project"
    done = shared / "built" / "done"
    with (shared / "built.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(root.parent, ignore_errors=True)
            _build(root)
            done.touch()
    return root


@pytest.fixture
def built_copy(built_project: Path, tmp_path: Path) -> Path:
    """A copy of the built review (outputs, logs and Snakemake metadata) to change and rerun."""
    return Path(shutil.copytree(built_project, tmp_path / "project", symlinks=True))

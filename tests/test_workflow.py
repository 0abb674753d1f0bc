"""The real Snakemake engine runs the real workflow on a copy of the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from review.cli import main

pytestmark = pytest.mark.workflow


def test_lint_is_clean(repo_root: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint", "--config", "live=false"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


def test_full_run_offline_writes_the_report(project: Path) -> None:
    assert main(["run", "-d", str(project), "--cores", "2"]) == 0
    html = (project / "reports" / "review.html").read_text(encoding="utf-8")
    assert "UMKM" in html
    assert "umkm_web" in html
    assert (project / "logs" / "normalise_records" / "normalise_records.log").is_file()
    # every stage ran, and the diagram's "included" box is the screening table's count
    import csv

    with (project / "data" / "interim" / "screening.csv").open(encoding="utf-8") as fh:
        states = [row["state"] for row in csv.DictReader(fh)]
    with (project / "reports" / "prisma.csv").open(encoding="utf-8") as fh:
        prisma = {row["data"]: row["n"] for row in csv.DictReader(fh)}
    assert prisma["total_studies"] == str(states.count("included_ft"))
    assert states.count("included_ft") > 0
    with (project / "data" / "extracted" / "coded.csv").open(encoding="utf-8") as fh:
        coded = list(csv.DictReader(fh))
    assert coded
    assert (project / "reports" / "audit.html").is_file()
    assert "<svg" in (project / "reports" / "prisma.svg").read_text(encoding="utf-8")
    # a second run has nothing to do: outputs are up to date
    dry = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--directory",
            str(project),
            "--snakefile",
            str(project / "Snakefile"),
            "-n",
            "--quiet",
            "rules",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    assert "normalise_records" not in dry.stdout


def test_invalid_protocol_stops_before_any_rule(project: Path) -> None:
    protocol = project / "config" / "protocol.yaml"
    protocol.write_text(
        protocol.read_text(encoding="utf-8").replace(
            "    stage: automatic\n", "    stage: robots\n", 1
        ),
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "review.cli", "run", "-d", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0
    assert "criteria[0].stage: 'robots' is not one of" in out.stdout + out.stderr
    assert not (project / "data" / "interim").exists()

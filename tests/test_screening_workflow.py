"""The screening rules under the real Snakemake engine: lint, run, retrigger on a new ledger."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from screening_helpers import project, read_csv, write_ledger

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = """\
from review.protocol import load_protocol

PROTOCOL_PATH = "config/protocol.yaml"
PROTOCOL = load_protocol(PROTOCOL_PATH)


include: "workflow/rules/screen.smk"


rule all:
    input:
        rules.screen_studies.output,
    default_target: True
"""


def _snakemake(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--directory",
            str(root),
            "--snakefile",
            str(root / "Snakefile"),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=root,
    )


@pytest.fixture
def wf(tmp_path: Path) -> Path:
    root = project(tmp_path / "wf")
    (root / "workflow" / "rules").mkdir(parents=True)
    shutil.copy(REPO / "workflow" / "rules" / "screen.smk", root / "workflow" / "rules")
    shutil.copytree(REPO / "workflow" / "envs", root / "workflow" / "envs")
    (root / "Snakefile").write_text(SNAKEFILE, encoding="utf-8")
    return root


def test_lint_is_clean(wf: Path) -> None:
    out = _snakemake(wf, "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


def test_run_then_a_new_ledger_retriggers(wf: Path) -> None:
    out = _snakemake(wf, "--cores", "1")
    assert out.returncode == 0, out.stderr
    assert len(read_csv(wf / "data" / "interim" / "screening.csv")) == 6
    assert (wf / "data" / "interim" / "screening_agreement.json").is_file()
    assert (wf / "logs" / "screen_studies" / "screen_studies.log").is_file()
    assert "screen_studies" not in _snakemake(wf, "-n", "--quiet", "rules").stdout
    write_ledger(
        wf / "data" / "decisions" / "screening",
        "title_abstract",
        "r1",
        [("st-a", "", "include", "", "", "2026-11-29T07:00:00Z")],
    )
    assert "screen_studies" in _snakemake(wf, "-n", "--quiet", "rules").stdout
    assert _snakemake(wf, "--cores", "1").returncode == 0
    rows = {r["study_id"]: r for r in read_csv(wf / "data" / "interim" / "screening.csv")}
    assert rows["st-a"]["state"] == "included_ta"


def test_sheet_rule_builds_a_reviewers_sheet(wf: Path) -> None:
    target = "data/screening_sheets/title_abstract/r9.xlsx"
    out = _snakemake(wf, "--cores", "1", target)
    assert out.returncode == 0, out.stderr
    assert (wf / target).is_file()
    assert len(read_csv(wf / "data" / "screening_sheets" / "title_abstract" / "r9.csv")) == 4

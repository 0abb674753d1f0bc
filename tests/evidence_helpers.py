"""A project-shaped copy of the evidence fixtures (tests/fixtures/evidence), and the commands
that build its derived tables, run as a user runs them (``review ...`` with explicit paths)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from yaml_helpers import dump_yaml, load_yaml

from review.cli import main

EVIDENCE = Path(__file__).parent / "fixtures" / "evidence"


def evidence_project(tmp_path: Path, design: str, *, links: bool = True) -> Path:
    """``tmp_path/<design>``: config/, tools/, data/interim (studies, screening, clusters) and
    data/decisions (the design's coding and appraisal, and the report links)."""
    root = tmp_path / design
    shutil.copytree(EVIDENCE / design / "config", root / "config")
    if (EVIDENCE / design / "tools").is_dir():
        shutil.copytree(EVIDENCE / design / "tools", root / "tools")
    shutil.copytree(EVIDENCE / design / "decisions", root / "data" / "decisions")
    interim = root / "data" / "interim"
    interim.mkdir(parents=True)
    for name in ("studies.csv", "screening.csv", "clusters.csv"):
        shutil.copy(EVIDENCE / name, interim / name)
    if links:
        shutil.copy(EVIDENCE / "report_links.csv", root / "data" / "decisions" / "report_links.csv")
    return root


def common(root: Path) -> list[str]:
    return [
        "--studies",
        str(root / "data/interim/studies.csv"),
        "--screening",
        str(root / "data/interim/screening.csv"),
    ]


def group(root: Path) -> int:
    return main(
        [
            "groups",
            *common(root),
            "--clusters",
            str(root / "data/interim/clusters.csv"),
            "--links",
            str(root / "data/decisions/report_links.csv"),
            "--groups",
            str(root / "data/interim/study_groups.csv"),
        ]
    )


def extract(root: Path) -> int:
    out = root / "data" / "extracted"
    return main(
        [
            "extract",
            "--protocol",
            str(root / "config/protocol.yaml"),
            *common(root),
            "--clusters",
            str(root / "data/interim/clusters.csv"),
            "--study-groups",
            str(root / "data/interim/study_groups.csv"),
            "--coding-dir",
            str(root / "data/decisions/coding"),
            "--sheet-csv",
            str(out / "coding_sheet.csv"),
            "--sheet-xlsx",
            str(out / "coding_sheet.xlsx"),
            "--coded",
            str(out / "coded.csv"),
            "--outcomes",
            str(out / "outcomes.csv"),
            "--disagreements",
            str(out / "coding_disagreements.csv"),
            "--agreement",
            str(out / "coding_agreement.csv"),
            "--events",
            str(out / "coding_events.csv"),
        ]
    )


def appraise_args(root: Path) -> list[str]:
    return [
        "--protocol",
        str(root / "config/protocol.yaml"),
        *common(root),
        "--clusters",
        str(root / "data/interim/clusters.csv"),
        "--study-groups",
        str(root / "data/interim/study_groups.csv"),
        "--coded",
        str(root / "data/extracted/coded.csv"),
        "--decisions",
        str(root / "data/decisions/appraisal"),
    ]


def appraise_state(root: Path) -> int:
    out = root / "data" / "extracted"
    return main(
        [
            "appraise",
            "state",
            *appraise_args(root),
            *(
                arg
                for option, name in (
                    ("appraisal", "appraisal"),
                    ("summary", "appraisal_summary"),
                    ("disagreements", "appraisal_disagreements"),
                    ("agreement", "appraisal_agreement"),
                    ("unmatched", "appraisal_unmatched"),
                )
                for arg in (f"--{option}", str(out / f"{name}.csv"))
            ),
        ]
    )


def build(root: Path) -> None:
    """Groups, coding and appraisal of the project, each asserted to succeed."""
    assert group(root) == 0
    assert extract(root) == 0
    assert appraise_state(root) == 0


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def set_aside(root: Path, *entries: tuple[str, list[str]]) -> None:
    """Declare ``(reviewer, stages)`` set aside in the project's protocol (an amendment of
    2026-12-05: a protocol change like any other)."""

    path = root / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["reviewers"] = [
        {
            "id": who,
            "name": who.title(),
            "set_aside": [{"stages": stages, "date": "2026-12-05", "reason": "saw the results"}],
        }
        for who, stages in entries
    ]
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")

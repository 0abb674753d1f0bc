"""PRISMA counts studies, not reports, when reviewers linked several reports of one study."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from review.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"
A, B = "st-3e3b6133c3", "st-6f0eebc487"  # two included reports of the fixture


def _prisma(root: Path, *extra: str) -> dict[str, str]:
    interim = root / "data" / "interim"
    csv_path = root / "prisma.csv"
    args = ["prisma", "--protocol", str(root / "config" / "protocol.yaml")]
    args += ["--records", str(interim / "records.csv"), "--studies", str(interim / "studies.csv")]
    args += ["--screening", str(interim / "screening.csv"), *extra]
    args += ["--versions", str(root / "versions")]  # none: this fixture has no version
    args += ["--svg", str(root / "prisma.svg"), "--csv", str(csv_path)]
    assert main(args) == 0
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return {r["data"]: r["n"] for r in csv.DictReader(fh)}


def test_linked_reports_count_once_as_studies(tmp_path: Path) -> None:
    root = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    alone = _prisma(root)
    assert (alone["total_studies"], alone["total_reports"]) == ("3", "3")
    groups = root / "groups.csv"
    with groups.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["study_id", "main_study_id", "is_main", "included", "linked_by", "note"])
        w.writerows(
            [
                [A, A, "yes", "yes", "", ""],
                [B, A, "no", "yes", "r1", ""],
                ["st-249a57de84", "st-249a57de84", "yes", "yes", "", ""],
            ]
        )
    linked = _prisma(root, "--study-groups", str(groups))
    assert (linked["total_studies"], linked["total_reports"]) == ("2", "3")
    svg = (root / "prisma.svg").read_text("utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", svg).replace("\xa0", " ").split())
    assert "Studies included in review (n = 2)" in text
    assert "Reports of included studies: n = 3" in text


def test_the_markdown_selection_table_counts_studies_and_reports_apart(tmp_path: Path) -> None:
    from test_report import render

    root = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    groups = root / "data" / "interim" / "study_groups.csv"
    with groups.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["study_id", "main_study_id", "is_main", "included", "linked_by", "note"])
        for sid in (A, B, "st-249a57de84"):
            main_id = A if sid == B else sid
            w.writerow([sid, main_id, "yes" if sid == main_id else "no", "yes", "", ""])
    page = render(root, study_groups=groups)["review.md"]
    assert "| Studies included | 2 |" in page
    assert "| Reports of included studies | 3 |" in page

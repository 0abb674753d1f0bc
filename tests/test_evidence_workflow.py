"""The evidence rules in the real Snakemake engine, on a copy of the built default review:
an appraiser's file, report links, findings and a narrative each rerun their rule; a bad
citation stops check_narrative naming the file and line. The default review's decisions are
never touched: everything here is written into the throw-away copy."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import snakemake


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.workflow
def test_evidence_rules_in_the_real_engine(built_project: Path, built_copy: Path) -> None:
    extracted = built_project / "data/extracted"
    for name in ("outcomes", "appraisal", "appraisal_summary", "findings"):
        assert (extracted / f"{name}.csv").is_file(), name
    assert (built_project / "data/interim/study_groups.csv").is_file()
    assert (built_project / "data/interim/narrative_citations.csv").is_file()
    log = (built_project / "logs/merge_appraisal/merge_appraisal.log").read_text()
    assert "Mixed Methods Appraisal Tool (MMAT), version 2018; rule adjudication" in log

    root = built_copy
    decisions = root / "data/decisions"
    linked = {
        sid
        for r in _rows(decisions / "report_links.csv")
        for sid in (r["study_id"], r["main_study_id"])
    }
    included = [
        r["study_id"]
        for r in _rows(root / "data/interim/screening.csv")
        if r["state"] == "included_ft" and r["study_id"] not in linked
    ]
    first, second = included[:2]
    # The default review appraises every included study twice and its synthesis texts cite
    # every one: this copy's appraisal and synthesis folders are replaced by the test's own,
    # so that the summary and the citations of `first` are the test's alone.
    shutil.rmtree(decisions / "appraisal")
    (decisions / "appraisal").mkdir()
    (decisions / "appraisal/test-appraiser.csv").write_text(
        "study_id,fingerprint,category,item_id,answer,comment,timestamp\n"
        f"{first},,qualitative,S1,yes,,2026-12-01T08:00:00Z\n"
        f"{first},,qualitative,overall,some,test row,2026-12-01T08:00:00Z\n",
        encoding="utf-8",
    )
    with (decisions / "report_links.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([second, first, "test", "test link", "2026-12-01T08:00:00Z"])
    synthesis = decisions / "synthesis"
    shutil.rmtree(synthesis)
    synthesis.mkdir()
    (synthesis / "discussion.md").write_text(f"A test sentence [@{first}].\n", encoding="utf-8")
    (synthesis / "reporting_bias.md").write_text(f"Registers [@{first}].\n", encoding="utf-8")
    targets = [
        "data/extracted/appraisal_summary.csv",
        "data/interim/narrative_citations.csv",
        "data/extracted/coded.csv",
    ]
    done = snakemake(root, "--cores", "1", *targets)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = {r["study_id"]: r for r in _rows(root / "data/extracted/appraisal_summary.csv")}
    assert summary[first]["overall"] == "some"
    groups = {r["study_id"]: r for r in _rows(root / "data/interim/study_groups.csv")}
    assert groups[second]["main_study_id"] == first
    sheet = [r["study_id"] for r in _rows(root / "data/extracted/coding_sheet.csv")]
    assert second not in sheet
    cited = {r["study_id"]: r for r in _rows(root / "data/interim/narrative_citations.csv")}
    assert cited[first]["cited_in"] == "discussion.md:1; reporting_bias.md:1"

    (synthesis / "discussion.md").write_text("Fine.\n\nNot fine [@st-0000000000].\n")
    done = snakemake(root, "--cores", "1", "data/interim/narrative_citations.csv")
    assert done.returncode != 0
    log = (root / "logs/check_narrative/check_narrative.log").read_text()
    assert "discussion.md, line 3: [@st-0000000000] names no study of this review" in log

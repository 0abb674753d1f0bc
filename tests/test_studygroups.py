"""Reports linked into studies: report_links.csv checked, study_groups.csv written, counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_helpers import EVIDENCE, evidence_project, group, read_csv

from review.carry import Locator
from review.errors import DecisionError
from review.records import study_id_for
from review.studygroups import (
    StudyGroups,
    build_groups,
    count_included,
    read_groups,
    read_links,
)
from review.tables import contract, read_table


def test_links_group_reports_and_counts_studies_and_reports(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    assert group(root) == 0
    rows = {r["study_id"]: r for r in read_csv(root / "data/interim/study_groups.csv")}
    assert rows["st-a100000006"]["main_study_id"] == "st-a100000002"
    assert rows["st-a100000006"]["is_main"] == "no"
    assert rows["st-a100000006"]["linked_by"] == "anna (2026-11-30T08:00:00Z)"
    assert rows["st-a100000006"]["note"] == "conference version of the journal article"
    assert rows["st-a100000002"]["is_main"] == "yes"
    assert rows["st-a100000005"]["included"] == "no"
    groups = read_groups(root / "data/interim/study_groups.csv")
    assert groups.members("st-a100000002") == ["st-a100000002", "st-a100000006"]
    assert groups.main_of("st-a100000006") == "st-a100000002"
    # six included reports, of which two are one study: five studies
    counts = count_included(groups)
    assert (counts.studies, counts.reports) == (5, 6)
    assert "st-a100000006" not in groups.included_mains()


def test_no_links_file_means_every_report_is_its_own_study(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative", links=False)
    assert group(root) == 0
    counts = count_included(read_groups(root / "data/interim/study_groups.csv"))
    assert (counts.studies, counts.reports) == (6, 6)
    screening = {
        r["study_id"]: r for r in read_table(EVIDENCE / "screening.csv", contract("screening"))
    }
    assert count_included(StudyGroups.identity(screening)) == counts


def _links(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "report_links.csv"
    path.write_text("study_id,main_study_id,reviewer,note,timestamp\n" + body, encoding="utf-8")
    return path


def _locator() -> Locator:
    studies = read_table(EVIDENCE / "studies.csv", contract("studies"))
    clusters = {
        r["record_id"]: r["study_id"]
        for r in read_table(EVIDENCE / "clusters.csv", contract("clusters"))
    }
    return Locator(studies, clusters)


BAD_LINKS = {
    "unknown id": (
        "st-ffffffffff,st-a100000002,anna,,\n",
        r"report_links\.csv, row 2, field 'study_id': 'st-ffffffffff' is not a study of studies",
    ),
    "a report linked to two studies": (
        "st-a100000006,st-a100000002,anna,,\nst-a100000006,st-a100000001,budi,,\n",
        r"row 3, field 'main_study_id': report st-a100000006 is linked to st-a100000001 here "
        r"and to st-a100000002 on row 2; a report belongs to one study",
    ),
    "a chain": (
        "st-a100000006,st-a100000002,anna,,\nst-a100000002,st-a100000001,anna,,\n",
        r"row 2: a chain of links: st-a100000006 → st-a100000002 → st-a100000001 \(row 3\); "
        r"link every report of the study to its main report \(st-a100000001\)",
    ),
    "a report linked to itself": (
        "st-a100000006,st-a100000006,anna,,\n",
        r"row 2: st-a100000006 is linked to itself",
    ),
    "no reviewer": ("st-a100000006,st-a100000002,,,\n", r"row 2: field 'reviewer' is ''"),
    "a local time": (
        "st-a100000006,st-a100000002,anna,,yesterday\n",
        r"row 2: field 'timestamp' is 'yesterday'; expected an ISO 8601",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_LINKS))
def test_bad_links_are_refused_with_file_and_row(tmp_path: Path, case: str) -> None:
    body, pattern = BAD_LINKS[case]
    with pytest.raises(DecisionError, match=pattern):
        read_links(_links(tmp_path, body), _locator())


def test_every_problem_of_the_links_file_is_listed_at_once(tmp_path: Path) -> None:
    path = _links(
        tmp_path,
        "st-ffffffffff,st-a100000002,anna,,\nst-a100000006,st-eeeeeeeeee,anna,,\n",
    )
    with pytest.raises(DecisionError, match=r"^2 problem\(s\) in .*nothing was grouped") as info:
        read_links(path, _locator())
    assert "st-eeeeeeeeee" in str(info.value)


def test_a_link_follows_a_report_merged_into_another_study(tmp_path: Path) -> None:
    """Deduplication merged the companion's cluster (anchor web:6) into st-a100000004: the link
    naming the old id now names the study its anchor record is in."""
    clusters = {"web:6": "st-a100000004", "web:4": "st-a100000004", "web:2": "st-a100000002"}
    studies = [
        {"study_id": "st-a100000004", "fingerprint": ""},
        {"study_id": "st-a100000002", "fingerprint": ""},
    ]
    old_id = study_id_for("web:6")
    links = read_links(
        _links(tmp_path, f"{old_id},st-a100000002,anna,,\n"), Locator(studies, clusters)
    )
    assert [(link.study_id, link.main_study_id) for link in links] == [
        ("st-a100000004", "st-a100000002")
    ]


def test_a_main_report_not_included_while_its_companion_is_stops_the_grouping(
    tmp_path: Path,
) -> None:
    root = evidence_project(tmp_path, "qualitative")
    (root / "data/decisions/report_links.csv").write_text(
        "study_id,main_study_id,reviewer,note,timestamp\n"
        "st-a100000006,st-a100000005,anna,,2026-11-30T08:00:00Z\n"
        "st-a100000002,st-a100000005,anna,,2026-11-30T08:00:00Z\n",
        encoding="utf-8",
    )
    with pytest.raises(
        DecisionError,
        match=r"1 study\(ies\) counted under a report that is not included.*\n"
        r"main report st-a100000005 is not included \(state excluded_ft\) while its report\(s\) "
        r"st-a100000002, st-a100000006 are",
    ):
        build_groups(
            studies_path=root / "data/interim/studies.csv",
            screening_path=root / "data/interim/screening.csv",
            links_path=root / "data/decisions/report_links.csv",
            out=root / "data/interim/study_groups.csv",
        )
    assert not (root / "data/interim/study_groups.csv").exists()

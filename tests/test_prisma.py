"""PRISMA 2020 counts from the fixture project's tables, the arithmetic check, the diagram and
the PRISMA2020 R package CSV."""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET  # our own SVG, not untrusted input
from pathlib import Path

import pytest

from review import prisma
from review.protocol import load_protocol
from review.records import read_records
from review.tables import contract, read_table

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest)
    return dest


def counts_for(root: Path, *, screening: bool = True, studies: bool = True) -> prisma.PrismaCounts:
    protocol = load_protocol(root / "config" / "protocol.yaml")
    interim = root / "data" / "interim"
    return prisma.compute_counts(
        records=read_records(interim / "records.csv"),
        studies=read_table(interim / "studies.csv", contract("studies")) if studies else None,
        screening=read_table(interim / "screening.csv", contract("screening"))
        if screening
        else None,
        sources=protocol.sources,
        criteria=protocol.criteria,
    )


def svg_text(svg: str) -> str:
    """All text of the diagram, wrapped lines joined, white space folded."""
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    return " ".join(
        " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")).split()
    )


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames
        rows = [change(dict(r)) for r in reader]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(r for r in rows if r is not None)


def test_counts_follow_the_state_table(proj: Path) -> None:
    c = counts_for(proj)
    prisma.check_counts(c)
    assert c.identification.databases == [
        ("OpenAlex (English query)", 2),
        ("Crossref (bibliographic query)", 0),
    ]
    assert c.identification.websites == [
        ("Web collection (OJS journal pages, Garuda, repositories, document mirrors)", 8)
    ]
    assert (c.identified, c.duplicates, c.studies) == (10, 2, 8)
    assert (c.excluded_auto, c.awaiting_screening, c.screened) == (1, 1, 6)
    assert (c.excluded_ta, c.sought, c.not_retrieved, c.assessed) == (1, 5, 1, 4)
    assert (c.excluded_ft, c.included) == (1, 3)
    assert c.auto_reasons == [("E1-year", 1)]
    assert c.ta_reasons == [("E3-not-indonesia", 1)]
    assert c.ft_reasons == [("E7-no-outcome-or-barrier", 1)]
    # the two studies with an OpenAlex record are the databases arm; the rest came from the
    # web collection only. The web sightings of those two studies (S1, S4) are duplicates of
    # the other arm: its 8 records made 6 studies of its own.
    assert c.arms["dbr"] == {
        "records": 2,
        "studies": 2,
        "duplicates": 0,
        "screened": 2,
        "excluded_ta": 1,
        "sought": 1,
        "assessed": 1,
        "included": 1,
    }
    assert c.arms["other"] == {
        "records": 8,
        "studies": 6,
        "duplicates": 2,
        "excluded_auto": 1,
        "awaiting_screening": 1,
        "screened": 4,
        "sought": 4,
        "not_retrieved": 1,
        "assessed": 3,
        "excluded": 1,
        "included": 2,
    }


def test_each_arm_must_add_up(proj: Path) -> None:
    c = counts_for(proj)
    c.arms["other"]["screened"] = 5
    c.arms["dbr"]["screened"] = 1
    with pytest.raises(
        prisma.PrismaError,
        match=r"other methods: records 8 - duplicates 2 - automation exclusions 1 = 5, but "
        r"screened 5 \+ awaiting screening 1 = 6",
    ):
        prisma.check_counts(c)


def test_wrong_duplicate_count_fails_with_the_arithmetic(proj: Path) -> None:
    studies = proj / "data" / "interim" / "studies.csv"
    rewrite(studies, lambda r: {**r, "n_records": "3"} if r["n_records"] == "2" else r)
    c = counts_for(proj)
    with pytest.raises(
        prisma.PrismaError, match=r"identified 10 - duplicates 4 = 6, but there are 8 studies"
    ):
        prisma.check_counts(c)


def test_inconsistent_box_fails_with_the_arithmetic(proj: Path) -> None:
    c = counts_for(proj)
    c.sought = 7
    with pytest.raises(
        prisma.PrismaError,
        match=r"screened 6 - excluded at title/abstract 1 - undecided 0 = 5, but 7 reports were",
    ):
        prisma.check_counts(c)


def test_study_without_state_is_reported(proj: Path) -> None:
    screening = proj / "data" / "interim" / "screening.csv"
    rewrite(screening, lambda r: None if r["state"] == "to_screen" else r)
    with pytest.raises(
        prisma.PrismaError, match=r"1 study\(ies\) of studies.csv have no state \(st-ba7b47746a"
    ):
        counts_for(proj)


def test_exclusion_without_reason_fails(proj: Path) -> None:
    screening = proj / "data" / "interim" / "screening.csv"
    rewrite(screening, lambda r: {**r, "ta_reason": ""} if r["state"] == "excluded_ta" else r)
    with pytest.raises(
        prisma.PrismaError, match=r"study st-2167270e10 .* no reason in 'ta_reason'"
    ):
        counts_for(proj)


def test_reason_must_be_a_protocol_criterion(proj: Path) -> None:
    screening = proj / "data" / "interim" / "screening.csv"
    rewrite(
        screening, lambda r: {**r, "ft_reason": "E99-bad"} if r["state"] == "excluded_ft" else r
    )
    with pytest.raises(
        prisma.PrismaError, match=r"reason 'E99-bad' in 'ft_reason' is not a criterion code"
    ):
        counts_for(proj)


def with_retrieval(root: Path, status: dict[str, tuple[str, str, str, str]]) -> None:
    """Give screening.csv the retrieval columns: study -> (state, retrieval, reason, basis)."""
    path = root / "data" / "interim" / "screening.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = [*(reader.fieldnames or []), "ft_basis", "ft_retrieval", "ft_retrieval_reason"]
        rows = [dict(r) for r in reader]
    for r in rows:
        if r["study_id"] in status:
            state, retrieval, reason, basis = status[r["study_id"]]
            r.update(state=state, ft_retrieval=retrieval, ft_retrieval_reason=reason)
            r["ft_basis"] = basis
        elif r["state"] in ("included_ft", "excluded_ft"):
            r.update(ft_retrieval="retrieved", ft_basis="full_text")
        else:
            r["ft_retrieval"] = "not_sought"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def counts_with_basis(root: Path, basis: str) -> prisma.PrismaCounts:
    protocol = load_protocol(root / "config" / "protocol.yaml")
    interim = root / "data" / "interim"
    counts = prisma.compute_counts(
        records=read_records(interim / "records.csv"),
        studies=read_table(interim / "studies.csv", contract("studies")),
        screening=read_table(interim / "screening.csv", contract("screening")),
        sources=protocol.sources,
        criteria=protocol.criteria,
        basis=basis,
    )
    prisma.check_counts(counts)
    return counts


NOT_AT_HAND = "st-41c96faeb7"  # the fixture's report that could not be assessed


def test_not_retrieved_box_is_the_retrieval_status_not_a_criterion_code(proj: Path) -> None:
    # The legacy ledger code says nothing any more: the state and the retrieval status do.
    with_retrieval(proj, {NOT_AT_HAND: ("not_retrieved", "not_retrieved", "paywalled", "")})
    c = counts_with_basis(proj, "full_text")
    assert (c.sought, c.not_retrieved, c.assessed) == (5, 1, 4)
    assert c.not_retrieved_reasons == [("paywalled", 1)]
    assert c.assessed_by_basis == {"full_text": 4}
    text = svg_text(prisma.render_svg(c))
    assert "Reports not retrieved (n = 1)" in text
    assert "paywalled, or a landing page only: n = 1" in text
    assert "on the full text: n = 4" in text
    assert "declared deviation" not in text


def test_record_and_summary_basis_counts_reports_not_retrieved_yet_assessed(proj: Path) -> None:
    with_retrieval(
        proj,
        {NOT_AT_HAND: ("included_ft", "not_retrieved", "not_attempted", "record_and_summary")},
    )
    c = counts_with_basis(proj, "record_and_summary")
    assert (c.sought, c.not_retrieved, c.assessed, c.included) == (5, 1, 5, 4)
    assert c.assessed_by_basis == {"full_text": 4, "record_and_summary": 1}
    text = svg_text(prisma.render_svg(c))
    assert "assessed instead on the record and summary (declared deviation): n = 1" in text
    assert "on the record and summary (declared deviation): n = 1" in text
    assert "retrieval not attempted: n = 1" in text


def test_assessment_without_the_full_text_breaks_a_full_text_basis(proj: Path) -> None:
    with_retrieval(
        proj,
        {NOT_AT_HAND: ("included_ft", "not_retrieved", "no_oa_copy", "record_and_summary")},
    )
    with pytest.raises(prisma.PrismaError, match=r"1 report\(s\) were assessed without their full"):
        counts_with_basis(proj, "full_text")


def test_record_in_no_study_fails(proj: Path) -> None:
    studies = proj / "data" / "interim" / "studies.csv"
    rewrite(studies, lambda r: None if r["record_ids"] == "umkm_web:S8" else r)
    with pytest.raises(
        prisma.PrismaError,
        match=r"1 record\(s\) of records.csv belong to no study \(first: umkm_web:S8\)",
    ):
        counts_for(proj)


def test_svg_is_well_formed_and_shows_every_box(proj: Path) -> None:
    text = svg_text(prisma.render_svg(counts_for(proj)))
    for expected in (
        "Records identified from databases and registers (n = 2)",
        "OpenAlex (English query): n = 2",
        "Duplicate records: n = 2",
        "Records marked as ineligible by automation tools: n = 1",
        "Records screened (n = 6)",
        "Awaiting screening: n = 1",
        "Reports not retrieved (n = 1)",
        "Studies included in review (n = 3)",
    ):
        assert expected in text


def test_svg_escapes_hostile_labels(proj: Path) -> None:
    c = counts_for(proj)
    c.identification.databases[0] = ("<script>alert(1)</script>", 2)
    svg = prisma.render_svg(c)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ET.fromstring(svg)  # noqa: S314 (our own output)


def test_unscreened_flow_says_so(proj: Path) -> None:
    c = counts_for(proj, screening=False)
    prisma.check_counts(c)
    assert "not screened yet (8 studies after deduplication)" in svg_text(prisma.render_svg(c))
    data = prisma.read_prisma_csv(prisma.prisma_csv(c))
    assert data["records_screened"] == "NA"
    undeduplicated = counts_for(proj, screening=False, studies=False)
    assert "not deduplicated or screened yet (10 records)" in svg_text(
        prisma.render_svg(undeduplicated)
    )


def test_unscreened_r_csv_has_the_database_arm_duplicates_only(proj: Path) -> None:
    data = prisma.read_prisma_csv(prisma.prisma_csv(counts_for(proj, screening=False)))
    assert (data["duplicates"], data["records_screened"]) == ("0", "NA")


#: What the package's ``PRISMA_data()`` (R/PRISMA_data.R) looks up in the CSV: each variable's
#: pattern, grepped in the ``data`` column (or, for the title boxes, the ``box`` column), and the
#: text it falls back to when the row is missing, which is the template's box text.
R_READER: dict[str, tuple[str, str, str]] = {
    "previous_text": ("box", "prevstud", "Previous studies"),
    "newstud_text": ("box", "newstud", "Identification of new studies via databases and registers"),
    "other_text": ("box", "othstud", "Identification of new studies via other methods"),
    "previous_studies": (
        "data",
        "previous_studies",
        "Studies included in previous version of review",
    ),
    "previous_reports": (
        "data",
        "previous_reports",
        "Reports of studies included in previous version of review",
    ),
    "register_results": ("data", "register_results", "Registers"),
    "database_results": ("data", "database_results", "Databases"),
    "database_specific_results": ("data", "database_specific_results", ""),
    "register_specific_results": ("data", "register_specific_results", ""),
    "website_results": ("data", "website_results", "Websites"),
    "organisation_results": ("data", "organisation_results", "Organisations"),
    "citations_results": ("data", "citations_results", "Citation searching"),
    "duplicates": ("data", "duplicates", "Duplicate records"),
    "excluded_automatic": (
        "data",
        "excluded_automatic",
        "Records marked as ineligible by automation tools",
    ),
    "excluded_other": ("data", "excluded_other", "Records removed for other reasons"),
    "records_screened": ("data", "records_screened", "Records screened"),
    "records_excluded": ("data", "records_excluded", "Records excluded"),
    "dbr_sought_reports": ("data", "dbr_sought_reports", "Reports sought for retrieval"),
    "dbr_notretrieved_reports": ("data", "dbr_notretrieved_reports", "Reports not retrieved"),
    "other_sought_reports": ("data", "other_sought_reports", "Reports sought for retrieval"),
    "other_notretrieved_reports": ("data", "other_notretrieved_reports", "Reports not retrieved"),
    "dbr_assessed": ("data", "dbr_assessed", "Reports assessed for eligibility"),
    "dbr_excluded": ("data", "dbr_excluded", "Reports excluded"),
    "other_assessed": ("data", "other_assessed", "Reports assessed for eligibility"),
    "other_excluded": ("data", "other_excluded", "Reports excluded"),
    "new_studies": ("data", "new_studies", "New studies included in review"),
    "new_reports": ("data", "new_reports", "Reports of new included studies"),
    "total_studies": ("data", "total_studies$", "Total studies included in review"),
    "total_reports": ("data", "total_reports$", "Reports of total included studies"),
    "total_studies_ma": ("data", "total_studies_ma", "Total studies included in meta-analysis"),
    "total_reports_ma": (
        "data",
        "total_reports_ma",
        "Reports of total included studies in meta-analysis",
    ),
    "identification_text": ("data", "identification", "Identification"),
    "screening_text": ("data", "screening", "Screening"),
    "included_text": ("data", "included", "Included"),
}


def r_grep(rows: list[dict[str, str]], column: str, pattern: str) -> list[dict[str, str]]:
    """R's ``data[grep(pattern, data[, col]), ]`` on a data frame read by ``read.csv``
    (the string NA is a missing value, which grep never matches)."""
    return [r for r in rows if r[column] != "NA" and re.search(pattern, r[column])]


def test_r_package_csv_has_every_row_of_the_package_template(proj: Path) -> None:
    """Read as the package's ``PRISMA_data()`` reads it: every variable it looks up is found
    in exactly one row (no fallback, no item shadowed by another's name), with the template's
    text; the rows are the template's 34, title boxes and side labels included."""
    text = prisma.prisma_csv(counts_for(proj))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "data",
        "node",
        "box",
        "description",
        "boxtext",
        "tooltips",
        "url",
        "n",
    ]
    assert len(rows) == 34
    for variable, (column, pattern, default_text) in R_READER.items():
        found = r_grep(rows, column, pattern)
        assert len(found) == 1, (variable, [r["data"] for r in found])
        if default_text:
            assert found[0]["boxtext"] == default_text, variable
    looked_up = {
        r_grep(rows, c, p)[0]["data"] + r_grep(rows, c, p)[0]["box"]
        for c, p, _ in R_READER.values()
    }
    assert len(looked_up) == len(rows)  # every row is one the package reads
    # title boxes: data NA, found by box; the flow diagram's tooltips are keyed by data or box
    assert [(r["data"], r["box"]) for r in rows if r["data"] == "NA"] == [
        ("NA", "prevstud"),
        ("NA", "newstud"),
        ("NA", "othstud"),
    ]
    tooltips = {
        (r["box"] if r["data"] == "NA" else r["data"]) for r in rows if r["tooltips"] != "NA"
    }
    assert {
        "newstud",
        "database_results",
        "duplicates",
        "records_screened",
        "new_studies",
    } <= tooltips


def test_r_package_csv_counts_each_arm_apart(proj: Path) -> None:
    data = prisma.read_prisma_csv(prisma.prisma_csv(counts_for(proj)))
    assert data["database_results"] == "2"
    assert data["database_specific_results"] == (
        "OpenAlex (English query), 2; Crossref (bibliographic query), 0"
    )
    assert data["website_results"] == "8"
    # the databases arm's own boxes: its 2 records made 2 studies, both screened
    assert (data["duplicates"], data["excluded_automatic"]) == ("0", "0")
    assert (data["records_screened"], data["records_excluded"]) == ("2", "1")
    assert (data["dbr_sought_reports"], data["other_sought_reports"]) == ("1", "4")
    assert data["other_notretrieved_reports"] == "1"
    assert data["other_excluded"] == "E7-no-outcome-or-barrier, 1; Other, 0"
    assert (data["new_studies"], data["total_studies"]) == ("3", "3")
    # a first version: no previous box (NA, which the package leaves out), no meta-analysis
    assert (data["previous_studies"], data["previous_reports"]) == ("NA", "NA")
    assert (data["total_studies_ma"], data["total_reports_ma"]) == ("NA", "NA")


def test_a_website_only_review_screens_nothing_under_databases(proj: Path) -> None:
    """The default review's case: records found only by other methods are never drawn as
    "0 identified, 342 screened" in the databases arm."""
    records = proj / "data" / "interim" / "records.csv"
    studies = proj / "data" / "interim" / "studies.csv"
    rewrite(
        records,
        lambda r: {
            **r,
            "source_id": "umkm_web",
            "source_kind": "websites",
            "record_id": r["record_id"].replace("openalex_en:", "umkm_web:O"),
        },
    )
    rewrite(
        studies,
        lambda r: {**r, "record_ids": r["record_ids"].replace("openalex_en:", "umkm_web:O")},
    )
    c = counts_for(proj)
    prisma.check_counts(c)
    data = prisma.read_prisma_csv(prisma.prisma_csv(c))
    assert (data["database_results"], data["website_results"]) == ("0", "10")
    assert (data["duplicates"], data["records_screened"], data["records_excluded"]) == (
        "0",
        "0",
        "0",
    )
    assert (data["dbr_sought_reports"], data["dbr_assessed"]) == ("0", "0")
    assert (data["other_sought_reports"], data["other_assessed"]) == ("5", "4")
    assert data["new_studies"] == "3"
    # the diagram's boxes are the other arm's: no per-arm split to show
    text = svg_text(prisma.render_svg(c))
    assert "Reports sought for retrieval (n = 5)" in text
    assert "databases and registers: n =" not in text


def svg_boxes(svg: str) -> dict[str, list[str]]:
    """Each box of the diagram: its first line (head, up to " (n") → all its lines."""
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    boxes: list[list[str]] = []
    for el in root:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "rect" and (el.get("class") or "").startswith("b-"):
            boxes.append([])
        elif tag == "text" and boxes and el.get("class") in ("head", "item", "note"):
            boxes[-1].append(" ".join((el.text or "").split()))
    out = {}
    for lines in boxes:
        head = " ".join(line for line in lines)
        out[head.split(" (n")[0]] = lines
    return out


def test_r_csv_numbers_are_the_diagrams(proj: Path) -> None:
    """Every number of the R package's CSV is a number our diagram shows: per arm where both
    arms found records (the package draws them apart), in the box that counts it."""
    c = counts_for(proj)
    data = prisma.read_prisma_csv(prisma.prisma_csv(c))
    boxes = {head: " ".join(lines) for head, lines in svg_boxes(prisma.render_svg(c)).items()}

    def box(start: str) -> str:
        found = [text for head, text in boxes.items() if head.startswith(start)]
        assert len(found) == 1, (start, list(boxes))
        return found[0].replace("\u00a0", " ")

    assert f"from databases and registers (n = {data['database_results']})" in box(
        "Records identified from databases"
    )
    assert f"n = {data['website_results']}" in box("Records identified from other methods")
    assert f"Duplicate records: n = {c.duplicates}" in box("Records removed")
    assert f"databases and registers: n = {data['duplicates']}" in box("Records removed")
    for item, head, arm in (
        ("records_screened", "Records screened", "databases and registers"),
        ("records_excluded", "Records excluded", "databases and registers"),
        ("dbr_sought_reports", "Reports sought", "databases and registers"),
        ("other_sought_reports", "Reports sought", "other methods"),
        ("dbr_notretrieved_reports", "Reports not retrieved", "databases and registers"),
        ("other_notretrieved_reports", "Reports not retrieved", "other methods"),
        ("dbr_assessed", "Reports assessed", "databases and registers"),
        ("other_assessed", "Reports assessed", "other methods"),
    ):
        assert f"{arm}: n = {data[item]}" in box(head), item
    assert f"(n = {data['total_studies']})" in box("Studies included in review")
    assert f"Reports of included studies: n = {data['total_reports']}" in box(
        "Studies included in review"
    )


def test_write_outputs_writes_nothing_when_check_fails(proj: Path, tmp_path: Path) -> None:
    c = counts_for(proj)
    c.included = 99
    svg, csv_path = tmp_path / "out" / "prisma.svg", tmp_path / "out" / "prisma.csv"
    with pytest.raises(
        prisma.PrismaError, match="assessed 4 - excluded at full text 1 = 3, but 99"
    ):
        prisma.write_outputs(c, svg_path=str(svg), csv_path=str(csv_path))
    assert not svg.exists()
    assert not csv_path.exists()

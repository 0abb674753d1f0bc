"""``review export``: the studies of chosen states as RIS, BibTeX and CSV (through rispy and
bibtexparser) and into a Zotero collection (pyzotero against a loopback server); what the RIS
file says, ``review import`` reads back."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import rispy
from screening_helpers import project, read_csv, write_ledger
from werkzeug import Request, Response

from review.cli import main
from review.errors import ReviewError
from review.exitcodes import DATA_ERROR
from review.export.bibtex import bibtex_text
from review.export.doctypes import bibtex_type, ris_type
from review.export.ris import ris_text, split_pages
from review.export.select import Selection, select_studies
from review.export.table import write_csv
from review.importers import read_files
from review.records import Record, split_list
from review.screening.state import read_studies
from review.sources.export_record import is_organisation, join_pages, surname_first
from review.tables import contract, read_table

FIELDS = (
    "title",
    "title_alt",
    "abstract",
    "summary",
    "year",
    "venue",
    "volume",
    "issue",
    "doi",
    "url",
    "keywords",
    "language",
    "doc_type",
)


def _import(path: Path, source_id: str = "back") -> tuple[list[Record], list[str]]:
    results = read_files([path], source_id=source_id, fmt="auto")
    return [r for res in results for r in res.records], [w for res in results for w in res.warnings]


def _as_studies(records: list[Record]) -> list[dict[str, Any]]:
    """Imported records as study rows again (the record id holds the study id)."""
    rows = []
    for r in records:
        row = r.to_row()
        row["study_id"] = r.record_id.split(":", 1)[1]
        rows.append(row)
    return rows


def _assert_same_values(studies: list[dict[str, str]], records: list[Record]) -> None:
    """Every field reads back as the study holds it; author names are written surname first
    and page ranges without a dangling dash, as every RIS reader of the project gives them."""
    assert [r.record_id.split(":", 1)[1] for r in records] == [s["study_id"] for s in studies]
    for study, row in zip(studies, _as_studies(records), strict=True):
        for name in FIELDS:
            expected = study.get(name, "")
            if name == "doc_type" and not expected:
                expected = row[name]  # no type: written as the generic class
            assert str(row[name] or "") == expected, (study["study_id"], name)
        authors = "; ".join(surname_first(a) for a in split_list(study["authors"]))
        assert row["authors"] == authors, study["study_id"]
        assert row["pages"] == join_pages(study["pages"], "").strip("-"), study["study_id"]


# --- the default review's real records ---------------------------------------------------------


def test_ris_round_trip_over_the_default_review(built_project: Path, tmp_path: Path) -> None:
    studies = read_studies(built_project / "data/interim/studies.csv")
    path = tmp_path / "all.ris"
    path.write_text(ris_text(studies), encoding="utf-8")
    records, warnings = _import(path)
    assert warnings == []  # no record numbers: nothing for the reader to skip
    assert len(records) == len(studies)
    _assert_same_values(studies, records)
    # What the file says is what was read: exporting the records again writes the same file.
    assert ris_text(_as_studies(records)) == path.read_text(encoding="utf-8")
    # The summary is the team's, never an abstract; the free-text type survives its TY code.
    assert all(r.abstract == "" and r.summary for r in records)
    assert any(r.doc_type == "journal article (SLR)" for r in records)
    untitled = sum(1 for s in studies if not s["title"])
    assert untitled > 0  # the default review has untitled studies: they stay untitled
    assert sum(1 for r in records if not r.title) == untitled


def test_review_export_included_then_review_import(built_project: Path, tmp_path: Path) -> None:
    tables = [
        "--studies",
        str(built_project / "data/interim/studies.csv"),
        "--screening",
        str(built_project / "data/interim/screening.csv"),
    ]
    out = tmp_path / "included.ris"
    assert main(["export", *tables, "-o", str(out)]) == 0
    states = read_table(built_project / "data/interim/screening.csv", contract("screening"))
    included = [r["study_id"] for r in states if r["state"] == "included_ft"]
    records_csv = tmp_path / "records.csv"
    assert main(["import", str(out), "-o", str(records_csv)]) == 0
    back = read_csv(records_csv)
    assert included  # the default review includes studies
    assert [r["record_id"] for r in back] == [f"included:{sid}" for sid in included]
    by_id = {s["study_id"]: s for s in read_studies(built_project / "data/interim/studies.csv")}
    for row in back:
        study = by_id[row["record_id"].split(":", 1)[1]]
        assert (row["title"], row["doi"], row["summary"]) == (
            study["title"],
            study["doi"],
            study["summary"],
        )


def test_what_rispy_dump_writes_imports(built_project: Path, tmp_path: Path) -> None:
    """rispy's own writer numbers its records ("1.") and separates them by blank lines: the
    importer reads every record and names the numbered lines in a warning."""
    studies = read_studies(built_project / "data/interim/studies.csv")[:40]
    entries = rispy.loads(ris_text(studies))
    assert entries[0]["id"] == studies[0]["study_id"]
    path = tmp_path / "dumped.ris"
    with path.open("w", encoding="utf-8") as fh:
        rispy.dump(entries, fh)
    assert path.read_text(encoding="utf-8").startswith("1.\nTY  - ")
    records, warnings = _import(path)
    assert len(records) == 40
    assert len(warnings) == 1
    assert "record numbers" in warnings[0]
    _assert_same_values(studies, records)


def test_bibtex_export_reads_back(built_project: Path, tmp_path: Path) -> None:
    studies = read_studies(built_project / "data/interim/studies.csv")
    path = tmp_path / "all.bib"
    path.write_text(bibtex_text(studies), encoding="utf-8")
    records, warnings = _import(path)
    assert warnings == []
    assert [r.record_id for r in records] == [f"back:{s['study_id']}" for s in studies]
    for study, record in zip(studies, records, strict=True):
        for name in ("title", "abstract", "venue", "volume", "issue", "doi", "url", "language"):
            assert getattr(record, name) == study[name], (study["study_id"], name)
        assert record.year == (int(study["year"]) if study["year"] else None)
        assert record.keywords == split_list(study["keywords"])
        assert record.authors == [surname_first(a) for a in split_list(study["authors"])]
    # URLs with & and ? (KoreaScience, SciELO) and DOIs with _ survive LaTeX decoding.
    assert any("&" in r.url for r in records)
    # a corporate author of the default review ("... for ASEAN and East Asia") stays one name
    assert any(is_organisation(a) for r in records for a in r.authors)


def test_a_corporate_author_survives_every_export_format(tmp_path: Path) -> None:
    """BibTeX separates people with "and" and a CSV cell may hold several: an organisation's
    name that holds "and" is written whole (in braces in BibTeX) and read back as written, in
    its place among the people, never turned surname-first."""
    eria = "Economic Research Institute for ASEAN and East Asia"
    study = {
        "study_id": "st-eria",
        "title": "Study on MSMEs Participation in the Digital Economy in ASEAN",
        "authors": f"Siti Rahma; {eria}; Procter & Gamble; Budi",
        "year": "2019",
        "doc_type": "report",
    }
    expected = ["Rahma, Siti", eria, "Procter & Gamble", "Budi"]
    bib = tmp_path / "one.bib"
    bib.write_text(bibtex_text([study]), encoding="utf-8")
    assert f"{{{eria}}}" in bib.read_text(encoding="utf-8")
    ris = tmp_path / "one.ris"
    ris.write_text(ris_text([study]), encoding="utf-8")
    assert f"AU  - {eria}\n" in ris.read_text(encoding="utf-8")
    alone = {**study, "study_id": "st-alone", "authors": eria}
    table = tmp_path / "one.csv"
    write_csv(table, [(study, {"state": "included_ft"}), (alone, {"state": "included_ft"})])
    for path in (bib, ris):
        (record,) = _import(path)[0]
        assert record.authors == expected, path.name
    one, two = _import(table)[0]
    assert (one.authors, two.authors) == (expected, [eria])


# --- small projects -----------------------------------------------------------------------------


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    ledgers = root / "data" / "decisions" / "screening"
    t = "2026-11-01T10:00:00Z"
    for who in ("siti", "budi"):
        write_ledger(
            ledgers,
            "title_abstract",
            who,
            [
                ("st-a", "doi:10.1000/a", "include", "", "", t),
                ("st-b", "title:e commerce adoption determinants among smes|2020", "exclude",
                 "E3-not-indonesia", "", t),
                ("st-d", "doi:10.1000/d", "include", "", "", t),
            ],
        )  # fmt: skip
    write_ledger(ledgers, "full_text", "siti", [("st-a", "doi:10.1000/a", "include", "", "", t)])
    assert main(["screen", "state"]) == 0
    return root


def test_selection_by_state_and_decision(proj: Path) -> None:
    studies = read_studies("data/interim/studies.csv")
    states = read_table("data/interim/screening.csv", contract("screening"))
    by_state = {r["study_id"]: r["state"] for r in states}
    assert (by_state["st-a"], by_state["st-d"]) == ("included_ft", "included_ta")

    def chosen(*names: str, decisions: tuple[str, ...] = ()) -> list[str]:
        selection = Selection.parse(names, decisions)
        return [s["study_id"] for s, _ in select_studies(studies, states, selection)]

    assert chosen("included") == ["st-a"]
    assert chosen("sought") == ["st-a", "st-d"]
    assert chosen("excluded_auto") == ["st-c", "st-e"]
    assert chosen(decisions=("title_abstract=exclude",)) == ["st-b"]
    assert chosen("to_screen", decisions=("title_abstract=exclude",)) == ["st-b", "st-f"]
    with pytest.raises(ReviewError, match=r"--decision 'ta=include' is not a stage decision"):
        Selection.parse([], ["ta=include"])
    with pytest.raises(ReviewError, match="say which studies to export"):
        Selection.parse([], [])
    with pytest.raises(ReviewError, match="have no screening state"):
        select_studies(studies, states[1:], Selection.parse(["included"]))


def test_csv_export_is_spreadsheet_safe_and_names_the_state(proj: Path) -> None:
    fulltext = proj / "data" / "interim" / "fulltext.csv"
    columns = contract("fulltext").names
    with fulltext.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for sid in ("st-a", "st-b", "st-c", "st-d", "st-e", "st-f"):
            row = dict.fromkeys(columns, "")
            row.update(study_id=sid, status="not_sought")
            if sid == "st-a":
                row.update(
                    status="retrieved",
                    file="data/raw/fulltext/files/ab12.pdf",
                    sha256="ab12" * 16,
                    media_type="application/pdf",
                    source_url="https://journal.example/article/download/58/188",
                )
            writer.writerow(row)
    out = proj / "chosen.csv"
    assert main(["export", "--state", "included", "--state", "to_screen", "-o", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == list(contract("study_export").names)
    assert [(r["study_id"], r["state"]) for r in rows] == [
        ("st-a", "included_ft"),
        ("st-f", "to_screen"),
    ]
    assert rows[0]["fulltext_file"] == "data/raw/fulltext/files/ab12.pdf"
    assert rows[0]["fulltext_url"] == "https://journal.example/article/download/58/188"
    assert rows[1]["title"].startswith("'=HYPERLINK")  # a formula stays text
    assert rows[1]["summary"] == "'@summary"
    # The RIS of the included study links its full text (L1) and keeps the team's summary apart.
    ris = proj / "included.ris"
    assert main(["export", "-o", str(ris)]) == 0
    entry = rispy.loads(ris.read_text(encoding="utf-8"), list_tags=["AU", "KW", "N1", "L1"])[0]
    assert entry["file_attachments1"] == [
        "data/raw/fulltext/files/ab12.pdf",
        "https://journal.example/article/download/58/188",
    ]
    assert entry["notes"] == [
        "Summary by the review team (not the published abstract): Team summary A"
    ]
    assert entry["abstract"].startswith("Relawan TIK")


def test_export_refuses_what_it_cannot_do(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "-o", "x.txt"]) == DATA_ERROR
    assert "cannot tell the format from the suffix '.txt'" in capsys.readouterr().err
    assert main(["export"]) == DATA_ERROR
    assert "-o FILE and/or --zotero COLLECTION" in capsys.readouterr().err
    assert main(["export", "--zotero", "Included"]) == DATA_ERROR
    assert "--zotero needs --zotero-library ID" in capsys.readouterr().err
    assert main(["export", "--state", "included_x", "-o", "x.ris"]) == DATA_ERROR
    assert "'included_x' is not a screening state; use one of included, sought" in (
        capsys.readouterr().err
    )
    assert not (proj / "x.ris").exists()


def test_doc_types_in_closed_vocabularies() -> None:
    assert (ris_type("journal article"), bibtex_type("journal article")) == ("JOUR", "article")
    assert (ris_type("conference paper"), bibtex_type("conference paper")) == (
        "CPAPER",
        "inproceedings",
    )
    assert ris_type("report (grey literature)") == "RPRT"
    assert ris_type("thesis chapter (BAB I PENDAHULUAN)") == "CHAP"  # chapter before thesis
    assert (ris_type("unknown (document mirror)"), bibtex_type("")) == ("GEN", "misc")
    assert split_pages("47-") == ("47", "")
    assert split_pages("113 \u2013 118") == ("113", "118")  # an en dash
    assert split_pages("e10310") == ("e10310", "")


# --- Zotero -------------------------------------------------------------------------------------


def _zotero_server(httpserver: Any, *, fail: set[int] = frozenset()) -> list[Any]:
    """The Zotero Web API's write answers (zotero.org/support/dev/web_api/v3/write_requests):
    per-object status keyed by the object's index in the request."""
    posted: list[Any] = []

    def collections(request: Request) -> Response:
        posted.append(("collections", json.loads(request.get_data()), dict(request.headers)))
        data = {"key": "COLL0001", "version": 10, "name": "Included", "parentCollection": False}
        body = {
            "successful": {"0": {"key": "COLL0001", "version": 10, "data": data}},
            "success": {"0": "COLL0001"},
            "unchanged": {},
            "failed": {},
        }
        return Response(json.dumps(body), headers={"Last-Modified-Version": "10"},
                        content_type="application/json")  # fmt: skip

    def items(request: Request) -> Response:
        payload = json.loads(request.get_data())
        posted.append(("items", payload, dict(request.headers)))
        ok = {str(i): f"ITEM{i:04d}" for i in range(len(payload)) if i not in fail}
        body = {
            "successful": {
                i: {"key": k, "version": 11, "data": payload[int(i)]} for i, k in ok.items()
            },
            "success": ok,
            "unchanged": {},
            "failed": {
                str(i): {"key": "", "code": 400, "message": "'date' must be a string"}
                for i in fail
                if i < len(payload)
            },
        }
        return Response(json.dumps(body), headers={"Last-Modified-Version": "11"},
                        content_type="application/json")  # fmt: skip

    httpserver.expect_request("/groups/4711/collections", method="POST").respond_with_handler(
        collections
    )
    httpserver.expect_request("/groups/4711/items", method="POST").respond_with_handler(items)
    return posted


@pytest.fixture
def zotero(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("REVIEW_ZOTERO_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("ZOTERO_API_KEY", "write-key-from-env")
    return httpserver


ZOTERO_ARGS = ["--zotero", "Included", "--zotero-library", "4711", "--zotero-library-type", "group"]


def test_export_to_a_zotero_collection(proj: Path, zotero: Any, capsys: Any) -> None:
    posted = _zotero_server(zotero)
    assert main(["export", "--state", "sought", *ZOTERO_ARGS]) == 0
    assert [p[0] for p in posted] == ["collections", "items"]
    assert posted[0][1] == [{"name": "Included", "parentCollection": ""}]
    items = posted[1][1]
    assert [i["extra"] for i in items] == ["review study id: st-a", "review study id: st-d"]
    assert items[0]["collections"] == ["COLL0001"]
    assert items[0]["DOI"] == "10.1000/a"
    assert posted[1][2]["Authorization"] == "Bearer write-key-from-env"  # from the environment
    out = capsys.readouterr().out
    assert "collection 'Included' (COLL0001) holds 2 of 2 studies (excluded_ft" in out


def test_zotero_refusals_name_the_study(proj: Path, zotero: Any, capsys: Any) -> None:
    _zotero_server(zotero, fail={1})
    assert main(["export", "--state", "sought", *ZOTERO_ARGS]) == DATA_ERROR
    captured = capsys.readouterr()
    assert "holds 1 of 2 studies" in captured.out
    assert "Zotero refused 1 item(s), e.g. item st-d: {'key': '', 'code': 400" in captured.err


def test_zotero_key_only_from_the_environment(
    proj: Path, zotero: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("ZOTERO_API_KEY")
    assert main(["export", *ZOTERO_ARGS]) == DATA_ERROR
    assert "needs a key with write access in ZOTERO_API_KEY" in capsys.readouterr().err
    assert zotero.log == []  # nothing was sent


def test_zotero_never_gets_an_empty_collection(proj: Path, zotero: Any, capsys: Any) -> None:
    assert main(["export", "--state", "maybe_ta", *ZOTERO_ARGS]) == DATA_ERROR
    assert "no studies to add to Zotero: 0 studies (maybe_ta)" in capsys.readouterr().err
    assert zotero.log == []

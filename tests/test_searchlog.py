"""The PRISMA-S search log, from run manifests and the web collection's manifest."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import Clock, FakeOpenAlex, items

from review.protocol import load_protocol
from review.searchlog import LOG_COLUMNS, search_log, write_search_log
from review.searchruns import search


def test_log_of_a_fresh_project_says_not_searched_yet(project: Path) -> None:
    protocol = load_protocol(project / "config" / "protocol.yaml")
    rows = search_log(protocol, project / "data" / "raw")
    by_source = {r["source_id"]: r for r in rows}
    assert set(by_source) == {s["id"] for s in protocol.sources}
    assert by_source["openalex_en"]["status"] == "not searched yet"
    assert by_source["openalex_en"]["query"].startswith('("MSME" OR "MSMEs"')
    assert by_source["openalex_en"]["filters"] == '{"from_publication_date": "2015-01-01"}'
    web = by_source["umkm_web"]
    assert web["kind"] == "websites"
    assert web["run_id"] == "2026-11-collection"
    assert web["executed_at"] == "2026-11-29"
    assert web["n_records_retrieved"] == 415
    assert web["manifest"] == "data/raw/websites/umkm_web/2026-11-collection/manifest.json"
    assert web["pages_sha256"].startswith("records.csv=")


def test_log_rows_per_run(project: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.setenv("OPENALEX_API_KEY", "k")  # an OpenAlex update needs a key
    FakeOpenAlex(items("openalex_works.json")).install(httpserver)
    protocol = load_protocol(project / "config" / "protocol.yaml")
    raw = project / "data" / "raw"
    options = {
        "sleep": lambda s: None,
        "page_size": 2,
        "client_options": {"min_interval": 0},
        "clock": Clock(),
    }
    first = search(protocol.source("openalex_en"), raw_root=raw, **options)
    update = search(protocol.source("openalex_en"), raw_root=raw, update=True, **options)
    rows = [r for r in search_log(protocol, raw) if r["source_id"] == "openalex_en"]
    assert [r["run_id"] for r in rows] == sorted([first.run_id, update.run_id])
    initial, upd = rows
    assert initial["run_kind"] == "initial"
    assert initial["status"] == "complete"
    assert initial["n_hits_reported"] == 5
    assert initial["n_records_retrieved"] == 5
    assert initial["pages"] == 4
    assert initial["executed_at"].endswith("Z")
    assert initial["platform"].startswith("OpenAlex REST API")
    # the protocol matches titles and abstracts only: a filter, not search=
    assert "filter=title_and_abstract.search%3A" in initial["query_as_executed"]
    assert initial["justification"].startswith("Digital-economy programmes")
    assert upd["run_kind"] == "update"
    assert upd["previous_run_id"] == initial["run_id"]
    assert upd["update_filter"].startswith("from_created_date:")
    assert upd["coverage_from"] == initial["executed_at"][:10]
    out = project / "reports" / "search_log.csv"
    write_search_log(search_log(protocol, raw), out)
    with out.open(encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert tuple(table[0]) == LOG_COLUMNS
    assert len(table) == len(protocol.sources) + 1  # openalex_en has two runs


def test_incomplete_run_has_no_search_date(project: Path) -> None:
    run = project / "data" / "raw" / "crossref" / "2026-11-29T071500Z"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text(
        json.dumps(
            {
                "run_id": run.name,
                "complete": False,
                "stop_reason": "budget_exhausted",
                "started_at": "2026-11-29T07:15:00Z",
                "pages": [],
            }
        )
    )
    protocol = load_protocol(project / "config" / "protocol.yaml")
    (row,) = [r for r in search_log(protocol) if r["source_id"] == "crossref"]
    assert row["status"] == "incomplete (budget_exhausted)"
    assert row["executed_at"] == ""
    assert row["started_at"] == "2026-11-29T07:15:00Z"


def test_formula_like_queries_are_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    write_search_log([{"source_id": "s2", "query": "+UMKM -retail"}], out)
    assert "'+UMKM -retail" in out.read_text(encoding="utf-8")

"""DOAJ article search: recorded pages replayed by a local server, and normalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import SHARED_API, Sequence, items, needs_shared, recorded

from review.searchruns import records_from_runs, search
from review.sources.doaj import Doaj

SOURCE = {
    "id": "doaj",
    "kind": "database",
    "database": "doaj",
    "query": "Pinus contorta",
    "filters": {"sort": "year:desc"},
}


@pytest.fixture
def server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    needs_shared()
    monkeypatch.setenv("REVIEW_DOAJ_BASE_URL", httpserver.url_for("").rstrip("/"))
    return httpserver


def test_recorded_page_then_next_page_on_the_same_server(server: Any, tmp_path: Path) -> None:
    seq = Sequence(
        recorded("doaj", "v2_search_articles_pinus_contorta_page1_size30_sort_year_desc")
    ).install(server, "/search/articles/Pinus contorta")
    result = search(
        SOURCE,
        raw_root=tmp_path,
        sleep=lambda s: None,
        page_size=30,
        max_records=30,
        client_options={"min_interval": 0.0},
    )
    assert result.records_reported == 103
    assert result.records_retrieved == 30
    assert result.stop_reason == "max_records"
    assert seq.requests[0].args["page"] == "1"
    assert seq.requests[0].args["pageSize"] == "30"
    assert seq.requests[0].args["sort"] == "year:desc"
    records = records_from_runs(SOURCE, tmp_path)
    assert len(records) == 30
    rec = records[0]
    assert rec.doi == "10.1371/journal.pone.0227130"
    assert rec.authors[0] == "Peralta, Guadalupe"
    assert rec.language == "en"
    assert rec.venue == "PLoS ONE"
    assert rec.year == 2020


def test_next_link_drives_the_walk(server: Any, tmp_path: Path) -> None:
    page = json.loads(
        (SHARED_API / "doaj" / "v2_search_articles_license_ccby_page1_size2.json").read_text()
    )
    assert page["next"]
    last = dict(page, next=None, page=2, results=page["results"][:1])
    from search_fakes import json_response

    seq = Sequence(json_response(page), json_response(last)).install(
        server, "/search/articles/license:CC-BY"
    )
    source = {**SOURCE, "query": "license:CC-BY", "filters": {}}
    result = search(
        source,
        raw_root=tmp_path,
        sleep=lambda s: None,
        page_size=2,
        client_options={"min_interval": 0.0},
    )
    assert [r.args["page"] for r in seq.requests] == ["1", "2"]
    assert result.records_retrieved == 3


def test_own_fixture_normalisation() -> None:
    rec = Doaj(SOURCE).normalise(items("doaj_articles.json")[0])
    assert rec.record_id == f"doaj:{1:032x}"
    assert rec.doi == "10.1234/doaj.001"
    assert rec.language == "id"
    assert rec.pages == "5-12"
    assert Doaj(SOURCE, since="2026-11-01").full_query() == (
        "(Pinus contorta) AND created_date:[2026-11-01 TO *]"
    )

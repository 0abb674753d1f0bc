"""DOAJ article search: recorded pages replayed by a local server, and normalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import SHARED_API, Sequence, items, needs_shared, recorded

from review.errors import SearchError
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
    probe, first = seq.requests
    assert probe.args["pageSize"] == "1"  # the total, to know whether to split the query
    assert first.args["page"] == "1"
    assert first.args["pageSize"] == "30"
    assert first.args["sort"] == "year:desc"
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
    page["total"] = 3  # the recorded query has thousands: it would be split (tested below)
    last = dict(page, next=None, page=2, results=page["results"][:1])
    from search_fakes import json_response

    seq = Sequence(json_response(page), json_response(page), json_response(last)).install(
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
    assert [r.args["page"] for r in seq.requests[1:]] == ["1", "2"]
    assert result.records_retrieved == 3


def test_own_fixture_normalisation() -> None:
    rec = Doaj(SOURCE).normalise(items("doaj_articles.json")[0])
    assert rec.record_id == f"doaj:{1:032x}"
    assert rec.doi == "10.1234/doaj.001"
    assert rec.language == "id"
    assert rec.pages == "5-12"
    assert Doaj(SOURCE, since="2026-11-01").full_query() == (
        "(Pinus contorta) AND created_date:[2026-11-01 TO 9999-12-31]"
    )


# --- DOAJ's paging cap and its wildcard rule (issue 16), on the fake that follows its server ---


def articles(n: int, *, first: str = "2015-01-01", step_days: int = 1) -> list[dict[str, Any]]:
    """``n`` DOAJ records shaped like our fixture's, with distinct ids and created dates."""
    import copy
    import datetime as dt

    template = items("doaj_articles.json")[0]
    start = dt.date.fromisoformat(first)
    out = []
    for i in range(n):
        item = copy.deepcopy(template)
        item["id"] = f"{i + 1:032x}"
        item["created_date"] = f"{start + dt.timedelta(days=i * step_days)}T08:00:00Z"
        item["bibjson"]["title"] = f"Article {i + 1}"
        out.append(item)
    return out


@pytest.fixture
def doaj_server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("REVIEW_DOAJ_BASE_URL", httpserver.url_for("").rstrip("/"))
    return httpserver


UMKM = {"id": "doaj", "kind": "database", "database": "doaj", "query": "bibjson.title:UMKM"}


def doaj_walk(tmp_path: Path, **kwargs: Any) -> Any:
    from search_fakes import Clock

    return search(
        UMKM,
        raw_root=tmp_path,
        sleep=lambda s: None,
        clock=kwargs.pop("clock", Clock()),
        client_options={"min_interval": 0.0, "jitter": lambda: 0.0, **kwargs.pop("client", {})},
        **kwargs,
    )


def test_query_over_the_paging_cap_is_split_and_every_record_fetched(
    doaj_server: Any, tmp_path: Path
) -> None:
    from search_fakes import FakeDoaj

    data = articles(2500)  # DOAJ would serve only the first 1,000 of them
    fake = FakeDoaj(data).install(doaj_server)
    result = doaj_walk(tmp_path)
    assert result.complete
    assert result.records_reported == 2500
    assert result.records_retrieved == 2500
    records = records_from_runs(UMKM, tmp_path)
    assert sorted(r.record_id for r in records) == sorted(f"doaj:{d['id']}" for d in data)
    manifest = json.loads((result.path / "manifest.json").read_text())
    split = manifest["split"]
    assert split["field"] == "created_date"
    assert sum(s["records_reported"] for s in split["slices"]) == 2500
    assert all(0 < s["records_reported"] <= 1000 for s in split["slices"])
    assert all("created_date:[" in s["query"] for s in split["slices"])
    assert split["slices"][-1]["to"] == "9999-12-31"  # nothing added later can fall between
    # no request ever asked past DOAJ's cap, and none was refused
    pages = [r for r in fake.requests if r.args.get("pageSize") == "100"]
    assert max(int(r.args["page"]) for r in pages) <= 10
    assert all(e["kind"] != "error" for e in manifest["events"])


def test_split_run_resumes_where_it_stopped(doaj_server: Any, tmp_path: Path) -> None:
    from search_fakes import FakeDoaj, dropped

    data = articles(1500)
    FakeDoaj(data).install(doaj_server)
    clean = doaj_walk(tmp_path / "clean")
    expected = [r.record_id for r in records_from_runs(UMKM, tmp_path / "clean")]
    doaj_server.clear()
    FakeDoaj(data, failures={n: dropped for n in range(14, 40)}).install(doaj_server)
    with pytest.raises(SearchError, match="rerun to resume"):
        doaj_walk(tmp_path / "raw", client={"max_retries": 0})
    doaj_server.clear()
    FakeDoaj(data).install(doaj_server)
    resumed = doaj_walk(tmp_path / "raw")
    assert resumed.resumed
    assert resumed.records_retrieved == clean.records_retrieved == 1500
    assert [r.record_id for r in records_from_runs(UMKM, tmp_path / "raw")] == expected


def test_update_window_has_no_wildcard(doaj_server: Any, tmp_path: Path) -> None:
    from search_fakes import Clock, FakeDoaj

    fake = FakeDoaj(articles(30)).install(doaj_server)
    clock = Clock()
    doaj_walk(tmp_path, clock=clock)
    update = doaj_walk(tmp_path, clock=clock, update=True)  # DOAJ refuses "[2026-11-29 TO *]"
    assert update.complete
    manifest = json.loads((update.path / "manifest.json").read_text())
    assert manifest["run_kind"] == "update"
    assert manifest["update_filter"] == "created_date:[2026-11-29 TO 9999-12-31]"
    assert all("*" not in r.path for r in fake.requests)


def test_one_day_over_the_cap_cannot_be_split(doaj_server: Any, tmp_path: Path) -> None:
    from search_fakes import FakeDoaj

    FakeDoaj(articles(1001, step_days=0)).install(doaj_server)
    with pytest.raises(SearchError, match=r"1001 records .* added to DOAJ on 2015-01-01 alone"):
        doaj_walk(tmp_path)
    assert not (tmp_path / "doaj").exists()  # refused while planning: no run folder


def test_wildcard_in_the_protocol_query_is_refused_before_any_request(
    doaj_server: Any, tmp_path: Path
) -> None:
    source = {**UMKM, "query": "bibjson.title:digitali*"}
    with pytest.raises(SearchError, match=r"contains '\*'; DOAJ refuses wildcards"):
        search(source, raw_root=tmp_path)
    assert doaj_server.log == []

"""Crossref connector: recorded scroll pages replayed by a local server, and normalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import SHARED_API, Sequence, needs_shared, recorded, transcribed

from review.errors import ProtocolError, SearchError
from review.searchruns import records_from_runs, search
from review.sources.crossref import Crossref

SOURCE = {
    "id": "crossref",
    "kind": "database",
    "database": "crossref",
    "query": "widget",
    "max_records": 1000,
    "filters": {"from-pub-date": "2015", "type": "journal-article"},
}


@pytest.fixture
def server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    needs_shared()
    monkeypatch.setenv("REVIEW_CROSSREF_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.delenv("REVIEW_CONTACT_EMAIL", raising=False)
    monkeypatch.delenv("CROSSREF_PLUS_TOKEN", raising=False)
    return httpserver


def walk(tmp_path: Path, **kwargs: Any) -> Any:
    return search(
        SOURCE,
        raw_root=tmp_path,
        sleep=lambda s: None,
        page_size=20,
        client_options={"min_interval": 0.0, "jitter": lambda: 0.0},
        **kwargs,
    )


def test_recorded_scroll_walks_until_a_short_page(server: Any, tmp_path: Path) -> None:
    seq = Sequence(
        recorded("crossref", "works_query_widget_cursor_page1"),
        recorded("crossref", "works_query_widget_cursor_page2"),
        recorded("crossref", "works_query_widget_cursor_page3"),
        recorded("crossref", "works_query_zero_results"),  # an empty (short) page ends it
    ).install(server, "/works")
    result = walk(tmp_path)
    assert result.records_retrieved == 60
    assert result.records_reported == 454
    cursors = [r.args["cursor"] for r in seq.requests]
    assert cursors[0] == "*"
    assert len(set(cursors[1:])) == 1  # the same scroll id on every later page
    assert seq.requests[0].args["query.bibliographic"] == "widget"
    assert seq.requests[0].args["filter"] == "from-pub-date:2015,type:journal-article"
    records = records_from_runs(SOURCE, tmp_path)
    assert len(records) == 60
    first = records[0]
    assert first.record_id == "crossref:10.1007/978-1-4302-0197-7_9"
    assert first.title == "Widget Mania: Using a GUI Widget Framework"
    assert first.venue.startswith("Practical JavaScript")
    assert first.doc_type == "book-chapter"
    assert first.pages == "305-349"


def test_html_429_is_retried_by_status(server: Any, tmp_path: Path) -> None:
    seq = Sequence(
        transcribed("crossref", "error_429_TRANSCRIBED_from_issue.html", 429, "text/html"),
        recorded("crossref", "works_query_zero_results"),
    ).install(server, "/works")
    result = walk(tmp_path)
    assert result.complete
    assert result.records_retrieved == 0
    assert len(seq.requests) == 2


def test_recorded_400_message_reaches_the_user(server: Any, tmp_path: Path) -> None:
    Sequence(recorded("crossref", "error_400_rows_not_integer")).install(server, "/works")
    with pytest.raises(SearchError, match="HTTP 400: Integer specified as things but must be"):
        walk(tmp_path)


def test_recorded_plain_text_404(server: Any, tmp_path: Path) -> None:
    Sequence(recorded("crossref", "error_404_work_not_found_plaintext")).install(server, "/works")
    with pytest.raises(SearchError, match=r"HTTP 404: Resource not found\."):
        walk(tmp_path)


def test_jats_abstract_is_stripped() -> None:
    needs_shared()
    path = SHARED_API / "crossref" / "work_10.1038_srep16696_with_jats_abstract.json"
    rec = Crossref(SOURCE).normalise(json.loads(path.read_text())["message"])
    assert rec.abstract.startswith("Oligomers of alpha-synuclein are toxic")
    assert "<" not in rec.abstract
    assert rec.doi == "10.1038/srep16696"
    assert rec.authors[0].count(",") == 1
    assert rec.year == 2015


def test_own_fixture_normalisation() -> None:
    from search_fakes import items

    rec = Crossref(SOURCE).normalise(items("crossref_items.json")[2])
    assert rec.record_id == "crossref:10.1234/cr.003"
    assert rec.doi == "10.1234/cr.003"
    first = Crossref(SOURCE).normalise(items("crossref_items.json")[0])
    assert first.abstract == "Clinics helped MSMEs & villages."
    assert first.authors == ["Rahayu, Siti"]


def test_update_uses_from_index_date_and_token_is_a_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSREF_PLUS_TOKEN", "tok")
    cr = Crossref(SOURCE, since="2026-11-01")
    assert cr.params()["filter"].endswith(",from-index-date:2026-11-01")
    assert cr.client_settings()["secret_headers"] == {"Crossref-Plus-API-Token": "Bearer tok"}


def test_expired_scroll_is_walked_again_once(server: Any, tmp_path: Path) -> None:
    from search_fakes import FakeCrossref, items

    expired = recorded("crossref", "error_404_cursor_invalid")
    fake = FakeCrossref(items("crossref_items.json"), failures={3: lambda r: expired}).install(
        server
    )
    source = {**SOURCE, "query": "UMKM", "filters": {}}
    result = search(
        source,
        raw_root=tmp_path,
        sleep=lambda s: None,
        page_size=2,
        client_options={"min_interval": 0.0},
    )
    assert [r.args["cursor"] for r in fake.requests] == [
        "*",
        "SCROLL1",
        "SCROLL1",
        "*",
        "SCROLL2",
        "SCROLL2",
    ]
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert [p["file"] for p in manifest["pages"]] == [
        "page-0001.json.gz",
        "page-0002.json.gz",
        "page-0003.json.gz",
    ]
    assert [e["kind"] for e in manifest["events"]] == ["error", "restart"]
    assert manifest["events"][0]["message"] == "Cursor specified but it is invalid"
    assert len(records_from_runs(source, tmp_path)) == 5


def test_second_expiry_stops_the_run(server: Any, tmp_path: Path) -> None:
    from search_fakes import FakeCrossref, items

    expired = recorded("crossref", "error_404_cursor_invalid")
    FakeCrossref(
        items("crossref_items.json"), failures={3: lambda r: expired, 5: lambda r: expired}
    ).install(server)
    source = {**SOURCE, "query": "UMKM", "filters": {}}
    with pytest.raises(SearchError, match="HTTP 404: Cursor specified but it is invalid"):
        search(
            source,
            raw_root=tmp_path,
            sleep=lambda s: None,
            page_size=2,
            client_options={"min_interval": 0.0},
        )


# --- a declared bound: ranked by relevance and cut (issue 16) ---------------------------------


def test_a_query_without_a_bound_is_refused_before_any_request(server: Any, tmp_path: Path) -> None:
    unbounded = {k: v for k, v in SOURCE.items() if k != "max_records"}
    with pytest.raises(ProtocolError, match=r"relevance-ranked OR of its words.*'max_records'"):
        search(unbounded, raw_root=tmp_path)
    assert server.log == []
    # filters alone select exactly: no bound is needed
    Crossref({**unbounded, "query": ""}).check()


def test_bounded_search_is_ranked_cut_and_reported(server: Any, tmp_path: Path) -> None:
    from search_fakes import Clock

    from review.protocol import Protocol
    from review.searchlog import search_log

    seq = Sequence(
        recorded("crossref", "works_query_widget_cursor_page1"),
        recorded("crossref", "works_query_widget_cursor_page2"),
        recorded("crossref", "works_query_widget_cursor_page3"),
    ).install(server, "/works")
    source = {**SOURCE, "max_records": 50}
    clock = Clock()
    result = search(
        source,
        raw_root=tmp_path,
        sleep=lambda s: None,
        clock=clock,
        page_size=20,
        client_options={"min_interval": 0.0},
    )
    assert result.stop_reason == "bound"
    assert result.records_retrieved == 50  # of 454 reported: 20 + 20 + the first 10 of 20
    assert len(seq.requests) == 3
    first = seq.requests[0].args
    assert (first["sort"], first["order"], first["rows"]) == ("score", "desc", "20")
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["bound"] == {
        "max_records": 50,
        "order": "relevance (sort=score, order=desc)",
    }
    last = manifest["pages"][-1]
    assert (last["records"], last["records_received"]) == (10, 20)
    records = records_from_runs(source, tmp_path)
    assert len(records) == 50
    assert records[-1].prov_position == 10
    protocol = Protocol(data={"sources": [source]}, path=tmp_path / "protocol.yaml", root=tmp_path)
    (row,) = search_log(protocol, tmp_path)
    assert row["status"] == (
        "complete, ranked by relevance (sort=score, order=desc) and cut at the first 50 of 454 "
        "records (declared bound)"
    )
    # the bound is the protocol's strategy, so an update can build on the run
    server.clear()
    Sequence(recorded("crossref", "works_query_zero_results")).install(server, "/works")
    update = search(
        source,
        raw_root=tmp_path,
        update=True,
        sleep=lambda s: None,
        clock=clock,
        client_options={"min_interval": 0.0},
    )
    assert json.loads((update.path / "manifest.json").read_text())["run_kind"] == "update"


def test_rows_at_the_api_maximum_and_rates_of_december_2025(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REVIEW_CONTACT_EMAIL", raising=False)
    big = Crossref({**SOURCE, "max_records": 5000})
    assert big.params()["rows"] == 1000  # Crossref refuses more ("... less than or equal to 1000")
    assert Crossref({**SOURCE, "max_records": 300}).params()["rows"] == 300
    # list queries: polite pool (a mailto) 3 a second, public pool 1 a second
    assert Crossref(SOURCE, email="team@example.org").client_settings()["min_interval"] >= 1 / 3
    assert Crossref(SOURCE).client_settings()["min_interval"] >= 1.0


def test_max_records_is_refused_for_a_search_walked_to_the_end() -> None:
    from review.sources.openalex import OpenAlex

    with pytest.raises(ProtocolError, match=r"'max_records' is for ranked searches"):
        OpenAlex({"id": "oa", "query": "x", "search_field": "all", "max_records": 10})

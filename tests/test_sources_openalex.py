"""OpenAlex connector: recorded responses replayed by a local server, and normalisation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from search_fakes import SHARED_API, Sequence, needs_shared, recorded
from werkzeug import Response

from review.errors import ProtocolError, SearchError
from review.http import BudgetExhausted
from review.searchruns import list_runs, records_from_runs, search
from review.sources.openalex import OpenAlex, abstract_from_inverted_index, filter_string

SOURCE = {
    "id": "openalex_en",
    "kind": "database",
    "database": "openalex",
    "query": "UMKM",
    "search_field": "all",
    "filters": {"from_publication_date": "2015-01-01"},
}


@pytest.fixture
def server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    needs_shared()
    monkeypatch.setenv("REVIEW_OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    return httpserver


def walk(tmp_path: Path, **kwargs: Any) -> Any:
    return search(
        SOURCE,
        raw_root=tmp_path,
        sleep=lambda s: None,
        client_options={"min_interval": 0.0},
        **kwargs,
    )


def test_recorded_cursor_walk_to_the_terminal_empty_page(server: Any, tmp_path: Path) -> None:
    seq = Sequence(
        recorded("openalex", "works_filter_ids_cursor_page1"),
        recorded("openalex", "works_filter_ids_cursor_page2_final_empty"),
    ).install(server, "/works")
    result = walk(tmp_path)
    assert seq.requests[0].args["cursor"] == "*"
    assert seq.requests[1].args["cursor"].startswith("IlsnLUluZmluaXR5")
    assert result.records_reported == 2
    assert result.records_retrieved == 2
    records = records_from_runs(SOURCE, tmp_path)
    by_id = {r.record_id: r for r in records}
    assert set(by_id) == {"openalex_en:W3046863325", "openalex_en:W3045921891"}
    rec = by_id["openalex_en:W3046863325"]
    assert rec.doi == "10.1145/3383583.3398584"
    assert rec.authors[0] == "Nishioka, Chifumi"
    assert rec.year == 2020
    assert rec.language == "en"
    assert rec.doc_type == "article"
    assert rec.pages == "503-504"
    assert rec.abstract.startswith("This paper analyzes trends of citation and altmetrics")
    assert rec.prov_position in (1, 2)
    manifest = json.loads((result.path / "manifest.json").read_text())
    body = (SHARED_API / "openalex" / "works_filter_ids_cursor_page1.json").read_bytes()
    assert manifest["pages"][0]["sha256"] == hashlib.sha256(body).hexdigest()


def test_recorded_400_shows_the_api_message(server: Any, tmp_path: Path) -> None:
    Sequence(recorded("openalex", "error_400_invalid_filter_field")).install(server, "/works")
    with pytest.raises(
        SearchError,
        match=r"HTTP 400: Invalid query parameters error\. - "
        r"DOESNTEXIST is not a valid field",
    ):
        walk(tmp_path)
    (run,) = list_runs(tmp_path, "openalex_en")
    assert run.manifest["complete"] is False
    assert run.manifest["errors"] == 1


def test_budget_429_after_a_recorded_page(server: Any, tmp_path: Path) -> None:
    # No real OpenAlex 429 was ever recorded: the budget response is synthetic (apis.md, 1).
    budget = Response(
        '{"error": "Rate limit exceeded", "message": "daily budget"}',
        status=429,
        headers={"X-RateLimit-Remaining-USD": "0"},
        content_type="application/json",
    )
    Sequence(recorded("openalex", "works_filter_ids_cursor_page1"), budget).install(
        server, "/works"
    )
    with pytest.raises(BudgetExhausted):
        walk(tmp_path)
    (run,) = list_runs(tmp_path, "openalex_en")
    assert run.manifest["stop_reason"] == "budget_exhausted"
    assert (run.path / "checkpoint.json").is_file()
    assert len(run.manifest["pages"]) == 1


def test_title_null_record_is_normalised() -> None:
    needs_shared()
    item = json.loads((SHARED_API / "openalex" / "work_W4234567890_title_null.json").read_text())
    rec = OpenAlex(SOURCE).normalise(item)
    assert rec.record_id == "openalex_en:W4234567890"
    assert rec.title == ""


def test_abstract_from_inverted_index() -> None:
    index = {"Digital": [0], "clinics": [1, 4], "help": [2], "and": [3]}
    assert abstract_from_inverted_index(index) == "Digital clinics help and clinics"
    assert abstract_from_inverted_index(None) == ""


def test_filter_string_and_update_filter() -> None:
    assert filter_string({"type": ["article", "review"], "is_oa": True}) == (
        "type:article|review,is_oa:true"
    )
    oa = OpenAlex(SOURCE, since="2026-11-01")
    assert oa.params()["filter"] == "from_publication_date:2015-01-01,from_created_date:2026-11-01"
    assert oa.params()["search"] == "UMKM"


def test_key_goes_in_api_key_param_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", "k-1")
    settings = OpenAlex(SOURCE).client_settings()
    assert settings["secret_params"] == {"api_key": "k-1"}
    assert "api_key" not in OpenAlex(SOURCE).params()


# --- where the query is matched, 403, and keyless updates (issue 16) ---------------------------


def test_title_and_abstract_search_is_sent_as_the_recorded_filter(
    server: Any, tmp_path: Path
) -> None:
    sidecar = json.loads(
        (
            SHARED_API
            / "openalex"
            / "works_title_and_abstract_search_boolean_cursor_page1_200results.http.json"
        ).read_text()
    )
    recorded_request = parse_qs(urlsplit(sidecar["request"]["uri"]).query)
    seq = Sequence(
        recorded("openalex", "works_title_and_abstract_search_boolean_cursor_page1_200results"),
        recorded("openalex", "works_filter_ids_cursor_page2_final_empty"),
    ).install(server, "/works")
    source = {
        **SOURCE,
        "query": "biodiversity AND finance",
        "search_field": "title_and_abstract",
        "filters": {"to_publication_date": "2010-01-01"},
    }
    result = search(
        source, raw_root=tmp_path, sleep=lambda s: None, client_options={"min_interval": 0.0}
    )
    sent = seq.requests[0].args
    assert sent["filter"] == recorded_request["filter"][0]  # what OpenAlex answered in 2026
    assert "search" not in sent  # search= would also match full texts
    assert result.records_reported == 429
    assert len(records_from_runs(source, tmp_path)) == 200
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert "title_and_abstract.search" in manifest["query_as_executed"]


def test_the_protocol_must_say_where_to_search(server: Any, tmp_path: Path) -> None:
    unsaid = {k: v for k, v in SOURCE.items() if k != "search_field"}
    with pytest.raises(ProtocolError, match=r"'search_field' \(all, title_and_abstract"):
        search(unsaid, raw_root=tmp_path)
    comma = {**SOURCE, "search_field": "title", "query": '"micro, small" AND UMKM'}
    with pytest.raises(ProtocolError, match=r"remove the comma at character 7"):
        search(comma, raw_root=tmp_path)
    assert server.log == []
    assert OpenAlex({**SOURCE, "search_field": "all"}).params()["search"] == "UMKM"


def test_403_is_rate_limiting_and_is_retried(server: Any, tmp_path: Path) -> None:
    # developers.openalex.org/api-reference/errors: "403 Forbidden: Rate limit exceeded; slow
    # down". No 403 body was recorded: this one is shaped like OpenAlex's other errors.
    slow_down = Response(
        '{"error": "Forbidden", "message": "Rate limit exceeded"}',
        status=403,
        content_type="application/json",
    )
    seq = Sequence(
        slow_down,
        recorded("openalex", "works_filter_ids_cursor_page1"),
        recorded("openalex", "works_filter_ids_cursor_page2_final_empty"),
    ).install(server, "/works")
    sleeps: list[float] = []
    result = search(
        SOURCE,
        raw_root=tmp_path,
        sleep=sleeps.append,
        client_options={"min_interval": 0.0, "jitter": lambda: 1.0},
    )
    assert result.complete
    assert result.records_retrieved == 2
    assert len(seq.requests) == 3
    assert sleeps == [1.0]
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert [(e["kind"], e["status"]) for e in manifest["events"]] == [("retry", 403)]


def test_keyless_update_stops_before_any_request(server: Any, tmp_path: Path) -> None:
    from search_fakes import Clock

    Sequence(
        recorded("openalex", "works_filter_ids_cursor_page1"),
        recorded("openalex", "works_filter_ids_cursor_page2_final_empty"),
    ).install(server, "/works")
    clock = Clock()
    walk(tmp_path, clock=clock)  # a full search works without a key (a small daily allowance)
    asked = len(server.log)
    with pytest.raises(SearchError, match=r"only with an API key .* OPENALEX_API_KEY"):
        walk(tmp_path, clock=clock, update=True)
    assert len(server.log) == asked
    assert len(list_runs(tmp_path, "openalex_en")) == 1  # no run folder for the refused update

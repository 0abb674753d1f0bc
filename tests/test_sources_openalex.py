"""OpenAlex connector: recorded responses replayed by a local server, and normalisation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import SHARED_API, Sequence, needs_shared, recorded
from werkzeug import Response

from review.errors import SearchError
from review.http import BudgetExhausted
from review.searchruns import list_runs, records_from_runs, search
from review.sources.openalex import OpenAlex, abstract_from_inverted_index, filter_string

SOURCE = {
    "id": "openalex_en",
    "kind": "database",
    "database": "openalex",
    "query": "UMKM",
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

"""Semantic Scholar bulk search: recorded token pages replayed by a local server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from search_fakes import Sequence, items, needs_shared, recorded, transcribed

from review.errors import SearchError
from review.searchruns import records_from_runs, search
from review.sources.semanticscholar import SemanticScholar

SOURCE = {
    "id": "semanticscholar",
    "kind": "database",
    "database": "semanticscholar",
    "query": "kubernetes",
    "filters": {"year": "2015-"},
}


@pytest.fixture
def server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    needs_shared()
    monkeypatch.setenv("REVIEW_SEMANTICSCHOLAR_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.delenv("S2_API_KEY", raising=False)
    return httpserver


def walk(tmp_path: Path) -> Any:
    return search(
        SOURCE, raw_root=tmp_path, sleep=lambda s: None, client_options={"min_interval": 0.0}
    )


def test_recorded_token_walk_to_null(server: Any, tmp_path: Path) -> None:
    seq = Sequence(
        recorded("semanticscholar", "bulk_search_kubernetes_page1_token"),
        recorded("semanticscholar", "bulk_search_kubernetes_page2_token"),
        recorded("semanticscholar", "bulk_search_kubernetes_page3_final_token_null"),
    ).install(server, "/paper/search/bulk")
    result = walk(tmp_path)
    assert result.records_retrieved == 2674
    assert result.records_reported == 2674
    assert "token" not in seq.requests[0].args
    assert seq.requests[1].args["token"].startswith("PCOKWVSKJJGM")
    assert seq.requests[0].args["year"] == "2015-"
    records = records_from_runs(SOURCE, tmp_path)
    assert len(records) == 2674
    assert records[0].record_id == "semanticscholar:0018ce3db8f9957b520d6b7e0cec84abfa230e1c"
    assert records[0].title == "Kubernetes Cluster for Automating Software Production Environment"


def test_recorded_400_and_transcribed_429(server: Any, tmp_path: Path) -> None:
    Sequence(
        transcribed(
            "semanticscholar", "error_429_TRANSCRIBED_from_issue_log.json", 429, "application/json"
        ),
        recorded("semanticscholar", "error_400_unsupported_fields"),
    ).install(server, "/paper/search/bulk")
    with pytest.raises(SearchError, match=r"HTTP 400: Unrecognized or unsupported fields"):
        walk(tmp_path)


def test_zero_results(server: Any, tmp_path: Path) -> None:
    Sequence(recorded("semanticscholar", "relevance_search_zero_results")).install(
        server, "/paper/search/bulk"
    )
    result = walk(tmp_path)
    assert result.complete
    assert result.records_retrieved == 0


def test_normalise_and_update(monkeypatch: pytest.MonkeyPatch) -> None:
    s2 = SemanticScholar(SOURCE, since="2026-11-01")
    assert s2.params()["publicationDateOrYear"] == "2026-11-01:"
    rec = s2.normalise(items("s2_papers.json")[4])
    assert rec.doi == "10.1234/s2.005"
    assert rec.authors == ["Rahayu, Siti"]
    assert rec.volume == "5"
    monkeypatch.setenv("S2_API_KEY", "k")
    assert s2.client_settings() == {"secret_headers": {"x-api-key": "k"}}

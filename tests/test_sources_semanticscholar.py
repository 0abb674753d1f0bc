"""Semantic Scholar bulk search: recorded token pages replayed by a local server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from search_fakes import Sequence, items, needs_shared, recorded, transcribed

from review.errors import ProtocolError, SearchError
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
    assert s2.update_filter() == "publicationDateOrYear=2026-11-01:"


# --- update parameters the endpoint accepts (issue 16) ----------------------------------------


def refuses_year_with_publication_date(pages: list[Any]) -> Any:
    """The bulk endpoint with the rule reported in its client libraries' issue threads: ``year``
    and ``publicationDateOrYear`` are not taken together (the error body was not recorded)."""
    from werkzeug import Response

    served: list[Any] = []

    def handler(request: Any) -> Any:
        served.append(request)
        if "year" in request.args and "publicationDateOrYear" in request.args:
            return Response(
                '{"error": "Cannot use year and publicationDateOrYear together"}',
                status=400,
                content_type="application/json",
            )
        return pages[min(len(served), len(pages)) - 1]

    handler.served = served  # type: ignore[attr-defined]
    return handler


def test_update_folds_the_year_limit_into_one_date_window(server: Any, tmp_path: Path) -> None:
    from search_fakes import Clock

    page = recorded("semanticscholar", "relevance_search_zero_results")
    handler = refuses_year_with_publication_date([page])
    server.expect_request("/paper/search/bulk").respond_with_handler(handler)
    clock = Clock()
    options = {"sleep": lambda s: None, "clock": clock, "client_options": {"min_interval": 0.0}}
    search(SOURCE, raw_root=tmp_path, **options)
    update = search(SOURCE, raw_root=tmp_path, update=True, **options)
    assert update.complete
    sent = handler.served[-1].args
    assert "year" not in sent
    assert sent["publicationDateOrYear"] == "2026-11-29:"  # later than the protocol's 2015-


def test_update_window_is_the_intersection_of_the_limits() -> None:
    def window(filters: dict[str, str], since: str) -> str:
        return SemanticScholar({**SOURCE, "filters": filters}, since=since).params()[
            "publicationDateOrYear"
        ]

    assert window({"year": "2015-2026"}, "2026-03-04") == "2026-03-04:2026-12-31"
    assert window({"year": "2027-"}, "2026-03-04") == "2027-01-01:"
    assert window({"publicationDateOrYear": "2020-06:2026-06"}, "2026-03-04") == (
        "2026-03-04:2026-06-30"
    )
    with pytest.raises(SearchError, match=r"limits end on 2020-12-31, before the last run"):
        window({"year": "-2020"}, "2026-03-04")
    with pytest.raises(ProtocolError, match=r"filter year='2015s': expected 2019, 2016-2020"):
        SemanticScholar({**SOURCE, "filters": {"year": "2015s"}}).check()

"""Zotero through pyzotero (httpx) against a local server: reading a library, exporting to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import SHARED_API, FakeZotero, items, needs_shared, status
from werkzeug import Request, Response

from review.errors import ProtocolError, SearchError
from review.searchruns import records_from_runs, search
from review.sources.zotero import Zotero, export_studies, zotero_item

SOURCE = {
    "id": "zotero_lib",
    "kind": "database",
    "database": "zotero",
    "library_type": "user",
    "library_id": "475425",
    "query": "",
    "filters": {},
}


@pytest.fixture
def server(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("REVIEW_ZOTERO_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    return httpserver


def walk(source: dict[str, Any], tmp_path: Path, **kwargs: Any) -> Any:
    return search(
        source,
        raw_root=tmp_path,
        sleep=kwargs.pop("sleep", lambda s: None),
        client_options={"min_interval": 0.0, "jitter": lambda: 0.0},
        **kwargs,
    )


def test_recorded_library_listing(server: Any, tmp_path: Path) -> None:
    needs_shared()
    body = (SHARED_API / "zotero" / "items_listing_user475425_20items.json").read_bytes()
    server.expect_request("/users/475425/items/top").respond_with_response(
        Response(
            body,
            headers={"Total-Results": "20", "Last-Modified-Version": "1234"},
            content_type="application/json",
        )
    )
    result = walk(SOURCE, tmp_path)
    assert result.records_retrieved == 20
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["library_version"] == 1234
    records = records_from_runs(SOURCE, tmp_path)
    assert len(records) == 20
    by_doi = {r.doi: r for r in records if r.doi}
    assert "10.1109/plasma.2002.1030588" in by_doi  # recorded as upper case
    assert all(r.record_id.startswith("zotero_lib:") for r in records)


def test_paging_by_start_and_link(server: Any, tmp_path: Path) -> None:
    fake = FakeZotero(items("zotero_items.json"), page_size=2).install(server)
    source = {**SOURCE, "library_id": "123"}
    result = walk(source, tmp_path, page_size=2)
    assert [r.args["start"] for r in fake.requests] == ["0", "2", "4"]
    assert result.records_retrieved == 5
    rec = records_from_runs(source, tmp_path)[1]
    assert rec.doi == "10.1234/z.002"  # a URL in the DOI field is normalised
    assert rec.authors == ["Rahayu, Siti"]  # editors are not authors
    assert rec.year == 2021
    assert rec.keywords == ["UMKM"]


def test_429_with_retry_after_waits_through_our_sleep(server: Any, tmp_path: Path) -> None:
    fake = FakeZotero(
        items("zotero_items.json"),
        page_size=5,
        failures={1: status(429, "Too many", {"Retry-After": "3"})},
    ).install(server)
    sleeps: list[float] = []
    result = walk({**SOURCE, "library_id": "123"}, tmp_path, page_size=5, sleep=sleeps.append)
    assert result.records_retrieved == 5
    assert len(fake.requests) == 2
    assert sleeps == [3.0]


def test_500_then_success(server: Any, tmp_path: Path) -> None:
    fake = FakeZotero(
        items("zotero_items.json"), page_size=5, failures={1: status(500, "boom")}
    ).install(server)
    result = walk({**SOURCE, "library_id": "123"}, tmp_path, page_size=5)
    assert result.records_retrieved == 5
    assert len(fake.requests) == 2


def test_403_is_reported_with_the_server_text(server: Any, tmp_path: Path) -> None:
    FakeZotero([], failures={1: status(403, "Forbidden")}).install(server)
    with pytest.raises(SearchError, match=r"zotero: .*HTTP 403: Forbidden \(check the API key"):
        walk({**SOURCE, "library_id": "123"}, tmp_path)


def test_library_id_is_required() -> None:
    with pytest.raises(ProtocolError, match="field 'library_id' is required"):
        Zotero({"id": "z", "kind": "database", "database": "zotero"})


def test_group_collection_path() -> None:
    z = Zotero({**SOURCE, "library_type": "group", "library_id": "9", "collection": "abcd1234"})
    assert z.path() == "/groups/9/collections/ABCD1234/items/top"


def test_export_included_studies_to_a_collection(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", "write-key")
    posted: list[Any] = []

    def collections(request: Request) -> Response:
        posted.append(("collections", json.loads(request.get_data()), dict(request.headers)))
        return Response(
            json.dumps(
                {
                    "successful": {"0": {"key": "COLL0001"}},
                    "success": {"0": "COLL0001"},
                    "failed": {},
                }
            ),
            content_type="application/json",
        )

    def create(request: Request) -> Response:
        payload = json.loads(request.get_data())
        posted.append(("items", payload, dict(request.headers)))
        ok = {str(i): {"key": f"ITEM{i:04d}"} for i in range(len(payload))}
        return Response(
            json.dumps({"successful": ok, "success": {}, "failed": {}}),
            content_type="application/json",
        )

    server.expect_request("/users/123/collections", method="POST").respond_with_handler(collections)
    server.expect_request("/users/123/items", method="POST").respond_with_handler(create)
    studies = [
        {
            "study_id": f"st-{i}",
            "title": f"Study {i}",
            "authors": "Rahayu, Siti; Budi",
            "year": "2021",
            "doi": "10.1/x",
            "venue": "J",
        }
        for i in range(60)
    ]
    result = export_studies(studies, library_id="123", collection_name="Included (review)")
    assert result == {"collection": "COLL0001", "created": 60, "failed": {}}
    kinds = [p[0] for p in posted]
    assert kinds == ["collections", "items", "items"]  # 50 per request
    assert posted[0][1] == [{"name": "Included (review)", "parentCollection": ""}]
    first_item = posted[1][1][0]
    assert first_item["collections"] == ["COLL0001"]
    assert first_item["creators"][0] == {
        "creatorType": "author",
        "lastName": "Rahayu",
        "firstName": "Siti",
    }
    assert first_item["extra"] == "review study id: st-0"
    assert posted[1][2]["Authorization"] == "Bearer write-key"


def test_export_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    with pytest.raises(SearchError, match="needs a key with write access in ZOTERO_API_KEY"):
        export_studies([], library_id="1", collection_name="x")


def test_zotero_item_single_name_creator() -> None:
    assert zotero_item({"authors": "World Bank"})["creators"] == [
        {"creatorType": "author", "name": "World Bank"}
    ]


# --- an update follows Zotero's sync protocol, deletions included (issue 16) --------------------


def test_update_applies_deletions_and_the_trash(server: Any, tmp_path: Path) -> None:
    from search_fakes import Clock

    data = items("zotero_items.json")  # ABCD0001..5 at versions 11..15
    FakeZotero(data, version=15, page_size=2).install(server)
    source = {**SOURCE, "library_id": "123"}
    clock = Clock()
    walk(source, tmp_path, clock=clock)
    assert len(records_from_runs(source, tmp_path)) == 5
    server.clear()
    # Since then: 0002 deleted for good, 0003 moved to the trash, 0001 edited.
    data = [d for d in data if d["key"] != "ABCD0002"]
    data[1]["version"] = data[1]["data"]["version"] = 17
    data[1]["data"]["deleted"] = 1
    data[0]["version"] = 18
    data[0]["data"]["title"] = "UMKM clinic (corrected)"
    fake = FakeZotero(data, version=18, deleted={"ABCD0002": 16}).install(server)
    update = walk(source, tmp_path, clock=clock, update=True)
    asked = [(r.path, r.args.get("since"), r.args.get("includeTrashed")) for r in fake.requests]
    assert asked == [
        ("/users/123/items/top", "15", "1"),
        ("/users/123/deleted", "15", None),
    ]
    manifest = json.loads((update.path / "manifest.json").read_text())
    assert manifest["records_retrieved"] == 1  # the edited item; the trashed one is a removal
    assert manifest["records_removed"] == 2
    assert [p.get("removed", 0) for p in manifest["pages"]] == [1, 1]
    records = {r.record_id: r for r in records_from_runs(source, tmp_path)}
    assert sorted(records) == ["zotero_lib:ABCD0001", "zotero_lib:ABCD0004", "zotero_lib:ABCD0005"]
    assert records["zotero_lib:ABCD0001"].title == "UMKM clinic (corrected)"
    assert records["zotero_lib:ABCD0001"].run_id == update.run_id


def test_backoff_header_is_waited_through_our_sleep(server: Any, tmp_path: Path) -> None:
    # zotero.org/support/dev/web_api/v3/basics: "Backoff: <seconds>" may come on any response.
    class Backoff(FakeZotero):
        def page(self, request: Request) -> Response:
            response = super().page(request)
            if len(self.requests) == 1:
                response.headers["Backoff"] = "5"
            return response

    Backoff(items("zotero_items.json"), page_size=2).install(server)
    sleeps: list[float] = []
    result = walk({**SOURCE, "library_id": "123"}, tmp_path, page_size=2, sleep=sleeps.append)
    assert result.records_retrieved == 5
    assert len(sleeps) == 1
    assert 4.9 < sleeps[0] <= 5.0


def test_key_and_api_version_headers(
    server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", "z-key")
    fake = FakeZotero(items("zotero_items.json"), page_size=5).install(server)
    walk({**SOURCE, "library_id": "123"}, tmp_path, page_size=5)
    headers = fake.requests[0].headers
    assert headers["Zotero-API-Key"] == "z-key"
    assert headers["Zotero-API-Version"] == "3"
    assert "z-key" not in fake.requests[0].url

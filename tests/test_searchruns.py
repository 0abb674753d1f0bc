"""Search runs end to end: the real connectors against loopback fakes of each API."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import (
    Clock,
    FakeCrossref,
    FakeDoaj,
    FakeOpenAlex,
    FakeS2,
    FakeZotero,
    dropped,
    items,
    json_response,
    status,
    truncated,
)

from review import searchruns
from review.errors import ProtocolError, SchemaError, SearchError
from review.http import BudgetExhausted
from review.searchruns import list_runs, records_from_runs, search

SOURCES: dict[str, dict[str, Any]] = {
    "openalex": {
        "id": "oa",
        "kind": "database",
        "database": "openalex",
        "query": "UMKM digital",
        "search_field": "all",
        "filters": {"from_publication_date": "2015-01-01"},
    },
    "crossref": {
        "id": "cr",
        "kind": "database",
        "database": "crossref",
        "query": "UMKM",
        "max_records": 100,
        "filters": {"type": "journal-article"},
    },
    "semanticscholar": {
        "id": "s2",
        "kind": "database",
        "database": "semanticscholar",
        "query": "UMKM + digital",
        "filters": {"year": "2015-"},
    },
    "doaj": {
        "id": "dj",
        "kind": "database",
        "database": "doaj",
        "query": "bibjson.title:UMKM",
        "filters": {},
    },
    "zotero": {
        "id": "zt",
        "kind": "database",
        "database": "zotero",
        "library_type": "user",
        "library_id": "123",
        "query": "",
        "filters": {},
    },
}
FAKES = {
    "openalex": (FakeOpenAlex, "openalex_works.json"),
    "crossref": (FakeCrossref, "crossref_items.json"),
    "semanticscholar": (FakeS2, "s2_papers.json"),
    "doaj": (FakeDoaj, "doaj_articles.json"),
    "zotero": (FakeZotero, "zotero_items.json"),
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, httpserver: Any) -> Any:
    base = httpserver.url_for("").rstrip("/")
    for db in FAKES:
        monkeypatch.setenv(f"REVIEW_{db.upper()}_BASE_URL", base)
    for key in (
        "OPENALEX_API_KEY",
        "S2_API_KEY",
        "ZOTERO_API_KEY",
        "CROSSREF_PLUS_TOKEN",
        "REVIEW_CONTACT_EMAIL",
    ):
        monkeypatch.delenv(key, raising=False)
    return httpserver


def run(db: str, tmp_path: Path, *, sleeps: list[float] | None = None, **kwargs: Any) -> Any:
    sleeps = sleeps if sleeps is not None else []
    options = {
        "page_size": 2,
        "sleep": sleeps.append,
        "clock": kwargs.pop("clock", Clock()),
        "client_options": {
            "min_interval": 0.0,
            "jitter": lambda: 0.0,
            **kwargs.pop("client_options", {}),
        },
    }
    return search(
        SOURCES[db], raw_root=tmp_path / "raw", email="team@example.org", **options, **kwargs
    )


def fake(db: str, httpserver: Any, **kwargs: Any) -> Any:
    cls, name = FAKES[db]
    return cls(items(name), **kwargs).install(httpserver)


def ids(records: list[Any]) -> list[str]:
    return [r.record_id for r in records]


@pytest.mark.parametrize("db", list(FAKES))
def test_walk_to_the_end_writes_a_complete_run(db: str, env: Any, tmp_path: Path) -> None:
    server = fake(db, env)
    result = run(db, tmp_path)
    assert result.complete
    assert result.records_retrieved == 5
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["stop_reason"] == "exhausted"
    assert manifest["records_reported"] == 5
    assert manifest["records_retrieved"] == 5
    assert manifest["database"] == db
    assert manifest["run_kind"] == "initial"
    assert manifest["previous_run_id"] is None
    assert manifest["client"]["name"] == "review"
    assert manifest["started_at"] <= manifest["finished_at"]
    assert not (result.path / "checkpoint.json").exists()
    # every page is stored exactly as the server sent it, and its sha256 is in the manifest
    # (DOAJ first asks for the query's total, to know whether it must be split)
    assert len(manifest["pages"]) + (db == "doaj") == len(server.requests)
    for page in manifest["pages"]:
        body = gzip.decompress((result.path / page["file"]).read_bytes())
        assert hashlib.sha256(body).hexdigest() == page["sha256"]
    records = records_from_runs(SOURCES[db], tmp_path / "raw")
    assert len(records) == 5
    assert all(r.record_id.startswith(SOURCES[db]["id"] + ":") for r in records)
    assert all(r.run_id == result.run_id and r.prov_position for r in records)
    assert {r.prov_sha256 for r in records} <= {p["sha256"] for p in manifest["pages"]}
    assert all(r.source_kind == "database" and r.database == db for r in records)


def test_run_id_and_layout(env: Any, tmp_path: Path) -> None:
    fake("openalex", env)
    result = run("openalex", tmp_path)
    assert result.run_id == "2026-11-29T071600Z"
    assert result.path == tmp_path / "raw" / "oa" / "2026-11-29T071600Z"
    assert sorted(p.name for p in result.path.iterdir()) == [
        "manifest.json",
        "page-0001.json.gz",
        "page-0002.json.gz",
        "page-0003.json.gz",
        "page-0004.json.gz",
    ]


def test_manifest_records_the_query_as_executed(env: Any, tmp_path: Path) -> None:
    fake("openalex", env)
    manifest = json.loads((run("openalex", tmp_path).path / "manifest.json").read_text())
    assert manifest["request"]["params"] == {
        "per_page": 2,
        "search": "UMKM digital",
        "filter": "from_publication_date:2015-01-01",
    }
    assert manifest["query_as_executed"].endswith(
        "/works?per_page=2&search=UMKM+digital&filter=from_publication_date%3A2015-01-01&cursor=%2A"
    )
    assert manifest["filters"] == {"from_publication_date": "2015-01-01"}
    assert "mailto:team@example.org" in manifest["client"]["user_agent"]


@pytest.mark.parametrize("db", ["openalex", "semanticscholar", "zotero", "crossref"])
def test_no_key_in_any_written_file(
    db: str, env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "SeCrEt-KeY-12345"
    for name in ("OPENALEX_API_KEY", "S2_API_KEY", "ZOTERO_API_KEY", "CROSSREF_PLUS_TOKEN"):
        monkeypatch.setenv(name, key)
    server = fake(db, env, failures={2: status(503, "busy")})
    result = run(db, tmp_path)
    sent = server.requests[0]
    assert key in sent.query_string.decode() + str(dict(sent.headers))  # the key was used...
    for path in result.path.rglob("*"):  # ...and never written
        data = path.read_bytes()
        text = gzip.decompress(data) if path.suffix == ".gz" else data
        assert key.encode() not in text, path
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["keys_used"]  # the variable's name is recorded, not its value
    assert manifest["retries"] == 1


def test_connection_dropped_mid_walk_is_retried(env: Any, tmp_path: Path) -> None:
    server = fake("openalex", env, failures={2: dropped})
    sleeps: list[float] = []
    result = run("openalex", tmp_path, sleeps=sleeps)
    assert result.records_retrieved == 5
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert [e["kind"] for e in manifest["events"]] == ["connection_error"]
    assert sleeps == [0.5]  # backoff base 1 s with the (injected) jitter at its minimum
    assert len(server.requests) == 5


def uninterrupted(db: str, httpserver: Any, tmp_path: Path) -> list[Any]:
    fake(db, httpserver)
    run(db, tmp_path / "clean")
    httpserver.clear()
    return records_from_runs(SOURCES[db], tmp_path / "clean" / "raw")


@pytest.mark.parametrize("db", list(FAKES))
def test_interrupted_run_resumes_with_exactly_the_same_records(
    db: str, env: Any, tmp_path: Path
) -> None:
    expected = uninterrupted(db, env, tmp_path)
    # the connection keeps dropping from the 3rd request on: retries run out, the run stops
    fake(db, env, failures={n: dropped for n in range(3, 20)})
    with pytest.raises(SearchError, match=r"connection failed 3 times.*rerun to resume"):
        run(db, tmp_path, client_options={"max_retries": 2})
    (first,) = list_runs(tmp_path / "raw", SOURCES[db]["id"])
    assert first.manifest["complete"] is False
    assert first.manifest["stop_reason"] == "error"
    assert (first.path / "checkpoint.json").is_file()
    assert records_from_runs(SOURCES[db], tmp_path / "raw") == []  # incomplete runs are not read
    env.clear()
    fake(db, env)
    result = run(db, tmp_path)
    assert result.resumed
    assert result.run_id == first.run_id
    got = records_from_runs(SOURCES[db], tmp_path / "raw")
    assert ids(got) == ids(expected)
    assert [r.title for r in got] == [r.title for r in expected]
    assert len(list_runs(tmp_path / "raw", SOURCES[db]["id"])) == 1


def test_kill_between_page_and_checkpoint_loses_and_duplicates_nothing(
    env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = uninterrupted("openalex", env, tmp_path)
    fake("openalex", env)
    real_save = searchruns.SearchRun._save
    calls = {"n": 0}

    def killed(self: Any, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # page 2 is on disk, its checkpoint is not
            raise KeyboardInterrupt
        real_save(self, *args)

    monkeypatch.setattr(searchruns.SearchRun, "_save", killed)
    with pytest.raises(KeyboardInterrupt):
        run("openalex", tmp_path)
    monkeypatch.setattr(searchruns.SearchRun, "_save", real_save)
    (open_run,) = list_runs(tmp_path / "raw", "oa")
    assert open_run.manifest["stop_reason"] == "interrupted"
    assert json.loads((open_run.path / "checkpoint.json").read_text())["page"] == 1
    result = run("openalex", tmp_path)
    assert result.resumed
    assert ids(records_from_runs(SOURCES["openalex"], tmp_path / "raw")) == ids(expected)


def test_truncated_json_stops_the_run_incomplete(env: Any, tmp_path: Path) -> None:
    fake("openalex", env, failures={2: truncated})
    with pytest.raises(SearchError, match=r"not valid JSON .*run is not complete"):
        run("openalex", tmp_path)
    (stopped,) = list_runs(tmp_path / "raw", "oa")
    assert stopped.manifest["complete"] is False
    assert [p["file"] for p in stopped.manifest["pages"]] == ["page-0001.json.gz"]
    assert not (stopped.path / "page-0002.json.gz").exists()
    assert "not valid JSON" in stopped.manifest["stop_message"]


def test_budget_exhausted_stops_without_sleeping_and_keeps_the_checkpoint(
    env: Any, tmp_path: Path
) -> None:
    budget = status(
        429,
        '{"error": "Rate limit exceeded"}',
        {
            "X-RateLimit-Remaining-USD": "0",
            "X-RateLimit-Reset": "52000",
            "Retry-After": "52000",
            "Content-Type": "application/json",
        },
    )
    fake("openalex", env, failures={2: budget})
    sleeps: list[float] = []
    with pytest.raises(BudgetExhausted, match=r"daily budget is spent.*Rate limit exceeded"):
        run("openalex", tmp_path, sleeps=sleeps)
    assert sleeps == []
    (stopped,) = list_runs(tmp_path / "raw", "oa")
    assert stopped.manifest["stop_reason"] == "budget_exhausted"
    assert json.loads((stopped.path / "checkpoint.json").read_text())["state"] == {"cursor": "c2"}


def test_update_asks_only_for_new_records(
    env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", "k")  # OpenAlex serves from_created_date to keys only
    server = fake("openalex", env)
    clock = Clock()
    first = run("openalex", tmp_path, clock=clock)
    update = run("openalex", tmp_path, clock=clock, update=True)
    assert update.run_id > first.run_id
    manifest = json.loads((update.path / "manifest.json").read_text())
    assert manifest["run_kind"] == "update"
    assert manifest["previous_run_id"] == first.run_id
    assert manifest["update_filter"] == "from_created_date:2026-11-29"
    last = server.requests[-1].args["filter"]
    assert last == "from_publication_date:2015-01-01,from_created_date:2026-11-29"
    assert (first.path / "manifest.json").is_file()  # the old run stays beside the new


@pytest.mark.parametrize(
    ("db", "param", "value"),
    [
        ("crossref", "filter", "type:journal-article,from-index-date:2026-11-29"),
        ("semanticscholar", "publicationDateOrYear", "2026-11-29:"),
        ("zotero", "since", "42"),
    ],
)
def test_update_filters(db: str, param: str, value: str, env: Any, tmp_path: Path) -> None:
    server = fake(db, env)
    clock = Clock()
    run(db, tmp_path, clock=clock)
    run(db, tmp_path, clock=clock, update=True)
    assert server.requests[-1].args[param] == value


def test_doaj_update_adds_a_created_date_range(env: Any, tmp_path: Path) -> None:
    server = fake("doaj", env)
    clock = Clock()
    run("doaj", tmp_path, clock=clock)
    run("doaj", tmp_path, clock=clock, update=True)
    # Both ends written out: DOAJ refuses a wildcard, so "[... TO *]" would be a 400.
    assert server.requests[-1].path.endswith(
        "/search/articles/(bibjson.title:UMKM) AND created_date:[2026-11-29 TO 9999-12-31]"
    )


def test_zotero_update_gets_only_changed_items(env: Any, tmp_path: Path) -> None:
    data = items("zotero_items.json")
    FakeZotero(data, version=13).install(env)
    clock = Clock()
    run("zotero", tmp_path, clock=clock)
    env.clear()
    data[0]["version"] = 20
    FakeZotero(data, version=20).install(env)
    update = run("zotero", tmp_path, clock=clock, update=True)
    assert update.records_retrieved == 3  # versions 14, 15 and the edited first item (20)
    manifest = json.loads((update.path / "manifest.json").read_text())
    assert manifest["library_version"] == 20


def test_max_records_stops_early_and_is_not_an_update_basis(env: Any, tmp_path: Path) -> None:
    fake("openalex", env)
    clock = Clock()
    capped = run("openalex", tmp_path, clock=clock, max_records=3)
    assert capped.stop_reason == "max_records"
    assert capped.records_retrieved == 4  # whole pages: 2 + 2
    again = run("openalex", tmp_path, clock=clock, update=True)
    manifest = json.loads((again.path / "manifest.json").read_text())
    assert manifest["run_kind"] == "initial"  # nothing exhaustive to update from


def test_complete_runs_are_immutable_and_latest_record_wins(env: Any, tmp_path: Path) -> None:
    data = items("openalex_works.json")
    FakeOpenAlex(data).install(env)
    clock = Clock()
    first = run("openalex", tmp_path, clock=clock)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    env.clear()
    data[0]["title"] = "Corrected title"
    FakeOpenAlex(data).install(env)
    second = run("openalex", tmp_path, clock=clock)
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before
    records = records_from_runs(SOURCES["openalex"], tmp_path / "raw")
    assert len(records) == 5
    assert records[0].title == "Corrected title"
    assert records[0].run_id == second.run_id


def test_tampered_page_is_refused(env: Any, tmp_path: Path) -> None:
    fake("openalex", env)
    result = run("openalex", tmp_path)
    page = result.path / "page-0001.json.gz"
    page.write_bytes(gzip.compress(b'{"meta": {}, "results": []}'))
    with pytest.raises(SchemaError, match=r"page-0001.json.gz: sha256 .* differs"):
        records_from_runs(SOURCES["openalex"], tmp_path / "raw")


def test_resume_refuses_a_changed_query(env: Any, tmp_path: Path) -> None:
    fake("openalex", env, failures={2: status(400, '{"error": "bad", "message": "no"}')})
    with pytest.raises(SearchError, match="HTTP 400"):
        run("openalex", tmp_path)
    changed = {**SOURCES["openalex"], "query": "something else"}
    with pytest.raises(SearchError, match="different request"):
        search(changed, raw_root=tmp_path / "raw")


def test_crossref_resume_restarts_the_scroll(env: Any, tmp_path: Path) -> None:
    server = fake("crossref", env, failures={n: dropped for n in range(3, 9)})
    with pytest.raises(SearchError):
        run("crossref", tmp_path, client_options={"max_retries": 1})
    env.clear()
    server = fake("crossref", env)
    result = run("crossref", tmp_path)
    assert server.requests[0].args["cursor"] == "*"
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert [p["file"] for p in manifest["pages"]] == [
        "page-0001.json.gz",
        "page-0002.json.gz",
        "page-0003.json.gz",
    ]
    assert "restart" in [e["kind"] for e in manifest["events"]]
    assert len(records_from_runs(SOURCES["crossref"], tmp_path / "raw")) == 5


def test_file_sources_are_not_searched(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="only database sources are searched"):
        search({"id": "web", "kind": "websites", "path": "x.csv"}, raw_root=tmp_path)


def test_zero_results(env: Any, tmp_path: Path) -> None:
    FakeOpenAlex([]).install(env)
    result = run("openalex", tmp_path)
    assert result.complete
    assert result.records_retrieved == 0
    assert result.records_reported == 0
    assert records_from_runs(SOURCES["openalex"], tmp_path / "raw") == []


def test_progress_lines_without_a_terminal(env: Any, tmp_path: Path) -> None:
    import io

    fake("openalex", env)
    stream = io.StringIO()
    run("openalex", tmp_path, progress_stream=stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "oa (openalex): page 1: 2 of 5 records"
    assert lines[-1] == "oa (openalex): page 4: 5 of 5 records"


def test_json_response_helper_is_json() -> None:
    assert json_response({"a": 1}).get_json() == {"a": 1}


def test_crossref_polite_pool_gets_the_protocol_contact(env: Any, tmp_path: Path) -> None:
    server = fake("crossref", env)
    run("crossref", tmp_path)
    assert server.requests[0].args["mailto"] == "team@example.org"
    assert "mailto:team@example.org" in server.requests[0].headers["User-Agent"]


# --- issue 20, item 8: a walk that would never end; a resumed run's manifest ------------------


class RepeatingOpenAlex(FakeOpenAlex):
    """Sends the same next_cursor for ever (it gives up after 12 pages so a bug cannot hang)."""

    def page(self, request: Any) -> Any:
        last = len(self.requests) > 12
        return json_response(
            {
                "meta": {"count": len(self.data), "next_cursor": None if last else "SAME"},
                "results": [] if last else self.data[:2],
            }
        )


class AlternatingS2(FakeS2):
    """Tokens A, B, A, B ... (gives up after 12 pages)."""

    def page(self, request: Any) -> Any:
        n = len(self.requests)
        token = None if n > 12 else ("A" if n % 2 else "B")
        return json_response({"total": 99, "token": token, "data": self.data[:2]})


class EndlessScroll(FakeCrossref):
    """A scroll that never serves a short page (gives up after 12 pages)."""

    def page(self, request: Any) -> Any:
        n = len(self.requests)
        rows = int(request.args.get("rows", self.page_size))
        message = {
            "next-cursor": "SCROLL1",
            "total-results": len(self.data),
            "items-per-page": rows,
            "items": [] if n > 12 else self.data[:rows],
        }
        return json_response({"status": "ok", "message-type": "work-list", "message": message})


@pytest.mark.parametrize(
    ("db", "cls", "what"),
    [
        ("openalex", RepeatingOpenAlex, r"paging state already sent"),
        ("semanticscholar", AlternatingS2, r"paging state already sent"),
        ("crossref", EndlessScroll, r"more than the 5 the API reports"),
    ],
)
def test_endless_paging_stops_the_run_as_failed(
    db: str, cls: Any, what: str, env: Any, tmp_path: Path
) -> None:
    cls(items(FAKES[db][1])).install(env)
    with pytest.raises(SearchError, match=what + r".*stopped as failed"):
        run(db, tmp_path)
    (stopped,) = list_runs(tmp_path / "raw", SOURCES[db]["id"])
    assert stopped.manifest["complete"] is False
    assert stopped.manifest["stop_reason"] == "error"
    assert "stopped as failed" in stopped.manifest["stop_message"]
    # nothing past the first sign of the loop was stored or counted
    reported = stopped.manifest["records_reported"]
    assert stopped.manifest["records_retrieved"] <= max(reported, 4)
    assert records_from_runs(SOURCES[db], tmp_path / "raw") == []


def test_resumed_run_refreshes_its_stop_message_and_error_count(env: Any, tmp_path: Path) -> None:
    fake("openalex", env, failures={n: status(500, "down") for n in range(2, 10)})
    with pytest.raises(SearchError, match=r"HTTP 500 after 3 attempts"):
        run("openalex", tmp_path, client_options={"max_retries": 2})
    env.clear()
    fake("openalex", env)
    result = run("openalex", tmp_path)
    assert result.resumed
    assert result.complete
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["stop_reason"] == "exhausted"
    assert "stop_message" not in manifest  # the old "HTTP 500 ..." no longer describes the run
    assert manifest["errors"] == 0
    assert manifest["retries"] == 0
    # the failed attempt is history, kept whole
    (attempt,) = manifest["attempts"]
    assert attempt["stop_reason"] == "error"
    assert "HTTP 500 after 3 attempts" in attempt["stop_message"]
    assert attempt["retries"] == 2
    assert [e["status"] for e in attempt["events"] if e["kind"] == "retry"] == [500, 500]


# --- issue 20, item 9: a body that echoes the key is not stored with it -----------------------


class EchoingOpenAlex(FakeOpenAlex):
    """Echoes the request URL in ``meta`` (as some APIs and proxies do)."""

    def page(self, request: Any) -> Any:
        body = json.loads(super().page(request).get_data())
        body["meta"]["request"] = request.url
        return json_response(body)


def test_stored_pages_never_hold_the_key(
    env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import quote_plus

    key = "k3y+/=s3cr3t"
    monkeypatch.setenv("OPENALEX_API_KEY", key)
    EchoingOpenAlex(items("openalex_works.json")).install(env)
    result = run("openalex", tmp_path)
    forms = [key, quote_plus(key), quote_plus(key).lower()]
    for path in result.path.iterdir():
        data = path.read_bytes()
        text = gzip.decompress(data) if path.suffix == ".gz" else data
        assert not any(form.encode() in text for form in forms), path
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert all(page["redacted"] == 1 for page in manifest["pages"])
    # the stored (scrubbed) bytes still match their sha256 and still read back
    assert len(records_from_runs(SOURCES["openalex"], tmp_path / "raw")) == 5

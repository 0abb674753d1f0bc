"""Loopback stand-ins for the bibliographic APIs, for the search tests.

Two kinds: :func:`serve_recorded` replays a real recorded response from ``../shared/fixtures/api``
(body + ``.http.json`` sidecar) on a pytest-httpserver; the ``Fake*`` classes page through the
small item lists in ``tests/fixtures/search/`` the way each API pages (cursor, scroll, token,
page number, start/Link), and can be told to fail on chosen requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from werkzeug import Request, Response

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "search"
SHARED_API = HERE.parents[1] / "shared" / "fixtures" / "api"
DROP = {"content-encoding", "content-length", "transfer-encoding", "connection", "status"}

Failure = Callable[[Request], Response]


def items(name: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(api: str, name: str) -> Response:
    """The recorded response ``name`` of ``api`` (headers minus encoding/length)."""
    sidecar = json.loads((SHARED_API / api / f"{name}.http.json").read_text(encoding="utf-8"))
    body = (SHARED_API / api / sidecar["body_file"]).read_bytes()
    resp = sidecar["response"]
    headers = {k: v for k, v in resp["headers"].items() if k.lower() not in DROP}
    return Response(body, status=resp["status"], headers=headers)


def recorded_body(api: str, name: str) -> bytes:
    return (SHARED_API / api / name).read_bytes()


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(obj), status=status, headers=headers or {}, content_type="application/json"
    )


def dropped(request: Request) -> Response:
    """A response that promises more bytes than it sends: the connection drops mid-body."""
    # A streamed body keeps the declared length; the server closes after 13 of 5000 bytes.
    return Response(iter([b'{"results": [']), status=200, headers={"Content-Length": "5000"})


def truncated(request: Request) -> Response:
    return Response(
        b'{"meta": {"count": 5}, "results": [{"id": "W', status=200, content_type="application/json"
    )


def status(code: int, body: str = "", headers: dict[str, str] | None = None) -> Failure:
    def respond(request: Request) -> Response:
        return Response(body, status=code, headers=headers or {})

    return respond


class Fake:
    """Base: counts requests, applies failures keyed by request number (1-based)."""

    path = "/"

    def __init__(
        self,
        data: list[dict[str, Any]],
        *,
        page_size: int = 2,
        failures: dict[int, Failure] | None = None,
    ) -> None:
        self.data = data
        self.page_size = page_size
        self.failures = dict(failures or {})
        self.requests: list[Request] = []

    def install(self, httpserver: Any, prefix: str = "") -> Fake:
        """Answer every request under ``prefix + path`` (a prefix keeps two APIs apart)."""
        pattern = re.compile("^" + re.escape(prefix + self.path) + ".*")
        httpserver.expect_request(pattern).respond_with_handler(self)
        return self

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        failure = self.failures.get(len(self.requests))
        if failure is not None:
            return failure(request)
        return self.page(request)

    def page(self, request: Request) -> Response:
        raise NotImplementedError


class FakeOpenAlex(Fake):
    path = "/works"

    def page(self, request: Request) -> Response:
        cursor = request.args.get("cursor", "*")
        per = int(request.args.get("per_page", self.page_size))
        start = 0 if cursor == "*" else int(cursor.removeprefix("c"))
        chunk = self.data[start : start + per]
        nxt = f"c{start + per}" if start < len(self.data) else None
        return json_response(
            {
                "meta": {
                    "count": len(self.data),
                    "page": None,
                    "per_page": per,
                    "next_cursor": nxt,
                },
                "results": chunk,
            }
        )


class FakeCrossref(Fake):
    """A scroll: ``*`` opens one; the same id comes back and each call moves it on."""

    path = "/works"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scrolls: dict[str, int] = {}

    def page(self, request: Request) -> Response:
        cursor = request.args.get("cursor", "*")
        rows = int(request.args.get("rows", self.page_size))
        if cursor == "*":
            cursor = f"SCROLL{len(self.scrolls) + 1}"
            self.scrolls[cursor] = 0
        if cursor not in self.scrolls:
            return json_response(
                {"status": "failed", "message": [{"message": "cursor-invalid"}]}, status=404
            )
        start = self.scrolls[cursor]
        self.scrolls[cursor] = start + rows
        chunk = self.data[start : start + rows]
        return json_response(
            {
                "status": "ok",
                "message-type": "work-list",
                "message": {
                    "next-cursor": cursor,
                    "total-results": len(self.data),
                    "items-per-page": rows,
                    "items": chunk,
                },
            }
        )


class FakeS2(Fake):
    path = "/paper/search/bulk"

    def page(self, request: Request) -> Response:
        token = request.args.get("token")
        start = int(token.removeprefix("t")) if token else 0
        chunk = self.data[start : start + self.page_size]
        end = start + self.page_size
        return json_response(
            {
                "total": len(self.data),
                "token": f"t{end}" if end < len(self.data) else None,
                "data": chunk,
            }
        )


#: The message DOAJ's server sends for a page past its cap (``Messages.PREVENT_DEEP_PAGING_IN_API``
#: in DOAJ/doaj ``portality/ui/messages.py``; URLs shortened). No recorded DOAJ error exists.
DOAJ_DEEP_PAGING = (
    "You cannot access results beyond {cap} records via this API.\n    If you would like to see "
    "more results, you can download all of our data from\n    https://doaj.org/docs/public-data-dump/"
)
DOAJ_RANGE = re.compile(r"created_date:\[(\S+) TO (\S+)\]")


def doaj_allowed(query: str) -> bool:
    """DOAJ's ``allowed()`` (portality/api/current/discovery.py): no wildcard, no fuzzy ``~``."""
    return not (
        re.search(r"(.+[^\\][\?\*]+.*)", query)
        or re.search(r"(.+[^\\]~[0-9]{0,1}[\.]{0,1}[0-9]{0,1})", query)
    )


class FakeDoaj(Fake):
    """DOAJ's article search as its server code behaves (DOAJ/doaj, ``DiscoveryApi``).

    Every item matches the query's words (the fake does not search text), but a
    ``created_date:[A TO B]`` clause filters by the item's ``created_date`` (both ends
    inclusive, whole days, as Elasticsearch reads a date-only range). A query with a wildcard is
    refused; a page that starts at or past ``cap`` is refused with DOAJ's message even though
    the previous page carried ``next``.
    """

    path = "/search/articles/"

    def __init__(self, *args: Any, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    def error(self, message: str) -> Response:
        return json_response({"status": "error", "error": message}, status=400)

    def page(self, request: Request) -> Response:
        query = unquote(request.path.split("/search/articles/", 1)[1])
        if not doaj_allowed(query):
            return self.error("Query contains disallowed Lucene features")
        page = int(request.args.get("page", 1))
        size = int(request.args.get("pageSize", 10))
        size = 100 if size > 100 else 10 if size < 1 else size
        start = (page - 1) * size
        if start >= self.cap:
            return self.error(DOAJ_DEEP_PAGING.format(cap=self.cap))
        found = [d for d in self.data if self.matches(query, d)]
        body: dict[str, Any] = {
            "total": len(found),
            "page": page,
            "pageSize": size,
            "query": query,
            "results": found[start : start + size],
        }
        last = max(1, -(-len(found) // size))
        if page < last:
            body["next"] = f"https://doaj.org/api/search/articles/x?page={page + 1}"
        return json_response(body)

    @staticmethod
    def matches(query: str, item: dict[str, Any]) -> bool:
        day = str(item.get("created_date", ""))[:10]
        return all(lo <= day <= hi for lo, hi in DOAJ_RANGE.findall(query))


class FakeZotero(Fake):
    """A Zotero library: ``/items/top`` by start/limit and ``Link``, ``since``, the trash,
    and ``/deleted?since=`` (zotero.org/support/dev/web_api/v3/syncing)."""

    path = "/users/123/"

    def __init__(
        self,
        *args: Any,
        version: int = 42,
        deleted: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.deleted = dict(deleted or {})  # key -> library version at which it was deleted

    def page(self, request: Request) -> Response:
        headers = {"Last-Modified-Version": str(self.version)}
        since = request.args.get("since")
        if request.path.endswith("/deleted"):
            if since is None:
                return Response("'since' must be provided", status=400)
            gone = [k for k, v in self.deleted.items() if v > int(since)]
            body = {"collections": [], "searches": [], "items": gone, "tags": [], "settings": []}
            return json_response(body, headers=headers)
        start = int(request.args.get("start", 0))
        limit = int(request.args.get("limit", self.page_size))
        trash = request.args.get("includeTrashed") == "1"
        data = [
            d
            for d in self.data
            if (since is None or d["version"] > int(since))
            and (trash or not d.get("data", {}).get("deleted"))
        ]
        headers["Total-Results"] = str(len(data))
        if start + limit < len(data):
            here = request.host_url.rstrip("/") + request.path
            nxt = f"{here}?limit={limit}&start={start + limit}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return json_response(data[start : start + limit], headers=headers)


def transcribed(api: str, name: str, status: int, content_type: str) -> Response:
    """A body copied from an issue (headers unknown): served with the given status and type."""
    return Response(recorded_body(api, name), status=status, content_type=content_type)


def needs_shared() -> None:
    import pytest

    if not SHARED_API.is_dir():
        pytest.skip("../shared is not beside the project")


class Sequence:
    """Serve recorded responses in order (the last one repeats); remember the requests."""

    def __init__(self, *responses: Response) -> None:
        self.responses = list(responses)
        self.requests: list[Request] = []

    def install(self, httpserver: Any, path: str) -> Sequence:
        httpserver.expect_request(path).respond_with_handler(self)
        return self

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        return self.responses[min(len(self.requests), len(self.responses)) - 1]


class Clock:
    """Each call is one minute later, so run ids differ and no test waits."""

    def __init__(self) -> None:
        import datetime as dt

        self.t = dt.datetime(2026, 11, 29, 7, 15, tzinfo=dt.UTC)

    def __call__(self) -> Any:
        import datetime as dt

        self.t += dt.timedelta(minutes=1)
        return self.t

"""Crossref REST API works search (``/works``), walked with a deep-paging cursor.

Crossref has no boolean syntax: the protocol's ``query`` goes to ``query.bibliographic`` (a
relevance-ranked bag of words) and precision comes from screening. ``filters`` become
``filter=name:value,...`` (a list value repeats the name, which Crossref reads as OR). An
update run adds ``from-index-date``, which changes whenever a record is (re)indexed.

The cursor is a server-side *scroll*: the same string comes back on every page and each call
returns the next page, so it cannot be replayed. The walk ends on a page shorter than ``rows``;
a resumed run restarts the scroll from ``*`` (see :mod:`review.searchruns`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from review.errors import SearchError
from review.http import HTTPStatusError, Response, api_key, contact_email
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, join_name


def filter_string(filters: dict[str, Any]) -> str:
    parts = []
    for name, value in filters.items():
        values = value if isinstance(value, list | tuple) else [value]
        parts.extend(f"{name}:{str(v).lower() if isinstance(v, bool) else v}" for v in values)
    return ",".join(parts)


def first_year(item: dict[str, Any]) -> int | None:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = (item.get(key) or {}).get("date-parts") or [[None]]
        year = parts[0][0] if parts and parts[0] else None
        if isinstance(year, int):
            return year
    return None


class Crossref(Connector):
    database: ClassVar[str] = "crossref"
    platform: ClassVar[str] = "Crossref REST API (api.crossref.org), /works"
    api_version: ClassVar[str] = "Crossref REST API v1"
    default_base: ClassVar[str] = "https://api.crossref.org"
    min_interval: ClassVar[float] = 0.2  # polite pool: 10 req/s, concurrency 3; stay below
    key_env: ClassVar[str] = "CROSSREF_PLUS_TOKEN"
    replayable: ClassVar[bool] = False
    default_page_size: ClassVar[int] = 100
    update_method: ClassVar[str] = "from-index-date filter (records indexed since the last run)"

    def endpoint(self) -> str:
        return f"{self.base}/works"

    def all_filters(self) -> dict[str, Any]:
        filters = dict(self.filters)
        if self.since:
            filters["from-index-date"] = self.since
        return filters

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"rows": self.page_size}
        if self.query:
            params["query.bibliographic"] = self.query
        filters = filter_string(self.all_filters())
        if filters:
            params["filter"] = filters
        email = contact_email(self.email)
        if email:
            params["mailto"] = email  # Crossref's "polite pool"
        return params

    def update_filter(self) -> str:
        return f"from-index-date:{self.since}" if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"cursor": "*"}

    def client_settings(self) -> dict[str, Any]:
        token = api_key(self.key_env)
        headers = {"Crossref-Plus-API-Token": f"Bearer {token}"} if token else {}
        return {"secret_headers": headers}

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        message = data.get("message") if isinstance(data, dict) else None
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            raise SearchError(f"{response.url}: expected a JSON object with 'message.items'")
        cursor = message.get("next-cursor")
        rows = as_int(message.get("items-per-page")) or self.page_size
        done = not cursor or len(items) < rows
        return Page(
            items, as_int(message.get("total-results")), None if done else {"cursor": cursor}
        )

    def restart_on(self, error: HTTPStatusError) -> bool:
        # Scrolls expire when unused for a few minutes: 404 "cursor-invalid" (apis.md, 2).
        return error.status == 404 and b"cursor-invalid" in error.body

    def native_id(self, item: dict[str, Any]) -> str:
        return str(item.get("DOI") or "").lower()

    def normalise(self, item: dict[str, Any]) -> Record:
        titles = [t for t in item.get("title") or [] if t]
        subtitles = [t for t in item.get("subtitle") or [] if t]
        title = titles[0] if titles else ""
        if subtitles and subtitles[0].lower() not in title.lower():
            title = f"{title}: {subtitles[0]}" if title else subtitles[0]
        authors = [
            join_name(a.get("family"), a.get("given")) or str(a.get("name") or "")
            for a in item.get("author") or []
        ]
        venues = [v for v in item.get("container-title") or [] if v]
        return self.record(
            self.native_id(item),
            title=title,
            title_alt="; ".join(titles[1:]),
            abstract=item.get("abstract") or "",
            authors=[a for a in authors if a],
            year=first_year(item),
            venue=venues[0] if venues else "",
            volume=str(item.get("volume") or ""),
            issue=str(item.get("issue") or ""),
            pages=str(item.get("page") or ""),
            doi=item.get("DOI") or "",
            url=item.get("URL") or "",
            keywords=[str(s) for s in item.get("subject") or []],
            language=str(item.get("language") or ""),
            doc_type=str(item.get("type") or ""),
            found_at=str(item.get("URL") or ""),
        )

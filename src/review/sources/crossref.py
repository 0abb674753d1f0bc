"""Crossref REST API works search (``/works``), walked with a deep-paging cursor.

Crossref has no boolean syntax: the protocol's ``query`` goes to ``query.bibliographic``, a
relevance-ranked OR of its words, so walking it to the end fetches nearly every work that
contains any one of them. A source with a query must therefore declare a bound,
``max_records``: the run asks for ``sort=score&order=desc`` and keeps the first N records by
relevance, and the manifest and the search log say the search was ranked and cut there.
``filters`` become ``filter=name:value,...`` (a list value repeats the name, which Crossref reads
as OR). An update run adds ``from-index-date``, which changes whenever a record is (re)indexed.

Pages ask for ``rows=1000``, the API's maximum (fewer when the bound is smaller). Since
1 December 2025 list queries are limited to 3 requests a second in the polite pool (a
``mailto``) and 1 a second in the public pool, one at a time (crossref.org blog, "Announcing
changes to REST API rate limits"); the pause between requests keeps under that.

The cursor is a server-side *scroll*: the same string comes back on every page and each call
returns the next page, so it cannot be replayed. The walk ends on a page shorter than ``rows``;
a resumed run restarts the scroll from ``*`` (see :mod:`review.searchruns`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from review.errors import ProtocolError, SearchError
from review.http import HTTPStatusError, Response, api_key, contact_email
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, join_name


def filter_string(filters: dict[str, Any]) -> str:
    parts: list[str] = []
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
    min_interval: ClassVar[float] = 1.1  # public pool: 1 list request a second (Dec 2025)
    polite_interval: ClassVar[float] = 0.35  # polite pool (mailto): 3 a second
    key_env: ClassVar[str] = "CROSSREF_PLUS_TOKEN"
    replayable: ClassVar[bool] = False
    default_page_size: ClassVar[int] = 1000  # the API's maximum rows
    update_method: ClassVar[str] = "from-index-date filter (records indexed since the last run)"
    bounded: ClassVar[bool] = True
    bound_order: ClassVar[str] = "relevance (sort=score, order=desc)"

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        if self.max_records is not None:
            self.page_size = min(self.page_size, self.max_records)

    def check(self) -> None:
        if self.query and self.max_records is None:
            raise ProtocolError(
                f"source {self.source_id!r}: a Crossref query is a relevance-ranked OR of its "
                "words, so walking it to the end fetches nearly every work with any one of "
                "them; declare how many top-ranked records to keep with 'max_records' (it is "
                "reported in the search log), or search by filters only"
            )

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
        if self.max_records is not None:
            params.update(sort="score", order="desc")
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
        polite = bool(contact_email(self.email))
        return {
            "secret_headers": headers,
            "min_interval": self.polite_interval if polite else self.min_interval,
        }

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        message = data.get("message") if isinstance(data, dict) else None
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(message, dict) or not isinstance(items, list):
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

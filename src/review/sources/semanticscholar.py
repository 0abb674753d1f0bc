"""Semantic Scholar Academic Graph bulk search (``/paper/search/bulk``), walked by token.

Bulk search takes the boolean syntax (``+`` AND, ``|`` OR, ``-`` NOT, phrases, ``*`` prefix)
and returns up to 1000 papers a page with a ``token`` for the next; the last page has
``"token": null``. ``filters`` are sent as parameters (``year``, ``publicationTypes``,
``fieldsOfStudy`` ...). There is no created/indexed-date filter, so an update run asks for
``publicationDateOrYear=<date of the last run>:`` (publication date, which the log says).
The endpoint does not take ``year`` together with ``publicationDateOrYear``, so an update folds
the protocol's ``year`` (or its own ``publicationDateOrYear``) into that one window: the later
start and the earlier end of the two. The key (``S2_API_KEY``) goes in the ``x-api-key``
header; keys are limited to one request a second, and without one the shared pool 429s often,
so the client waits a second between requests either way. ``total`` is approximate on bulk
search, so a walk is not held to it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from review.errors import ProtocolError, SearchError
from review.http import Response, api_key
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, surname_first

DATE_FILTERS = ("year", "publicationDateOrYear")


def _day(text: str, *, end: bool) -> dt.date:
    """``2019``, ``2019-03`` or ``2019-03-05`` as the first (or last) day it covers."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
    if len(parts) == 2:
        if not end:
            return dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(*parts)


def date_window(name: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """The (first, last) day a ``year`` or ``publicationDateOrYear`` value allows.

    ``year``: ``2019``, ``2016-2020``, ``2010-``, ``-2015``. ``publicationDateOrYear``:
    ``<start>:<end>`` with ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and open ends, or one date.
    """
    value = str(value).strip()
    if name == "year":
        match = re.fullmatch(r"(\d{4})?(-)?(\d{4})?", value)
        if not match or not (match.group(1) or match.group(3)):
            raise ProtocolError(f"filter year={value!r}: expected 2019, 2016-2020, 2010- or -2015")
        first, dash, last = match.groups()
        last = last if dash else first
    else:
        date = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
        match = re.fullmatch(rf"({date})?(:)?({date})?", value)
        if not match or not (match.group(1) or match.group(3)):
            raise ProtocolError(
                f"filter publicationDateOrYear={value!r}: expected <start>:<end> with dates "
                "YYYY, YYYY-MM or YYYY-MM-DD (an end may be left open)"
            )
        first, colon, last = match.groups()
        last = last if colon else first
    return (
        _day(first, end=False) if first else None,
        _day(last, end=True) if last else None,
    )


FIELDS = (
    "paperId,corpusId,externalIds,title,abstract,year,publicationDate,venue,journal,"
    "authors,publicationTypes,fieldsOfStudy,url"
)


class SemanticScholar(Connector):
    database: ClassVar[str] = "semanticscholar"
    platform: ClassVar[str] = "Semantic Scholar Academic Graph API, /graph/v1/paper/search/bulk"
    api_version: ClassVar[str] = "Academic Graph API v1"
    default_base: ClassVar[str] = "https://api.semanticscholar.org/graph/v1"
    min_interval: ClassVar[float] = 1.0  # keys default to 1 request per second
    key_env: ClassVar[str] = "S2_API_KEY"
    total_is_exact: ClassVar[bool] = False  # bulk search's total is approximate
    default_page_size: ClassVar[int] = 1000  # fixed by the API; not a parameter
    update_method: ClassVar[str] = (
        "publicationDateOrYear=<last run date>: (no indexed-date filter exists)"
    )

    def endpoint(self) -> str:
        return f"{self.base}/paper/search/bulk"

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"query": self.query, "fields": FIELDS}
        params.update({k: str(v) for k, v in self.filters.items()})
        if self.since:
            for name in DATE_FILTERS:
                params.pop(name, None)
            params["publicationDateOrYear"] = self.update_window()
        return params

    def update_window(self) -> str:
        """The one date window of an update: since the last run, within the protocol's limits."""
        start: dt.date = dt.date.fromisoformat(str(self.since)[:10])
        end: dt.date | None = None
        for name in DATE_FILTERS:
            if name in self.filters:
                first, last = date_window(name, self.filters[name])
                start = max(start, first) if first else start
                end = min(end, last) if end and last else (end or last)
        if end is not None and end < start:
            raise SearchError(
                f"semanticscholar: source {self.source_id!r}: the protocol's date limits end on "
                f"{end}, before the last run ({self.since}): an update by publication date "
                "cannot find anything; run a full search (without --update) instead"
            )
        return f"{start.isoformat()}:{end.isoformat() if end else ''}"

    def update_filter(self) -> str:
        return f"publicationDateOrYear={self.update_window()}" if self.since else ""

    def check(self) -> None:
        for name in DATE_FILTERS:
            if name in self.filters:
                date_window(name, self.filters[name])  # a malformed limit stops here, clearly

    def first_state(self) -> dict[str, Any]:
        return {}

    def client_settings(self) -> dict[str, Any]:
        key = api_key(self.key_env)
        return {"secret_headers": {"x-api-key": key} if key else {}}

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        items = data.get("data") if isinstance(data, dict) else None
        if isinstance(data, dict) and items is None and as_int(data.get("total")) == 0:
            items = []  # a recorded zero-hit answer is {"total": 0, "offset": 0}: no "data" key
        if not isinstance(items, list):
            raise SearchError(f"{response.url}: expected a JSON object with a 'data' list")
        token = data.get("token")
        done = not token or not items
        return Page(items, as_int(data.get("total")), None if done else {"token": token})

    def native_id(self, item: dict[str, Any]) -> str:
        return str(item.get("paperId") or "")

    def normalise(self, item: dict[str, Any]) -> Record:
        ids = item.get("externalIds") or {}
        journal = item.get("journal") or {}
        types = item.get("publicationTypes") or []
        pid = self.native_id(item)
        return self.record(
            pid,
            title=item.get("title") or "",
            abstract=item.get("abstract") or "",
            authors=[surname_first(a.get("name")) for a in item.get("authors") or [] if a],
            year=as_int(item.get("year")),
            venue=item.get("venue") or journal.get("name") or "",
            volume=str(journal.get("volume") or "").strip(),
            pages=str(journal.get("pages") or "").strip(),
            doi=ids.get("DOI") or "",
            url=item.get("url") or (f"https://www.semanticscholar.org/paper/{pid}" if pid else ""),
            keywords=[str(f) for f in item.get("fieldsOfStudy") or []],
            doc_type="; ".join(str(t) for t in types),
            found_at=item.get("url") or "",
        )

"""Semantic Scholar Academic Graph bulk search (``/paper/search/bulk``), walked by token.

Bulk search takes the boolean syntax (``+`` AND, ``|`` OR, ``-`` NOT, phrases, ``*`` prefix)
and returns up to 1000 papers a page with a ``token`` for the next; the last page has
``"token": null``. ``filters`` are sent as parameters (``year``, ``publicationTypes``,
``fieldsOfStudy`` ...). There is no created/indexed-date filter, so an update run asks for
``publicationDateOrYear=<date of the last run>:`` (publication date, which the log says).
The key (``S2_API_KEY``) goes in the ``x-api-key`` header; without one the shared pool 429s
often, so the client waits a second between requests.
"""

from __future__ import annotations

from typing import Any, ClassVar

from review.errors import SearchError
from review.http import Response, api_key
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, surname_first

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
            params["publicationDateOrYear"] = f"{self.since}:"
        return params

    def update_filter(self) -> str:
        return f"publicationDateOrYear={self.since}:" if self.since else ""

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

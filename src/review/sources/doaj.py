"""DOAJ article search (``/api/search/articles/{query}``), walked by ``page``/``pageSize``.

The query is Elasticsearch query-string syntax with DOAJ's dotted field names
(``bibjson.title:``, ``bibjson.abstract:``, ``bibjson.keywords:``) and goes in the URL path.
``filters`` are extra URL parameters (``sort`` ...). A page that carries a ``next`` link is
followed by asking for the next page number on the same base URL (so a mirror or a test server
keeps serving the walk); no ``next``, or an empty page, ends it. An update run ANDs
``created_date:[<date of the last run> TO *]`` to the query. No key is needed.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from review.errors import SearchError
from review.http import Response
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, surname_first


class Doaj(Connector):
    database: ClassVar[str] = "doaj"
    platform: ClassVar[str] = "DOAJ public API (doaj.org/api), /search/articles"
    api_version: ClassVar[str] = "DOAJ API v4 (/api/ is the current version)"
    default_base: ClassVar[str] = "https://doaj.org/api"
    min_interval: ClassVar[float] = 0.5  # no published limit; clients report 429s above ~2/s
    default_page_size: ClassVar[int] = 100
    update_method: ClassVar[str] = "created_date:[<last run date> TO *] added to the query"

    def full_query(self) -> str:
        if not self.since:
            return self.query
        window = f"created_date:[{self.since} TO *]"
        return f"({self.query}) AND {window}" if self.query else window

    def endpoint(self) -> str:
        return f"{self.base}/search/articles/{quote(self.full_query(), safe='')}"

    def params(self) -> dict[str, Any]:
        return {"pageSize": self.page_size, **{k: str(v) for k, v in self.filters.items()}}

    def update_filter(self) -> str:
        return f"created_date:[{self.since} TO *]" if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"page": 1}

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise SearchError(f"{response.url}: expected a JSON object with a 'results' list")
        total = as_int(data.get("total"))
        done = not results or not data.get("next")
        return Page(results, total, None if done else {"page": int(state["page"]) + 1})

    def native_id(self, item: dict[str, Any]) -> str:
        return str(item.get("id") or "")

    def normalise(self, item: dict[str, Any]) -> Record:
        bib = item.get("bibjson") or {}
        journal = bib.get("journal") or {}
        doi = next(
            (i.get("id", "") for i in bib.get("identifier") or [] if i.get("type") == "doi"), ""
        )
        links = [link.get("url", "") for link in bib.get("link") or [] if link.get("url")]
        languages = [str(v).lower() for v in journal.get("language") or []]
        native = self.native_id(item)
        return self.record(
            native,
            title=bib.get("title") or "",
            abstract=bib.get("abstract") or "",
            authors=[surname_first(a.get("name")) for a in bib.get("author") or [] if a],
            year=as_int(bib.get("year")),
            venue=journal.get("title") or "",
            volume=str(journal.get("volume") or ""),
            issue=str(journal.get("number") or ""),
            pages="-".join(p for p in (bib.get("start_page"), bib.get("end_page")) if p),
            doi=doi,
            url=links[0] if links else "",
            keywords=[str(k) for k in bib.get("keywords") or []],
            # DOAJ gives the journal's languages, not the article's; one language is telling.
            language=languages[0] if len(languages) == 1 else "",
            doc_type="journal-article",
            found_at=f"https://doaj.org/article/{native}" if native else "",
        )

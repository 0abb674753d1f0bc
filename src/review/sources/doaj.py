"""DOAJ article search (``/api/search/articles/{query}``), walked by ``page``/``pageSize``.

The query is Elasticsearch query-string syntax with DOAJ's dotted field names
(``bibjson.title:``, ``bibjson.abstract:``, ``bibjson.keywords:``) and goes in the URL path.
``filters`` are extra URL parameters (``sort`` ...). A page that carries a ``next`` link is
followed by asking for the next page number on the same base URL (so a mirror or a test server
keeps serving the walk); no ``next``, or an empty page, ends it. No key is needed.

Two rules of DOAJ's server (``portality/api/current/discovery.py`` in DOAJ/doaj) shape the walk:

* **Only the first 1,000 records of a query can be paged to** (a page starting at record
  1,000 or later is refused with HTTP 400), yet every page still carries ``next``. So a query
  whose total exceeds the cap is split, before the first page, into ``created_date`` ranges
  that each hold at most :data:`SLICE_TARGET` records (halving a range until it fits), and the
  slices are walked one after the other. The slices' totals must add up to the query's total,
  or the split would lose records and the run stops. The manifest lists every slice.
* **A query may not contain a wildcard** (``*`` or ``?``), so a range is always written with
  both ends, and an open end is written :data:`OPEN_END`: an update run ANDs
  ``created_date:[<date of the last run> TO 9999-12-31]`` (``[... TO *]`` is refused).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from urllib.parse import quote

from review.errors import SearchError
from review.http import Response
from review.records import Record
from review.sources.api_base import Connector, Page, as_int, surname_first

#: DOAJ's ``DISCOVERY_MAX_RECORDS_SIZE``: no page may start at or beyond this record.
PAGING_CAP = 1000
#: A slice is planned to hold at most this many, leaving room for records added mid-walk.
SLICE_TARGET = 900
#: The earliest ``created_date`` a split looks at (DOAJ began in 2003); the totals check
#: catches any record outside the ranges.
EARLIEST = dt.date(2000, 1, 1)
#: "No upper end" without the wildcard DOAJ refuses; fixed, so a resumed run asks the same.
OPEN_END = "9999-12-31"


def window(start: dt.date | str, end: dt.date | str) -> str:
    return f"created_date:[{start} TO {end}]"


class Doaj(Connector):
    database: ClassVar[str] = "doaj"
    platform: ClassVar[str] = "DOAJ public API (doaj.org/api), /search/articles"
    api_version: ClassVar[str] = "DOAJ API v4 (/api/ is the current version)"
    default_base: ClassVar[str] = "https://doaj.org/api"
    min_interval: ClassVar[float] = 0.5  # no published limit; clients report 429s above ~2/s
    default_page_size: ClassVar[int] = 100  # DOAJ's DISCOVERY_MAX_PAGE_SIZE
    update_method: ClassVar[str] = (
        f"created_date:[<last run date> TO {OPEN_END}] added to the query"
    )
    # Each slice reports its own total: the run's total is checked when the split is planned.
    total_is_exact: ClassVar[bool] = False

    def base_query(self) -> str:
        """The protocol's query, ANDed with the update window on an update run."""
        if not self.since:
            return self.query
        return self.sliced(self.query, self.since, OPEN_END)

    @staticmethod
    def sliced(query: str, start: dt.date | str, end: dt.date | str) -> str:
        return f"({query}) AND {window(start, end)}" if query else window(start, end)

    def full_query(self, slice_: list[str] | None = None) -> str:
        if slice_ is None:
            return self.base_query()
        return self.sliced(self.query, slice_[0], slice_[1])

    def endpoint(self, slice_: list[str] | None = None) -> str:
        return f"{self.base}/search/articles/{quote(self.full_query(slice_), safe='')}"

    def params(self) -> dict[str, Any]:
        return {"pageSize": self.page_size, **{k: str(v) for k, v in self.filters.items()}}

    def update_filter(self) -> str:
        return window(self.since, OPEN_END) if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"page": 1}

    def state_params(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"page": state["page"]}

    def check(self) -> None:
        for char in "*?":
            if char in self.query.replace(f"\\{char}", ""):
                raise SearchError(
                    f"doaj: source {self.source_id!r}: the query contains {char!r}; DOAJ refuses "
                    "wildcards ('Query contains disallowed Lucene features'): write the words "
                    "out, or escape the character as \\" + char
                )

    # --- planning: split a query over the paging cap ----------------------------------------
    def count(self, slice_: list[str] | None) -> int:
        response = self.http.get(self.endpoint(slice_), {**self.params(), "pageSize": 1})
        data = response.json()
        total = as_int(data.get("total")) if isinstance(data, dict) else None
        if total is None:
            raise SearchError(f"{response.url}: expected a JSON object with a 'total' count")
        return total

    def plan(self) -> dict[str, Any] | None:
        total = self.count(None)
        if total <= SLICE_TARGET:
            return {"records_reported": total}
        start = dt.date.fromisoformat(self.since) if self.since else EARLIEST
        today = max(start, dt.datetime.now(dt.UTC).date())
        # Halve [start, today]; the last slice is left open so nothing added later is missed.
        pending = [(start, today)]
        slices: list[dict[str, Any]] = []
        while pending:
            lo, hi = pending.pop(0)
            end = OPEN_END if hi == today else hi.isoformat()
            n = self.count([lo.isoformat(), end])
            if n > SLICE_TARGET and lo < hi:
                mid = lo + (hi - lo) // 2
                pending[:0] = [(lo, mid), (mid + dt.timedelta(days=1), hi)]
                continue
            if n > PAGING_CAP:
                raise SearchError(
                    f"doaj: {n} records of this query were added to DOAJ on {lo} alone, more "
                    f"than the {PAGING_CAP} one query can page to; narrow the query (or use "
                    "DOAJ's data dump for this source)"
                )
            if n:
                slices.append({"from": lo.isoformat(), "to": end, "records_reported": n})
        covered = sum(s["records_reported"] for s in slices)
        if covered != total:
            raise SearchError(
                f"doaj: the query reports {total} records but its created_date slices from "
                f"{start} on hold {covered}: splitting it would lose records "
                f"(DOAJ pages only the first {PAGING_CAP}); narrow the query, or rerun (records "
                "may have been added while the split was planned)"
            )
        for s in slices:
            s["query"] = self.sliced(self.query, s["from"], s["to"])
        return {
            "state": {"slices": [[s["from"], s["to"]] for s in slices], "page": 1},
            "records_reported": total,
            "split": {
                "reason": f"DOAJ pages only the first {PAGING_CAP} records of a query",
                "field": "created_date",
                "slices": slices,
            },
        }

    # --- walking ------------------------------------------------------------------------------
    def fetch(self, state: dict[str, Any]) -> Response:
        slices = state.get("slices")
        current = slices[0] if slices else None
        if (int(state["page"]) - 1) * self.page_size >= PAGING_CAP:
            raise SearchError(
                f"doaj: page {state['page']} of {self.full_query(current)!r} starts past record "
                f"{PAGING_CAP}, which DOAJ refuses; the slice grew since the run was planned: "
                "delete this run's folder and search again to plan it afresh"
            )
        return self.http.get(self.endpoint(current), {**self.params(), **self.state_params(state)})

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise SearchError(f"{response.url}: expected a JSON object with a 'results' list")
        total = as_int(data.get("total"))
        done = not results or not data.get("next")
        slices = state.get("slices")
        if not done:
            nxt: dict[str, Any] | None = {**state, "page": int(state["page"]) + 1}
        elif slices and len(slices) > 1:
            nxt = {"slices": slices[1:], "page": 1}
        else:
            nxt = None
        return Page(results, total, nxt)

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

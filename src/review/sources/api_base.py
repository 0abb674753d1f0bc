"""What every database connector shares: the paging contract and small normalising helpers.

A connector knows one API: how to build its request from a protocol source, how to read one
page (its items, the total the database reports, and the state to ask for the next page), and
how to turn one item into a :class:`review.records.Record`. Walking, saving pages, checkpoints
and manifests are :mod:`review.searchruns`' job, the same for every API.

The paging *state* is a small JSON-able dict (``{"cursor": "*"}``, ``{"page": 3}``...), so a
checkpoint can store it and a resumed run can send it again. A connector may also :meth:`plan`
a run before its first page (DOAJ splits a query that exceeds its paging cap), :meth:`check`
that a run can be done at all (an OpenAlex update needs a key), and declare a bound on the
number of records taken (Crossref's relevance-ranked search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from review.errors import ProtocolError
from review.http import Client, HTTPStatusError, Response, base_url
from review.records import Record, clean_text, normalise_doi, parse_year


@dataclass
class Page:
    """One page read: its items, the database's total, and the next state (``None``: done).

    ``removed`` lists the native ids the database says are gone since the last run (Zotero's
    deletions and trashed items): a later run's removals take earlier records out.
    """

    items: list[dict[str, Any]]
    total: int | None
    next_state: dict[str, Any] | None
    removed: list[str] = field(default_factory=list)


class Connector:
    """Base class of the database connectors (one subclass per API)."""

    database: ClassVar[str] = ""
    platform: ClassVar[str] = ""
    api_version: ClassVar[str] = ""
    default_base: ClassVar[str] = ""
    min_interval: ClassVar[float] = 0.0
    key_env: ClassVar[str] = ""
    #: Can a checkpointed state be sent again to get the same page? (False for server scrolls.)
    replayable: ClassVar[bool] = True
    #: What the update filter means, for the search log (PRISMA-S item 12).
    update_method: ClassVar[str] = ""
    #: Is the reported total exact? Then more records than it means the paging is broken.
    total_is_exact: ClassVar[bool] = True
    #: May the protocol bound the number of records (``max_records``)? Only ranked searches.
    bounded: ClassVar[bool] = False
    #: How the records of a bounded search are ordered, for the search log.
    bound_order: ClassVar[str] = ""

    def __init__(
        self,
        source: dict[str, Any],
        *,
        since: str | None = None,
        page_size: int | None = None,
        client: Client | None = None,
        email: str = "",
    ) -> None:
        self.source = source
        self.source_id = str(source["id"])
        self.query = " ".join(str(source.get("query") or "").split())
        self.filters: dict[str, Any] = dict(source.get("filters") or {})
        self.since = since
        self.page_size = page_size or self.default_page_size
        self.base = base_url(self.database, self.default_base)
        self.client = client
        self.email = email  # the contact address, for APIs that take it as a parameter
        self.max_records = self._bound(source.get("max_records"))

    def _bound(self, value: Any) -> int | None:
        if value is None:
            return None
        if not self.bounded:
            raise ProtocolError(
                f"source {self.source_id!r}: 'max_records' is for ranked searches (Crossref); "
                f"a {self.database} search is walked to the end"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProtocolError(
                f"source {self.source_id!r}: 'max_records' must be a whole number of at least 1, "
                f"got {value!r}"
            )
        return value

    default_page_size: ClassVar[int] = 100

    # --- request -----------------------------------------------------------------------------
    def endpoint(self) -> str:
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The fixed, public parameters of every page request (never a key)."""
        raise NotImplementedError

    def first_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def state_params(self, state: dict[str, Any]) -> dict[str, Any]:
        return dict(state)

    def update_filter(self) -> str:
        """The filter an update run adds, as the log should show it ("" for an initial run)."""
        return ""

    def check(self) -> None:
        """Refuse, before any request, a run this API cannot do as configured."""

    def plan(self) -> dict[str, Any] | None:
        """Requests to make before the first page, and what they found (``None``: nothing).

        A plan returns ``{"state": <first state>, "records_reported": n, ...}``; every other
        key goes into the manifest as it is, so the log shows what was planned.
        """
        return None

    def bound(self) -> dict[str, Any] | None:
        """The declared bound, as the manifest and the search log report it."""
        if self.max_records is None:
            return None
        return {"max_records": self.max_records, "order": self.bound_order}

    def client_settings(self) -> dict[str, Any]:
        """Secret params/headers and checks this API needs (keys from the environment only)."""
        return {}

    # --- response ----------------------------------------------------------------------------
    @property
    def http(self) -> Client:
        """The shared HTTP client; set by the search run before any request."""
        if self.client is None:
            raise RuntimeError(f"{self.database} connector has no HTTP client yet")
        return self.client

    def fetch(self, state: dict[str, Any]) -> Response:
        return self.http.get(self.endpoint(), {**self.params(), **self.state_params(state)})

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        raise NotImplementedError

    def restart_on(self, error: HTTPStatusError) -> bool:
        """Does this refusal mean "walk again from the first page" (an expired scroll)?"""
        return False

    def normalise(self, item: dict[str, Any]) -> Record:
        raise NotImplementedError

    def native_id(self, item: dict[str, Any]) -> str:
        raise NotImplementedError

    def record(self, native: str, **values: Any) -> Record:
        """A record of this source with the common fields filled and text cleaned."""
        for key in ("title", "title_alt", "abstract", "venue"):
            if key in values:
                values[key] = clean_text(values[key])
        if "doi" in values:
            values["doi"] = normalise_doi(values["doi"])
        if "year" in values and not isinstance(values["year"], int | None):
            values["year"] = parse_year(values["year"])
        return Record(
            record_id=f"{self.source_id}:{native}",
            source_id=self.source_id,
            source_kind="database",
            database=self.database,
            **values,
        )

    def require(self, key: str) -> str:
        value = self.source.get(key)
        if not value:
            raise ProtocolError(
                f"source {self.source_id!r}: field {key!r} is required for a {self.database} source"
            )
        return str(value)


def surname_first(name: str | None) -> str:
    """``"Given Surname"`` → ``"Surname, Given"``; names already inverted are kept."""
    name = " ".join(str(name or "").split())
    if not name or "," in name:
        return name
    parts = name.split(" ")
    if len(parts) == 1:
        return name
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def join_name(family: str | None, given: str | None) -> str:
    family = " ".join(str(family or "").split())
    given = " ".join(str(given or "").split())
    if family and given:
        return f"{family}, {given}"
    return family or given


def pages_text(first: Any, last: Any) -> str:
    first = str(first or "").strip()
    last = str(last or "").strip()
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*", str(value))
    return int(match.group(1)) if match else None

"""A Zotero library (user or group) as a search source, and as the place included studies go.

Reading uses the Zotero Web API v3 directly, through the same HTTP client as every other
database (so a ``Backoff`` or ``Retry-After`` is waited through the injectable sleep, 429/5xx
and dropped connections are retried, the key never follows a redirect to another host, and
every page is stored as received). It walks ``/items/top`` (or a collection's top items) by
``start``/``limit`` while the response carries a ``Link: rel="next"``, pointed at
``REVIEW_ZOTERO_BASE_URL`` when set. The key (``ZOTERO_API_KEY``) is only read from the
environment and sent as ``Zotero-API-Key``; public libraries need none.

An update run follows Zotero's sync protocol (zotero.org/support/dev/web_api/v3/syncing): it
asks only for items changed since the library version the last complete run saw
(``since=<Last-Modified-Version>``, with ``includeTrashed=1`` so that items moved to the trash
are seen too), then for ``/deleted?since=<version>``. Deleted and trashed items are recorded
as removals, and reading the runs back takes them out of the records. (An item only taken out
of a collection is neither; a full search sees it gone.)

Writing (:func:`export_studies`) goes through pyzotero's public API (``Zotero``,
``create_collections``, ``create_items``), pinned in ``pyproject.toml`` to the tested range.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import httpx
from pyzotero import zotero
from pyzotero import zotero_errors as ze

from review.errors import SearchError
from review.http import Response, api_key, redact
from review.records import Record, parse_year
from review.sources.api_base import Connector, Page, as_int, join_name

RETRYABLE = (ze.HTTPError, ze.TooManyRetriesError, httpx.TransportError)
CLIENT_ERRORS = (
    ze.UnsupportedParamsError,
    ze.UserNotAuthorisedError,
    ze.ResourceNotFoundError,
    ze.PreConditionFailedError,
)
VENUE_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "websiteTitle", "university")


def trashed(item: dict[str, Any]) -> bool:
    """Is this item in the library's trash (``data.deleted``, sent with ``includeTrashed``)?"""
    return bool((item.get("data") or {}).get("deleted"))


class Zotero(Connector):
    database: ClassVar[str] = "zotero"
    platform: ClassVar[str] = "Zotero Web API v3 (api.zotero.org)"
    api_version: ClassVar[str] = "Zotero Web API v3"
    default_base: ClassVar[str] = "https://api.zotero.org"
    min_interval: ClassVar[float] = 0.0  # the server says when to slow down (Backoff)
    key_env: ClassVar[str] = "ZOTERO_API_KEY"
    default_page_size: ClassVar[int] = 100
    update_method: ClassVar[str] = (
        "since=<library version of the last run> with includeTrashed=1 (items changed since), "
        "then /deleted?since=<version> (items deleted since)"
    )

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.library_type = str(source.get("library_type") or "user")
        self.library_id = self.require("library_id")
        self.collection = str(source.get("collection") or "")
        self.library_version: int | None = None

    def prefix(self) -> str:
        return f"/{self.library_type}s/{self.library_id}"

    def path(self) -> str:
        if self.collection:
            return f"{self.prefix()}/collections/{self.collection.upper()}/items/top"
        return f"{self.prefix()}/items/top"

    def endpoint(self) -> str:
        return f"{self.base}{self.path()}"

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"format": "json", "limit": self.page_size}
        if self.query:
            params["q"] = self.query
        params.update({k: str(v) for k, v in self.filters.items()})
        if self.since:
            params["since"] = self.since
            params["includeTrashed"] = 1  # an item moved to the trash is gone from the review
        return params

    def update_filter(self) -> str:
        return f"since={self.since}" if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"start": 0}

    def client_settings(self) -> dict[str, Any]:
        key = api_key(self.key_env)
        return {
            "headers": {"Zotero-API-Version": "3"},
            "secret_headers": {"Zotero-API-Key": key} if key else {},
        }

    def fetch(self, state: dict[str, Any]) -> Response:
        if state.get("deleted"):
            return self.http.get(f"{self.base}{self.prefix()}/deleted", {"since": self.since})
        return super().fetch(state)

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        headers = {k.lower(): v for k, v in response.headers.items()}
        version = as_int(headers.get("last-modified-version"))
        if version is not None and self.library_version is None:
            self.library_version = version
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            # /deleted: {"collections": [...], "items": [keys], "searches": [...], ...}
            return Page([], None, None, removed=[str(k) for k in data["items"]])
        if not isinstance(data, list):
            raise SearchError(f"{response.url}: expected a JSON list of items")
        link = headers.get("link", "")
        has_next = 'rel="next"' in link or "rel=next" in link
        if data and has_next:
            nxt: dict[str, Any] | None = {"start": int(state.get("start", 0)) + len(data)}
        elif self.since:
            nxt = {"deleted": True}  # the changed items are in: now what was deleted
        else:
            nxt = None
        live = [item for item in data if not trashed(item)]
        gone = [self.native_id(item) for item in data if trashed(item)]
        return Page(live, as_int(headers.get("total-results")), nxt, removed=gone)

    def native_id(self, item: dict[str, Any]) -> str:
        return str(item.get("key") or (item.get("data") or {}).get("key") or "")

    def normalise(self, item: dict[str, Any]) -> Record:
        data = item.get("data") or {}
        meta = item.get("meta") or {}
        creators = data.get("creators") or []
        authors = [c for c in creators if c.get("creatorType") == "author"] or creators
        venue = next((data[f] for f in VENUE_FIELDS if data.get(f)), "")
        links = item.get("links") or {}
        return self.record(
            self.native_id(item),
            title=data.get("title") or "",
            abstract=data.get("abstractNote") or "",
            authors=[
                join_name(c.get("lastName"), c.get("firstName")) or str(c.get("name") or "")
                for c in authors
            ],
            year=parse_year(meta.get("parsedDate") or data.get("date")),
            venue=venue,
            volume=str(data.get("volume") or ""),
            issue=str(data.get("issue") or ""),
            pages=str(data.get("pages") or ""),
            doi=data.get("DOI") or "",
            url=data.get("url") or "",
            keywords=[t.get("tag", "") for t in data.get("tags") or [] if t.get("tag")],
            language=str(data.get("language") or ""),
            doc_type=str(data.get("itemType") or ""),
            found_at=((links.get("alternate") or {}).get("href") or ""),
        )


# --------------------------------------------------------------------------------------------
# Export: included studies into a collection
# --------------------------------------------------------------------------------------------


def zotero_item(study: dict[str, Any]) -> dict[str, Any]:
    """A ``journalArticle`` item from a row of ``studies.csv`` (the fields Zotero knows)."""
    creators = []
    for name in str(study.get("authors") or "").split(";"):
        name = name.strip()
        if not name:
            continue
        last, _, first = name.partition(",")
        creators.append(
            {"creatorType": "author", "lastName": last.strip(), "firstName": first.strip()}
            if first
            else {"creatorType": "author", "name": last.strip()}
        )
    return {
        "itemType": "journalArticle",
        "title": study.get("title") or "",
        "creators": creators,
        "abstractNote": study.get("abstract") or "",
        "publicationTitle": study.get("venue") or "",
        "volume": str(study.get("volume") or ""),
        "issue": str(study.get("issue") or ""),
        "pages": str(study.get("pages") or ""),
        "date": str(study.get("year") or ""),
        "DOI": study.get("doi") or "",
        "url": study.get("url") or "",
        "language": study.get("language") or "",
        "extra": f"review study id: {study.get('study_id', '')}",
        "tags": [],
        "collections": [],
    }


def export_studies(
    studies: Iterable[dict[str, Any]],
    *,
    library_id: str,
    library_type: str = "user",
    collection_name: str,
) -> dict[str, Any]:
    """Create ``collection_name`` in the library and add one item per study (50 per request).

    Returns ``{"collection": key, "created": n, "failed": {study id: Zotero's reason}}``.
    Needs ``ZOTERO_API_KEY`` with write access; the base URL follows ``REVIEW_ZOTERO_BASE_URL``.
    """
    from review.http import base_url

    key = api_key("ZOTERO_API_KEY")
    if not key:
        raise SearchError("exporting to Zotero needs a key with write access in ZOTERO_API_KEY")
    zot = zotero.Zotero(library_id, library_type, api_key=key)
    endpoint = base_url("zotero", Zotero.default_base)
    if endpoint != Zotero.default_base:
        # A mirror or test server: pyzotero builds every URL from this plain attribute.
        zot.endpoint = endpoint
    try:
        made = zot.create_collections([{"name": collection_name}])
        coll: dict[str, Any] = next(iter((made.get("successful") or {}).values()), {})
        coll_key = coll.get("key") or (coll.get("data") or {}).get("key")
        if not coll_key:
            raise SearchError(f"zotero: collection {collection_name!r} was not created: {made}")
        rows = list(studies)
        created: int = 0
        failed: dict[str, Any] = {}
        for i in range(0, len(rows), 50):
            batch = rows[i : i + 50]
            resp = zot.create_items([zotero_item(s) | {"collections": [coll_key]} for s in batch])
            created += len(resp.get("successful") or resp.get("success") or {})
            # Zotero names a failed item by its index in the request: name the study instead.
            for index, why in (resp.get("failed") or {}).items():
                n = int(index) if str(index).isdigit() else -1
                failed[str(batch[n].get("study_id")) if 0 <= n < len(batch) else index] = why
    except (*CLIENT_ERRORS, *RETRYABLE) as exc:
        raise SearchError(f"zotero export: {redact(str(exc).strip(), [key])}") from None
    return {"collection": coll_key, "created": created, "failed": failed}

"""A Zotero library (user or group) as a search source, and as the place included studies go.

Reading goes through pyzotero (httpx), pointed at ``REVIEW_ZOTERO_BASE_URL`` when set, and walks
``/items/top`` (or a collection's top items) by ``start``/``limit`` while the response carries a
``Link: rel="next"``. An update run asks only for items changed since the library version the
last complete run saw (``since=<Last-Modified-Version>``). The key (``ZOTERO_API_KEY``) is only
read from the environment; public libraries need none.

pyzotero honours ``Backoff``/``Retry-After`` by sleeping in a timer thread; the connector routes
those waits through the shared client's (injectable, capped) sleep instead, and retries 429/5xx
and dropped connections with the same backoff as every other source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import httpx
from pyzotero import zotero
from pyzotero import zotero_errors as ze

from review.errors import SearchError
from review.http import Response, api_key, parse_retry_after, redact
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


class Zotero(Connector):
    database: ClassVar[str] = "zotero"
    platform: ClassVar[str] = "Zotero Web API v3 (api.zotero.org) via pyzotero"
    api_version: ClassVar[str] = "Zotero Web API v3"
    default_base: ClassVar[str] = "https://api.zotero.org"
    min_interval: ClassVar[float] = 0.0  # the server says when to slow down (Backoff)
    key_env: ClassVar[str] = "ZOTERO_API_KEY"
    default_page_size: ClassVar[int] = 100
    update_method: ClassVar[str] = "since=<library version of the last run> (items changed since)"

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.library_type = str(source.get("library_type") or "user")
        self.library_id = self.require("library_id")
        self.collection = str(source.get("collection") or "")
        self.library_version: int | None = None
        self._pending_backoff = 0.0
        self._zot: zotero.Zotero | None = None

    @property
    def zot(self) -> zotero.Zotero:
        if self._zot is None:
            zot = zotero.Zotero(self.library_id, self.library_type, api_key=api_key(self.key_env))
            zot.endpoint = self.base
            zot._set_backoff = self._note_backoff  # wait through our sleep, not a timer thread
            self._zot = zot
        return self._zot

    def _note_backoff(self, duration: Any) -> None:
        self._pending_backoff = max(self._pending_backoff, float(duration))

    def path(self) -> str:
        prefix = f"/{self.library_type}s/{self.library_id}"
        if self.collection:
            return f"{prefix}/collections/{self.collection.upper()}/items/top"
        return f"{prefix}/items/top"

    def endpoint(self) -> str:
        return f"{self.base}{self.path()}"

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"format": "json", "limit": self.page_size}
        if self.query:
            params["q"] = self.query
        params.update({k: str(v) for k, v in self.filters.items()})
        if self.since:
            params["since"] = self.since
        return params

    def update_filter(self) -> str:
        return f"since={self.since}" if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"start": 0}

    def fetch(self, state: dict[str, Any]) -> Response:
        client = self.http
        params = {**self.params(), **self.state_params(state)}
        public = f"{self.endpoint()}?" + "&".join(f"{k}={v}" for k, v in params.items())
        for attempt in range(client.max_retries + 1):
            if self._pending_backoff:
                client.sleep(min(self._pending_backoff, client.retry_after_cap))
                self._pending_backoff = 0.0
            client._throttle()
            kwargs = {k: v for k, v in params.items() if k != "format"}
            try:
                if self.collection:
                    self.zot.collection_items_top(self.collection, **kwargs)
                else:
                    self.zot.top(**kwargs)
            except CLIENT_ERRORS as exc:
                message = redact(" ".join(str(exc).split()), client.secrets)
                client._note("error", public, message=message)
                raise SearchError(f"zotero: {public}: {message}") from None
            except RETRYABLE as exc:
                reason = redact(f"{type(exc).__name__}: {exc}".strip(), client.secrets)
                if attempt >= client.max_retries:
                    what = "connection" if isinstance(exc, httpx.TransportError) else "request"
                    raise SearchError(
                        f"zotero: {public}: {what} failed {attempt + 1} times ({reason}); "
                        "the checkpoint is kept: rerun to resume"
                    ) from None
                delay = client._backoff(attempt)
                client._note("retry", public, error=reason[:300], retry_in=round(delay, 2))
                client.sleep(delay)
                continue
            raw = self.zot.request
            if raw.status_code == 429:  # pyzotero returns it after noting Retry-After
                wait = parse_retry_after(raw.headers.get("retry-after")) or client._backoff(attempt)
                self._pending_backoff = 0.0
                client._note("retry", public, status=429, retry_in=round(wait, 2))
                client.sleep(min(wait, client.retry_after_cap))
                continue
            return Response(public, raw.status_code, dict(raw.headers), raw.content)
        raise SearchError(
            f"zotero: {public}: still rate-limited after {client.max_retries} retries"
        )

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        if not isinstance(data, list):
            raise SearchError(f"{response.url}: expected a JSON list of items")
        headers = {k.lower(): v for k, v in response.headers.items()}
        version = as_int(headers.get("last-modified-version"))
        if version is not None and self.library_version is None:
            self.library_version = version
        has_next = 'rel="next"' in headers.get("link", "") or "rel=next" in headers.get("link", "")
        done = not data or not has_next
        nxt = None if done else {"start": int(state.get("start", 0)) + len(data)}
        return Page(data, as_int(headers.get("total-results")), nxt)

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

    Returns ``{"collection": key, "created": n, "failed": {...}}``. Needs ``ZOTERO_API_KEY``
    with write access; the base URL follows ``REVIEW_ZOTERO_BASE_URL``.
    """
    from review.http import base_url

    key = api_key("ZOTERO_API_KEY")
    if not key:
        raise SearchError("exporting to Zotero needs a key with write access in ZOTERO_API_KEY")
    zot = zotero.Zotero(library_id, library_type, api_key=key)
    zot.endpoint = base_url("zotero", Zotero.default_base)
    try:
        made = zot.create_collections([{"name": collection_name}])
        coll = next(iter((made.get("successful") or {}).values()), {})
        coll_key = coll.get("key") or (coll.get("data") or {}).get("key")
        if not coll_key:
            raise SearchError(f"zotero: collection {collection_name!r} was not created: {made}")
        items = [zotero_item(s) | {"collections": [coll_key]} for s in studies]
        created, failed = 0, {}
        for i in range(0, len(items), 50):
            resp = zot.create_items(items[i : i + 50])
            created += len(resp.get("successful") or resp.get("success") or {})
            failed.update(resp.get("failed") or {})
    except (*CLIENT_ERRORS, *RETRYABLE) as exc:
        raise SearchError(f"zotero export: {redact(str(exc).strip(), [key])}") from None
    return {"collection": coll_key, "created": created, "failed": failed}

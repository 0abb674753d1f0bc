"""OpenAlex works search (``/works``), walked with its cursor to the end.

Where the query searches is the protocol's choice, ``search_field``: ``all`` sends it as
``search=`` (title, abstract *and full text*); ``title_and_abstract``, ``title``, ``abstract``
and ``fulltext`` send it as the filter ``<field>.search:<query>``, which restricts the match
to those fields. Both take boolean ``AND``/``OR``/``NOT`` and phrases. A comma separates
OpenAlex filters, so a query sent as a filter may not contain one. ``filters`` become
``filter=name:value,...`` exactly as OpenAlex spells them (e.g. ``from_publication_date``,
``language``, ``type``). An update run adds ``from_created_date:<date of the last complete
run>``, a filter OpenAlex serves only with a key: a keyless update stops before any request.

The key (``OPENALEX_API_KEY``) goes in ``api_key=``, never into a file. OpenAlex answers 403
for "rate limit exceeded; slow down" and 429 for "daily limit exceeded"
(developers.openalex.org, Errors): a 403 is retried with backoff like any rate limit, and a
429 (or 403) whose ``X-RateLimit-Remaining-USD`` is 0 means the daily budget is spent, so the
run stops with its checkpoint instead of waiting for hours.
"""

from __future__ import annotations

from typing import Any, ClassVar

from review.errors import ProtocolError, SearchError
from review.http import RETRY_STATUSES, Response, api_key
from review.records import Record, parse_year
from review.sources.api_base import Connector, Page, as_int, pages_text, surname_first


def abstract_from_inverted_index(index: dict[str, list[int]] | None) -> str:
    """Rebuild the text OpenAlex serves only as ``{word: [positions]}``."""
    if not index:
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions or []:
            slots[int(pos)] = word
    return " ".join(slots[i] for i in sorted(slots))


def filter_string(filters: dict[str, Any]) -> str:
    """``{"a": "x", "b": ["y", "z"]}`` → ``"a:x,b:y|z"`` (OpenAlex's filter syntax)."""
    parts = []
    for name, value in filters.items():
        if isinstance(value, list | tuple):
            value = "|".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = str(value).lower()
        parts.append(f"{name}:{value}")
    return ",".join(parts)


#: ``search_field`` values: where the query is matched (``all``: the ``search=`` parameter).
SEARCH_FIELDS = ("all", "title_and_abstract", "title", "abstract", "fulltext")


def budget_spent(response: Response) -> bool:
    """A 429 (or 403) that will not clear before the daily reset (midnight UTC)."""
    if response.status not in (403, 429):
        return False
    headers = response.headers
    for name in ("X-RateLimit-Remaining-USD", "X-RateLimit-Remaining"):
        value = headers.get(name)
        if value is not None:
            try:
                if float(value) <= 0:
                    return True
            except ValueError:
                continue
    return False


class OpenAlex(Connector):
    database: ClassVar[str] = "openalex"
    platform: ClassVar[str] = "OpenAlex REST API (api.openalex.org), /works"
    api_version: ClassVar[str] = "OpenAlex REST API (2026, usage-based keys)"
    default_base: ClassVar[str] = "https://api.openalex.org"
    min_interval: ClassVar[float] = 0.1  # 10 req/s, well under the 100 req/s ceiling
    key_env: ClassVar[str] = "OPENALEX_API_KEY"
    default_page_size: ClassVar[int] = 100  # the 2026 docs cap per_page at 100
    update_method: ClassVar[str] = "from_created_date filter (records added since the last run)"

    def endpoint(self) -> str:
        return f"{self.base}/works"

    def all_filters(self) -> dict[str, Any]:
        filters = dict(self.filters)
        if self.since:
            filters["from_created_date"] = self.since
        return filters

    @property
    def search_field(self) -> str:
        return str(self.source.get("search_field") or "")

    def check(self) -> None:
        field = self.search_field
        if self.query and not field:
            raise ProtocolError(
                f"source {self.source_id!r}: say where OpenAlex should match the query with "
                f"'search_field' ({', '.join(SEARCH_FIELDS)}): 'all' also searches the full "
                "text of the works OpenAlex holds it for; 'title_and_abstract' does not"
            )
        if field and field not in SEARCH_FIELDS:
            raise ProtocolError(
                f"source {self.source_id!r}: search_field {field!r} is not one of "
                f"{', '.join(SEARCH_FIELDS)}"
            )
        if field not in ("", "all") and "," in self.query:
            at = self.query.index(",")
            raise ProtocolError(
                f"source {self.source_id!r}: the query goes into filter={field}.search:..., where "
                f"OpenAlex reads a comma as the start of the next filter; remove the comma at "
                f"character {at + 1} (...{self.query[max(0, at - 20) : at + 20]}...): inside a "
                "quoted phrase it changes nothing, since punctuation is not searched"
            )
        if self.since and not api_key(self.key_env):
            raise SearchError(
                f"openalex: source {self.source_id!r}: an update run asks only for works added "
                f"since {self.since} (from_created_date), a filter OpenAlex serves only with an "
                f"API key (required since 13 February 2026). Put a key in {self.key_env} (free: "
                "openalex.org/settings/api) and rerun, or run a full search without --update"
            )

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"per_page": self.page_size}
        filters = self.all_filters()
        if self.query and self.search_field in ("", "all"):
            params["search"] = self.query
        elif self.query:
            filters = {f"{self.search_field}.search": self.query, **filters}
        text = filter_string(filters)
        if text:
            params["filter"] = text
        return params

    def update_filter(self) -> str:
        return f"from_created_date:{self.since}" if self.since else ""

    def first_state(self) -> dict[str, Any]:
        return {"cursor": "*"}

    def client_settings(self) -> dict[str, Any]:
        key = api_key(self.key_env)
        return {
            "secret_params": {"api_key": key} if key else {},
            "budget_check": budget_spent,
            "retry_statuses": RETRY_STATUSES | {403},  # OpenAlex's "rate limit exceeded"
        }

    def read_page(self, response: Response, state: dict[str, Any]) -> Page:
        data = response.json()
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise SearchError(f"{response.url}: expected a JSON object with a 'results' list")
        meta = data.get("meta") or {}
        cursor = meta.get("next_cursor")
        done = not results or not cursor
        return Page(results, as_int(meta.get("count")), None if done else {"cursor": cursor})

    def native_id(self, item: dict[str, Any]) -> str:
        return str(item.get("id") or "").rsplit("/", 1)[-1]

    def normalise(self, item: dict[str, Any]) -> Record:
        location = item.get("primary_location") or {}
        venue_source = location.get("source") or {}
        biblio = item.get("biblio") or {}
        authors = [
            surname_first((a.get("author") or {}).get("display_name") or a.get("raw_author_name"))
            for a in item.get("authorships") or []
        ]
        keywords = [k.get("display_name", "") for k in item.get("keywords") or [] if k]
        return self.record(
            self.native_id(item),
            title=item.get("title") or item.get("display_name") or "",
            abstract=abstract_from_inverted_index(item.get("abstract_inverted_index")),
            authors=[a for a in authors if a],
            year=parse_year(item.get("publication_year")),
            venue=venue_source.get("display_name") or location.get("raw_source_name") or "",
            volume=str(biblio.get("volume") or ""),
            issue=str(biblio.get("issue") or ""),
            pages=pages_text(biblio.get("first_page"), biblio.get("last_page")),
            doi=item.get("doi") or "",
            url=location.get("landing_page_url") or item.get("id") or "",
            keywords=[k for k in keywords if k],
            language=str(item.get("language") or ""),
            doc_type=str(item.get("type") or ""),
            found_at=str(item.get("id") or ""),
        )

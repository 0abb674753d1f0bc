"""Where a study's full text may be: the locations named by what was already harvested.

Each database's stored pages (``data/raw/<source>/<run>/page-*.json.gz``) hold more than the
records table keeps: OpenAlex's ``best_oa_location`` and ``locations`` (``pdf_url``,
``landing_page_url``, ``license``, ``version``), Crossref's ``link`` entries (``URL``,
``content-type``), DOAJ's ``bibjson.link`` entries of type ``fulltext``, Semantic Scholar's
``openAccessPdf``. A record names its page and its position there (``prov_file``,
``prov_position``), so its item is read back exactly, offline. The records' own addresses
(``url``, and ``found_at`` for a web collection) come next, then (live only) Unpaywall by DOI.

Candidates are ordered so the likeliest full text is tried first: direct PDF links before
landing pages, open-access metadata before a record's address; each address is tried once.
An OJS article page ``/article/view/<id>/<galley>`` is a PDF viewer: its download address
``/article/download/<id>/<galley>`` is tried in its place.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import ReviewError

#: A location's kind: a direct file link, or a page that may link to one.
PDF_LINK = "pdf"
PAGE_LINK = "page"

_OJS_VIEWER = re.compile(r"/article/view/(\d+)/(\d+)/?$")


@dataclass(frozen=True)
class Location:
    """One address where the full text may be, and what the metadata says of it."""

    url: str
    kind: str  # PDF_LINK | PAGE_LINK
    found_via: str
    licence: str = ""
    version: str = ""


def _clean(url: Any) -> str:
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def looks_like_pdf(url: str) -> bool:
    path = url.split("?", 1)[0].lower()
    return path.endswith(".pdf") or "/article/download/" in path or "/pdf/" in path


def ojs_download(url: str) -> str:
    """The download address of an OJS galley viewer page ("" when ``url`` is not one)."""
    match = _OJS_VIEWER.search(url.split("?", 1)[0])
    if not match:
        return ""
    return url[: match.start()] + f"/article/download/{match.group(1)}/{match.group(2)}"


def openalex_locations(item: Mapping[str, Any]) -> list[Location]:
    out: list[Location] = []
    best = item.get("best_oa_location") or {}
    others = [loc for loc in item.get("locations") or [] if loc and loc.get("is_oa")]
    for where, loc in [("openalex best_oa_location", best)] + [
        ("openalex locations", loc) for loc in others
    ]:
        if not loc:
            continue
        licence, version = str(loc.get("license") or ""), str(loc.get("version") or "")
        if _clean(loc.get("pdf_url")):
            out.append(Location(_clean(loc["pdf_url"]), PDF_LINK, where, licence, version))
        if _clean(loc.get("landing_page_url")):
            url = _clean(loc["landing_page_url"])
            out.append(Location(url, PAGE_LINK, where, licence, version))
    oa_url = _clean((item.get("open_access") or {}).get("oa_url"))
    if oa_url:
        kind = PDF_LINK if looks_like_pdf(oa_url) else PAGE_LINK
        out.append(Location(oa_url, kind, "openalex open_access.oa_url"))
    # Last: the landing pages OpenAlex does not know to be open. Some are (a journal's page
    # that links its PDF); a paywall's answer is recorded as such.
    for loc in item.get("locations") or []:
        if loc and not loc.get("is_oa") and _clean(loc.get("landing_page_url")):
            url = _clean(loc["landing_page_url"])
            out.append(Location(url, PAGE_LINK, "openalex location (not known to be open)"))
    return out


def crossref_locations(item: Mapping[str, Any]) -> list[Location]:
    licences = [str(x.get("URL") or "") for x in item.get("license") or [] if isinstance(x, dict)]
    licence = licences[0] if licences else ""
    out = []
    for link in item.get("link") or []:
        url = _clean(link.get("URL"))
        if not url:
            continue
        ctype = str(link.get("content-type") or "").lower()
        kind = PDF_LINK if ctype == "application/pdf" or looks_like_pdf(url) else PAGE_LINK
        version = str(link.get("content-version") or "")
        out.append(Location(url, kind, "crossref link", licence, version))
    return out


def doaj_locations(item: Mapping[str, Any]) -> list[Location]:
    bib = item.get("bibjson") or {}
    journal_licences = (bib.get("journal") or {}).get("license") or []
    licence = next((str(x.get("type") or "") for x in journal_licences if isinstance(x, dict)), "")
    out = []
    for link in bib.get("link") or []:
        if str(link.get("type") or "").lower() != "fulltext":
            continue
        url = _clean(link.get("url"))
        if not url:
            continue
        ctype = str(link.get("content_type") or "").lower()
        kind = PDF_LINK if "pdf" in ctype or looks_like_pdf(url) else PAGE_LINK
        out.append(Location(url, kind, "doaj fulltext link", licence))
    return out


def semanticscholar_locations(item: Mapping[str, Any]) -> list[Location]:
    pdf = item.get("openAccessPdf") or {}
    url = _clean(pdf.get("url"))
    if not url:
        return []
    return [Location(url, PDF_LINK, "semanticscholar openAccessPdf", str(pdf.get("license") or ""))]


def unpaywall_locations(doc: Mapping[str, Any]) -> list[Location]:
    """Unpaywall's DOI object: ``best_oa_location`` first, then ``oa_locations``."""
    out: list[Location] = []
    best = doc.get("best_oa_location") or {}
    for loc in [best, *(doc.get("oa_locations") or [])]:
        if not loc:
            continue
        licence, version = str(loc.get("license") or ""), str(loc.get("version") or "")
        if _clean(loc.get("url_for_pdf")):
            out.append(
                Location(_clean(loc["url_for_pdf"]), PDF_LINK, "unpaywall", licence, version)
            )
        if _clean(loc.get("url_for_landing_page")):
            url = _clean(loc["url_for_landing_page"])
            out.append(Location(url, PAGE_LINK, "unpaywall", licence, version))
    return out


HARVESTED = {
    "openalex": openalex_locations,
    "crossref": crossref_locations,
    "doaj": doaj_locations,
    "semanticscholar": semanticscholar_locations,
}


def record_locations(record: Mapping[str, str]) -> list[Location]:
    """The record's own address and, for a web collection, the page where it was seen."""
    out = []
    for column in ("url", "found_at"):
        url = _clean(record.get(column))
        if url:
            kind = PDF_LINK if looks_like_pdf(url) else PAGE_LINK
            out.append(Location(url, kind, f"record {column}"))
    return out


class PageReader:
    """Reads a record's item back from its stored search page (each page parsed once)."""

    def __init__(self, root: Path, sources: Mapping[str, Mapping[str, Any]]) -> None:
        self.root = Path(root)
        self.sources = sources
        self._pages: dict[str, list[dict[str, Any]]] = {}

    def item(self, record: Mapping[str, str]) -> dict[str, Any] | None:
        prov, position = record.get("prov_file", ""), record.get("prov_position", "")
        database = record.get("database", "")
        if database not in HARVESTED or not prov.endswith(".json.gz") or not position.isdigit():
            return None
        if prov not in self._pages:
            self._pages[prov] = self._read(prov, record)
        items = self._pages[prov]
        index = int(position) - 1
        return items[index] if 0 <= index < len(items) else None

    def _read(self, prov: str, record: Mapping[str, str]) -> list[dict[str, Any]]:
        from review.http import Response
        from review.searchruns import connector_class

        # prov_file is project-relative (data/raw/<source>/<run>/page-0001.json.gz).
        parts = Path(prov).parts
        path = self.root.joinpath(*parts[2:]) if parts[:2] == ("data", "raw") else self.root / prov
        if not path.is_file():
            return []  # a page named by an older records table: no metadata to read
        source = dict(self.sources.get(record["source_id"]) or {})
        source.setdefault("id", record["source_id"])
        source.setdefault("kind", "database")
        source.setdefault("database", record["database"])
        try:
            connector = connector_class(source)(source)
            body = gzip.decompress(path.read_bytes())
            page = connector.read_page(Response(str(path), 200, {}, body), {"page": 1})
        except (ReviewError, OSError, EOFError) as exc:
            raise ReviewError(f"{path}: cannot read the stored page ({exc})") from exc
        return page.items


def study_locations(records: Sequence[Mapping[str, str]], pages: PageReader) -> list[Location]:
    """Every harvested location of a study's records, best first, each address once."""
    harvested: list[Location] = []
    own: list[Location] = []
    for rec in records:
        item = pages.item(rec)
        if item is not None:
            harvested.extend(HARVESTED[rec["database"]](item))
        own.extend(record_locations(rec))
    return order(harvested + own)


def order(locations: Iterable[Location]) -> list[Location]:
    """PDF links first (in the order found), then pages; an address once; OJS viewers swapped
    for their download address."""
    expanded: list[Location] = []
    for loc in locations:
        download = ojs_download(loc.url)
        if download:
            expanded.append(Location(download, PDF_LINK, loc.found_via + " (OJS download)"))
        expanded.append(loc)
    seen: set[str] = set()
    out = []
    for kind in (PDF_LINK, PAGE_LINK):
        for loc in expanded:
            if loc.kind == kind and loc.url not in seen:
                seen.add(loc.url)
                out.append(loc)
    return out

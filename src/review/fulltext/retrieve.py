"""The live retrieval run: fetch each sought report from the locations the metadata names.

For every study included at title/abstract that has no file yet, the harvested locations are
tried in order (:func:`review.fulltext.locations.study_locations`), then, when none gave a full
text and the study has a DOI, Unpaywall is asked for more. Every response goes through the
project's HTTP layer (:class:`review.http.Client`: polite pacing, retries honouring
``Retry-After``, keys only from the environment and never sent across origins) with a size
limit, and is checked (:mod:`review.fulltext.content`) before it is kept: a PDF must parse, an
HTML page must be an article, and a landing page is followed one level through its
``citation_pdf_url``. Every attempt is a manifest line; a file is kept once, by its sha256.

Resuming: a checkpoint lists the studies the open run has finished, and is written after each,
so a killed run continues with the next study; a study that already has a file, or an address
already downloaded for another study, is never fetched again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from review.errors import SearchError
from review.fulltext import content
from review.fulltext.locations import PDF_LINK, Location, PageReader, study_locations
from review.fulltext.locations import unpaywall_locations as from_unpaywall
from review.fulltext.store import Store, now_utc
from review.http import (
    BudgetExhausted,
    Client,
    HTTPStatusError,
    Progress,
    TooLarge,
    base_url,
    contact_email,
    redact,
    without_params,
)
from review.states import NotRetrievedReason as Why

log = logging.getLogger(__name__)

UNPAYWALL = "https://api.unpaywall.org/v2"
#: At most this many addresses are tried per study (a landing page's PDF link included).
MAX_TRIES = 8
PAYWALL_STATUSES = frozenset({401, 402, 403, 451})
ACCEPT = "application/pdf, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"


@dataclass
class Outcome:
    """What one address gave."""

    retrieved: bool
    reason: str = ""
    message: str = ""
    http_status: int | str = ""
    content_type: str = ""
    media_type: str = ""
    final_url: str = ""
    body: bytes = b""
    pdf_link: str = ""


@dataclass
class RetrievalResult:
    run_id: str
    sought: int
    attempted: int = 0
    retrieved: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)
    resumed: bool = False


def run_id_for(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")


class Retrieval:
    """One retrieval run over ``data/raw/fulltext`` (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Store,
        pages: PageReader,
        email: str = "",
        max_bytes: int = 50 * 1024 * 1024,
        unpaywall: bool = True,
        sleep: Callable[[float], None] | None = None,
        progress_stream: Any = None,
        client_options: Mapping[str, Any] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.pages = pages
        self.email = contact_email(email)
        self.max_bytes = max_bytes
        self.unpaywall = unpaywall
        self.progress_stream = progress_stream
        self.now = clock or (lambda: dt.datetime.now(dt.UTC))
        extra = dict(client_options or {})
        if sleep is not None:
            extra["sleep"] = sleep
        self.files = Client(
            source="fulltext",
            email=self.email,
            min_interval=1.0,
            max_retries=2,
            backoff_max=30.0,
            deadline=600.0,
            headers={"Accept": ACCEPT},
            **extra,
        )
        self.api = Client(source="unpaywall", email=self.email, min_interval=0.2, **extra)
        self.unpaywall_base = base_url("unpaywall", UNPAYWALL)

    # --- the run -------------------------------------------------------------------------------
    def run(
        self, sought: Sequence[str], records: Mapping[str, Sequence[Mapping[str, str]]]
    ) -> RetrievalResult:
        """Retrieve the reports of ``sought`` studies (``records``: each study's records)."""
        entries = self.store.entries()
        have = self._have(entries)
        by_url: dict[str, Mapping[str, Any]] = {
            e["url"]: e
            for e in entries
            if e["kind"] == "download" and e["outcome"] == "retrieved" and e.get("url")
        }
        checkpoint = self.store.open_run()
        resumed = checkpoint is not None
        if checkpoint is None:
            checkpoint = {"run_id": run_id_for(self.now()), "started_at": now_utc(), "done": []}
            self.store.save_checkpoint(checkpoint)
        run_id = str(checkpoint["run_id"])
        done = set(checkpoint.get("done", []))
        result = RetrievalResult(run_id, len(sought), resumed=resumed)
        todo = [s for s in sought if s not in done]
        progress = Progress(
            "full texts",
            total=len(todo),
            stream=self.progress_stream,
            unit="study",
            noun="studies",
        )
        try:
            for sid in todo:
                if sid in have:
                    result.already += 1
                    note = "already at hand"
                else:
                    result.attempted += 1
                    got = self._study(sid, records.get(sid, []), run_id, by_url)
                    if got:
                        result.retrieved += 1
                        note = "retrieved"
                    else:
                        result.failed.append(sid)
                        note = "not retrieved"
                done.add(sid)
                checkpoint["done"] = sorted(done)
                self.store.save_checkpoint(checkpoint)
                progress.update(1, note=f"{sid}: {note}")
        finally:
            progress.close()
        self.store.close_run()
        return result

    def _have(self, entries: Sequence[Mapping[str, Any]]) -> set[str]:
        """Studies that already have a kept file (retrieved, or added by a reviewer)."""
        out = set()
        for e in entries:
            if e["outcome"] in ("retrieved", "added") and self.store.verified(e) is not None:
                out.add(str(e["study_id"]))
        if self.store.added_dir.is_dir():
            for path in self.store.added_dir.iterdir():
                if path.suffix.lower() in content.MEDIA_BY_EXTENSION:
                    out.add(path.stem)
        return out

    def _study(
        self,
        sid: str,
        records: Sequence[Mapping[str, str]],
        run_id: str,
        by_url: dict[str, Mapping[str, Any]],
    ) -> bool:
        tried: set[str] = set()
        candidates = study_locations(records, self.pages)
        if self._try_all(sid, candidates, run_id, tried, by_url):
            return True
        doi = next((r.get("doi", "") for r in records if r.get("doi")), "")
        if doi and self.unpaywall:
            extra = [c for c in self._lookup(sid, doi, run_id) if c.url not in tried]
            if self._try_all(sid, extra, run_id, tried, by_url):
                return True
        if not tried:
            self._log(
                sid,
                run_id,
                kind="download",
                outcome="failed",
                reason=Why.NO_OA_COPY,
                message="no open-access location in the harvested metadata, the "
                "record's addresses" + (" or Unpaywall" if doi and self.unpaywall else ""),
            )
        return False

    def _try_all(
        self,
        sid: str,
        candidates: Sequence[Location],
        run_id: str,
        tried: set[str],
        by_url: dict[str, Mapping[str, Any]],
    ) -> bool:
        for loc in candidates:
            if len(tried) >= MAX_TRIES:
                return False
            if loc.url in tried:
                continue
            if self._try(sid, loc, run_id, tried, by_url, follow=True):
                return True
        return False

    def _try(
        self,
        sid: str,
        loc: Location,
        run_id: str,
        tried: set[str],
        by_url: dict[str, Mapping[str, Any]],
        *,
        follow: bool,
    ) -> bool:
        tried.add(loc.url)
        known = by_url.get(loc.url)
        if known is not None and self.store.verified(known) is not None:
            self._log(
                sid,
                run_id,
                kind="download",
                outcome="retrieved",
                url=loc.url,
                found_via=loc.found_via,
                licence=loc.licence,
                version=loc.version,
                message=f"already downloaded for {known['study_id']}: not fetched again",
                **{
                    k: known[k]
                    for k in (
                        "media_type",
                        "bytes",
                        "sha256",
                        "file",
                        "content_type",
                        "http_status",
                        "final_url",
                    )
                },
            )
            return True
        got = self.fetch(loc)
        attempt = {
            "kind": "download",
            "url": loc.url,
            "final_url": got.final_url,
            "found_via": loc.found_via,
            "licence": loc.licence,
            "version": loc.version,
            "http_status": got.http_status,
            "content_type": got.content_type,
            "media_type": got.media_type,
            "bytes": len(got.body) if got.body else "",
            "message": got.message,
        }
        if got.retrieved:
            digest, path = self.store.keep(got.body, got.media_type)
            file = self.store.name(path)
            entry = self._log(sid, run_id, outcome="retrieved", sha256=digest, file=file, **attempt)
            by_url[loc.url] = entry
            return True
        self._log(sid, run_id, outcome="failed", reason=got.reason, **attempt)
        link = got.pdf_link
        if follow and link and link not in tried and len(tried) < MAX_TRIES:
            nxt = Location(
                link, PDF_LINK, f"{loc.found_via} → citation_pdf_url", loc.licence, loc.version
            )
            return self._try(sid, nxt, run_id, tried, by_url, follow=False)
        return False

    # --- one address ---------------------------------------------------------------------------
    def fetch(self, loc: Location) -> Outcome:
        """GET one address and say whether it is a full text (never raises for the address's
        own failures: they are outcomes)."""
        try:
            resp = self.files.get(loc.url, max_bytes=self.max_bytes)
        except TooLarge as exc:
            return Outcome(False, Why.TOO_LARGE, str(exc))
        except HTTPStatusError as exc:
            why = Why.PAYWALLED if exc.status in PAYWALL_STATUSES else Why.BROKEN_LINK
            return Outcome(False, why, str(exc), http_status=exc.status)
        except SearchError as exc:
            return Outcome(False, Why.BROKEN_LINK, str(exc))
        ctype = str(resp.headers.get("Content-Type", ""))
        moved = resp.final_url
        media = content.sniff(resp.body, ctype)
        base = Outcome(
            False,
            http_status=resp.status,
            content_type=ctype,
            media_type=media,
            final_url=moved,
        )
        after = f" after a redirect to {moved}" if moved else ""
        if media == content.PDF:
            check = content.check_pdf(resp.body)
            if check.ok:
                base.retrieved, base.body = True, resp.body
                base.message = f"a PDF of {check.pages} page(s)"
                return base
            base.reason, base.message = Why.NOT_FULL_TEXT, f"not a usable PDF: {check.problem}"
            return base
        if media == content.XML:
            if content.jats_sections(resp.body):
                base.retrieved, base.body, base.message = True, resp.body, "a JATS full text"
                return base
            base.reason, base.message = Why.NOT_FULL_TEXT, "XML without an article body"
            return base
        if media == content.HTML:
            page = content.read_html(resp.body)
            if page.is_full_text:
                base.retrieved, base.body = True, resp.body
                base.message = (
                    f"an HTML full text ({page.words} words; sections: "
                    f"{', '.join(sorted(page.report_sections))})"
                )
                return base
            base.reason = Why.PAYWALLED
            base.message = (
                f"a landing page{after} ({page.words} words, report sections: "
                f"{', '.join(sorted(page.report_sections)) or 'none'})"
                + (f"; it links a PDF: {page.pdf_url}" if page.pdf_url else "")
            )
            base.pdf_link = _absolute(page.pdf_url, moved or loc.url)
            return base
        base.reason = Why.NOT_FULL_TEXT
        base.message = f"neither a PDF nor an HTML or XML article (Content-Type {ctype or 'none'})"
        return base

    def _lookup(self, sid: str, doi: str, run_id: str) -> list[Location]:
        """Ask Unpaywall for the DOI's open-access locations; every answer is a manifest line
        (the contact address is never written: it is a parameter, not part of the record)."""
        url = f"{self.unpaywall_base}/{quote(doi, safe='/')}"
        public = without_params(url, ["email"], [])

        def line(outcome: str, message: str, status: int | str = "") -> None:
            if self.email:
                message = message.replace(self.email, "<contact>")
            self._log(
                sid,
                run_id,
                kind="lookup",
                outcome=outcome,
                url=public,
                found_via="unpaywall",
                http_status=status,
                message=message,
            )

        if not self.email:
            line(
                "not_found",
                "not asked: Unpaywall needs a contact e-mail (protocol contact_email or "
                "REVIEW_CONTACT_EMAIL)",
            )
            return []
        try:
            resp = self.api.get(url, {"email": self.email})
            doc = resp.json()
        except BudgetExhausted:
            raise
        except HTTPStatusError as exc:
            line("not_found", str(exc), exc.status)
            return []
        except SearchError as exc:
            line("not_found", str(exc))
            return []
        found = from_unpaywall(doc if isinstance(doc, dict) else {})
        summary = (
            f"is_oa {doc.get('is_oa')}, oa_status {doc.get('oa_status')}, {len(found)} address(es)"
            if isinstance(doc, dict)
            else "not a DOI object"
        )
        line("found" if found else "not_found", summary, resp.status)
        return found

    def _log(self, sid: str, run_id: str, **fields: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"study_id": sid, "run_id": run_id, "at": now_utc(), **fields}
        for key in ("url", "final_url", "message"):
            if entry.get(key):
                entry[key] = redact(str(entry[key]))
        for key, value in list(entry.items()):
            if hasattr(value, "value"):
                entry[key] = value.value
        self.store.append(entry)
        return entry


def _absolute(link: str, page_url: str) -> str:
    from urllib.parse import urljoin

    return urljoin(page_url, link) if link else ""

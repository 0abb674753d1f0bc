"""Search runs: walk one database for one protocol source, keeping every page as received.

A run lives in ``data/raw/<source_id>/<run-id>/`` (run id = UTC start time, ``2026-11-29T071500Z``):

* ``page-0001.json.gz`` ... every response body exactly as received (gzip-compressed);
* ``manifest.json``: the PRISMA-S record of the run (database, platform and endpoint, API
  version, query and parameters as executed minus secrets, filters and their justification,
  start/finish UTC, records reported and retrieved, pages with their sha256, client version,
  run kind and previous run, update filter, stop reason, retries and errors, ``complete``);
* ``checkpoint.json`` while the run is open: the paging state to send next. A page is written
  before the checkpoint moves past it, so a crash or kill loses nothing and the next
  invocation resumes where the checkpoint says, with no record duplicated or skipped.

A complete run is never written again. An update run asks only for what the database added
since the last exhaustive run (the connector's update filter) and is a new run beside the old.
Records are read back from the stored pages (:func:`records_from_runs`), never from memory, so
the records table can always be rebuilt offline from ``data/raw``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from review import __version__, atomic
from review.errors import ProtocolError, SchemaError, SearchError
from review.http import (
    CLIENT_NAME,
    BudgetExhausted,
    Client,
    HTTPStatusError,
    Progress,
    Response,
    api_key,
    contact_email,
    redact,
    scrub,
    user_agent,
)
from review.records import Record, content_id
from review.sources.api_base import Connector
from review.sources.crossref import Crossref
from review.sources.doaj import Doaj
from review.sources.openalex import OpenAlex
from review.sources.semanticscholar import SemanticScholar
from review.sources.zotero import Zotero

log = logging.getLogger(__name__)

CONNECTORS: dict[str, type[Connector]] = {
    c.database: c for c in (OpenAlex, Crossref, SemanticScholar, Doaj, Zotero)
}
MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint.json"
MANIFEST_SCHEMA = "review.search-run/1"


def connector_class(source: dict[str, Any]) -> type[Connector]:
    if source.get("kind") != "database":
        raise ProtocolError(
            f"source {source.get('id')!r} is of kind {source.get('kind')!r}; only database "
            "sources are searched (files and web collections are imported)"
        )
    database = source.get("database")
    if database not in CONNECTORS:
        raise ProtocolError(
            f"source {source.get('id')!r}: database {database!r} has no connector "
            f"(known: {', '.join(sorted(CONNECTORS))})"
        )
    return CONNECTORS[database]


def run_id_for(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a JSON object")
    return data


@dataclass(frozen=True)
class Run:
    """One run folder and its manifest."""

    run_id: str
    path: Path
    manifest: dict[str, Any]

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    @property
    def exhaustive(self) -> bool:
        """Complete *and* walked as the protocol asks: to the end, or to its declared bound.

        A run cut by ``--max-records`` (a trial) is not: updates are never based on it.
        """
        return self.complete and self.manifest.get("stop_reason") in ("exhausted", "bound")


def list_runs(raw_root: Path, source_id: str) -> list[Run]:
    """Every run of a source that has a manifest, oldest first."""
    base = Path(raw_root) / source_id
    if not base.is_dir():
        return []
    runs = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        manifest = folder / MANIFEST
        if manifest.is_file():
            runs.append(Run(folder.name, folder, read_json(manifest)))
    return runs


@dataclass
class RunResult:
    run_id: str
    path: Path
    complete: bool
    records_retrieved: int
    records_reported: int | None
    stop_reason: str
    resumed: bool = False


class SearchRun:
    """Walk one source to the end (or to ``max_records``), writing pages as they arrive."""

    def __init__(
        self,
        source: dict[str, Any],
        *,
        raw_root: Path,
        update: bool = False,
        max_records: int | None = None,
        email: str = "",
        page_size: int | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        progress_stream: Any = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.cls = connector_class(source)
        self.raw_root = Path(raw_root)
        self.update = update
        self.max_records = max_records
        self.email = contact_email(email)
        self.page_size = page_size
        self.sleep = sleep
        self.now = clock or (lambda: dt.datetime.now(dt.UTC))
        self.progress_stream = progress_stream
        self.client_options = client_options or {}

    # --- planning ----------------------------------------------------------------------------
    def _open_run(self, runs: list[Run]) -> Run | None:
        last = runs[-1] if runs else None
        if last is not None and not last.complete and (last.path / CHECKPOINT).is_file():
            return last
        return None

    def _connector(self, since: str | None) -> Connector:
        connector = self.cls(self.source, since=since, page_size=self.page_size, email=self.email)
        options = {
            "source": self.cls.database,
            "email": self.email,
            "min_interval": self.cls.min_interval,
            **connector.client_settings(),
            **self.client_options,
        }
        if self.sleep is not None:
            options["sleep"] = self.sleep
        connector.client = Client(**options)
        return connector

    def _since(self, previous: Run) -> str:
        if self.cls is Zotero:
            version = previous.manifest.get("library_version")
            if version is None:
                raise SearchError(
                    f"{previous.path / MANIFEST}: field 'library_version' is missing; "
                    "cannot ask Zotero for changes since that run"
                )
            return str(version)
        return str(previous.manifest["started_at"])[:10]

    def _new_folder(self, source_id: str) -> Path:
        """A run folder named by the UTC second; a run started in the same second waits one."""
        for _ in range(3):
            folder = self.raw_root / source_id / run_id_for(self.now())
            if not folder.exists():
                return folder
            (self.sleep or time.sleep)(1.0)
        raise SearchError(f"{folder}: a run with this id already exists; try again")

    def _request(self, connector: Connector) -> dict[str, Any]:
        return {"endpoint": connector.endpoint(), "params": connector.params()}

    def _new_manifest(
        self, connector: Connector, run_id: str, kind: str, previous: Run | None
    ) -> dict[str, Any]:
        request = self._request(connector)
        first = {**request["params"], **connector.state_params(connector.first_state())}
        return {
            "schema": MANIFEST_SCHEMA,
            "source_id": connector.source_id,
            "source_kind": "database",
            "database": connector.database,
            "platform": connector.platform,
            "endpoint": request["endpoint"],
            "api_version": connector.api_version,
            "query": connector.query,
            "query_as_executed": f"{request['endpoint']}?{urlencode(first)}",
            "request": request,
            "filters": connector.filters,
            "justification": self.source.get("justification", ""),
            "run_id": run_id,
            "run_kind": kind,
            "previous_run_id": previous.run_id if previous else None,
            "since": connector.since,
            "update_method": connector.update_method if kind == "update" else "",
            "update_filter": connector.update_filter(),
            "started_at": iso(self.now()),
            "finished_at": None,
            "records_reported": None,
            "records_retrieved": 0,
            "max_records": self.max_records,
            "bound": connector.bound(),
            "page_size": connector.page_size,
            "pages": [],
            "client": {
                "name": CLIENT_NAME,
                "version": __version__,
                "http": f"requests {requests.__version__}",
                "user_agent": user_agent(self.email),
            },
            # Which environment variable supplied a key (its name only, never its value).
            "keys_used": [connector.key_env]
            if connector.key_env and api_key(connector.key_env)
            else [],
            "stop_reason": "running",
            "retries": 0,
            "errors": 0,
            "events": [],
            "complete": False,
        }

    # --- the walk ----------------------------------------------------------------------------
    def run(self) -> RunResult:
        source_id = str(self.source["id"])
        runs = list_runs(self.raw_root, source_id)
        open_run = self._open_run(runs)
        resumed = open_run is not None
        if open_run is not None:
            manifest = open_run.manifest
            connector = self._connector(manifest.get("since"))
            checkpoint = read_json(open_run.path / CHECKPOINT)
            if self._request(connector) != manifest.get("request"):
                raise SearchError(
                    f"{open_run.path}: an interrupted run of {source_id} used a different "
                    "request than the protocol now asks for; finish it with the old protocol, or "
                    "delete that folder to start afresh"
                )
            connector.check()
            folder = open_run.path
            self._reopen(folder, manifest)
            if not connector.replayable and checkpoint.get("page", 0) > 0:
                # A server-side scroll cannot be resumed: walk again from the start, rewriting
                # the pages, so the run holds exactly one uninterrupted walk.
                connector.http._note(
                    "restart", manifest["endpoint"], reason="scroll cursors cannot be resumed"
                )
                checkpoint = {"state": connector.first_state(), "page": 0, "retrieved": 0}
                manifest["pages"] = []
                manifest["records_retrieved"] = 0
        else:
            exhaustive = [r for r in runs if r.exhaustive]
            previous = exhaustive[-1] if exhaustive else None
            kind = "update" if self.update and previous is not None else "initial"
            since = self._since(previous) if kind == "update" and previous else None
            connector = self._connector(since)
            connector.check()  # before any request or folder: nothing to clean up after
            plan = connector.plan() or {}
            folder = self._new_folder(source_id)
            run_id = folder.name
            manifest = self._new_manifest(
                connector, run_id, kind, previous if kind == "update" else None
            )
            if self.update and previous is None:
                manifest["note"] = "no earlier exhaustive run to update from: full search"
            first = plan.pop("state", None) or connector.first_state()
            manifest.update(plan)
            checkpoint = {"state": first, "page": 0, "retrieved": 0}
            # The checkpoint first: a manifest without one would be an open run nobody resumes.
            atomic.write_json(folder / CHECKPOINT, checkpoint)
            self._merge_events(manifest, connector.http)
            atomic.write_json(folder / MANIFEST, manifest)
        return self._walk(connector, folder, manifest, checkpoint, resumed=resumed)

    def _reopen(self, folder: Path, manifest: dict[str, Any]) -> None:
        """A resumed run starts a new attempt: the last stop and its counts move to history.

        Otherwise a run that failed, was resumed and then completed would still say why it
        once stopped, and count the errors of an attempt that is over as its own.
        """
        reason = manifest.get("stop_reason")
        attempt = {
            "stopped_at": manifest.get("stopped_at"),
            # "running" means the process ended (killed, power cut) without recording a stop
            "stop_reason": "ended without a recorded stop" if reason == "running" else reason,
            "stop_message": manifest.get("stop_message", ""),
            "retries": manifest.get("retries", 0),
            "errors": manifest.get("errors", 0),
            "events": manifest.get("events", []),
        }
        manifest.setdefault("attempts", []).append(attempt)
        manifest.pop("stop_message", None)
        manifest.pop("stopped_at", None)
        manifest.update(
            stop_reason="running", events=[], retries=0, errors=0, resumed_at=iso(self.now())
        )
        atomic.write_json(folder / MANIFEST, manifest)

    def _walk(
        self,
        connector: Connector,
        folder: Path,
        manifest: dict[str, Any],
        checkpoint: dict[str, Any],
        *,
        resumed: bool,
    ) -> RunResult:
        client = connector.http
        bound = connector.max_records
        reported = manifest.get("records_reported")
        progress = Progress(
            f"{connector.source_id} ({connector.database})",
            total=_expected(reported, bound),
            stream=self.progress_stream,
        )
        progress.done = int(checkpoint.get("retrieved", 0))
        state: dict[str, Any] | None = checkpoint["state"]
        page_no = int(checkpoint.get("page", 0))
        retrieved = int(checkpoint.get("retrieved", 0))
        seen: set[str] = set(checkpoint.get("seen", []))
        stop = "exhausted"
        restarted = False
        try:
            while state is not None:
                if self.max_records is not None and retrieved >= self.max_records:
                    stop = "max_records"
                    break
                if bound is not None and retrieved >= bound:
                    stop = "bound"
                    break
                if connector.replayable:
                    seen.add(state_key(state))
                try:
                    response = connector.fetch(state)
                except HTTPStatusError as exc:
                    if restarted or page_no == 0 or not connector.restart_on(exc):
                        raise
                    # An expired scroll: walk once more from the start, rewriting the pages.
                    restarted = True
                    client._note("restart", manifest["endpoint"], reason="cursor expired")
                    state, page_no, retrieved = connector.first_state(), 0, 0
                    manifest["pages"], manifest["records_retrieved"] = [], 0
                    progress.done = 0
                    continue
                page = connector.read_page(response, state)  # invalid JSON stops here, unsaved
                self._check_progress(connector, page, state, seen, retrieved, page_no + 1)
                page_no += 1
                keep = len(page.items) if bound is None else min(len(page.items), bound - retrieved)
                name = f"page-{page_no:04d}.json.gz"
                body, redacted = scrub(response.body, client.secrets)
                atomic.write_bytes(folder / name, gzip.compress(body, mtime=0))
                entry: dict[str, Any] = {
                    "file": name,
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "bytes": len(body),
                    "records": keep,
                    "status": response.status,
                    "request": redact(response.url, client.secrets),
                }
                if keep != len(page.items):
                    entry["records_received"] = len(page.items)  # the rest is past the bound
                if page.removed:
                    entry["removed"] = len(page.removed)
                if redacted:
                    entry["redacted"] = redacted  # the body echoed a key: not byte-for-byte
                manifest["pages"] = [p for p in manifest["pages"] if p["file"] != name] + [entry]
                if manifest.get("records_reported") is None and page.total is not None:
                    manifest["records_reported"] = page.total
                    progress.set_total(_expected(page.total, bound))
                if isinstance(connector, Zotero) and connector.library_version is not None:
                    manifest.setdefault("library_version", connector.library_version)
                retrieved += keep
                manifest["records_retrieved"] = retrieved
                if page.removed:
                    manifest["records_removed"] = manifest.get("records_removed", 0) + len(
                        page.removed
                    )
                state = page.next_state
                checkpoint = {"state": state, "page": page_no, "retrieved": retrieved}
                if connector.replayable:
                    checkpoint["seen"] = sorted(seen)
                self._save(folder, manifest, client, checkpoint)
                progress.update(keep, page=page_no)
        except BudgetExhausted as exc:
            self._stop(folder, manifest, client, "budget_exhausted", str(exc))
            raise
        except SearchError as exc:
            self._stop(folder, manifest, client, "error", str(exc))
            raise
        except KeyboardInterrupt:
            self._stop(folder, manifest, client, "interrupted", "interrupted by the user")
            raise
        finally:
            progress.close()
        # A restarted scroll may have left pages of a longer earlier walk: they are not this run.
        kept = {p["file"] for p in manifest["pages"]}
        for stale in folder.glob("page-*.json.gz"):
            if stale.name not in kept:
                stale.unlink()
        manifest["stop_reason"] = stop
        manifest["finished_at"] = iso(self.now())
        manifest["complete"] = True
        self._merge_events(manifest, client)
        atomic.write_json(folder / MANIFEST, manifest)
        (folder / CHECKPOINT).unlink(missing_ok=True)
        return RunResult(
            manifest["run_id"],
            folder,
            True,
            retrieved,
            manifest.get("records_reported"),
            stop,
            resumed,
        )

    def _check_progress(
        self,
        connector: Connector,
        page: Any,
        state: dict[str, Any],
        seen: set[str],
        retrieved: int,
        page_no: int,
    ) -> None:
        """Stop a walk that would never end, before its bogus page is stored.

        Two signs: a cursor or token the API already sent in this run (following it repeats
        pages for ever), and more records than the API itself reported (a scroll that keeps
        serving pages; Crossref sends the same cursor on every page, so only this one works
        there). Semantic Scholar's bulk total is approximate, so it is not held to it.
        """
        nxt = page.next_state
        if connector.replayable and nxt is not None and state_key(nxt) in seen:
            shown = redact(json.dumps(nxt, sort_keys=True), connector.http.secrets)[:200]
            raise SearchError(
                f"{connector.database}: page {page_no} gives a paging state already sent in "
                f"this run ({shown}): following it would repeat pages for ever. The run is "
                f"stopped as failed; page {page_no} was not stored. Rerun later, or report it "
                "to the database"
            )
        if connector.total_is_exact and page.total is not None and page.items:
            if retrieved + len(page.items) > page.total:
                raise SearchError(
                    f"{connector.database}: page {page_no} would bring the records to "
                    f"{retrieved + len(page.items)}, more than the {page.total} the API reports: "
                    f"the paging does not end (the same page served again?). The run is stopped "
                    f"as failed; page {page_no} was not stored. Rerun later, or report it to the "
                    "database"
                )

    def _merge_events(self, manifest: dict[str, Any], client: Client) -> None:
        manifest["events"] = [*manifest.get("events", []), *client.events]
        client.events.clear()
        manifest["retries"] = sum(
            1 for e in manifest["events"] if e["kind"] in ("retry", "connection_error")
        )
        manifest["errors"] = sum(
            1 for e in manifest["events"] if e["kind"] not in ("retry", "restart", "redirect")
        )

    def _save(
        self, folder: Path, manifest: dict[str, Any], client: Client, checkpoint: dict[str, Any]
    ) -> None:
        self._merge_events(manifest, client)
        atomic.write_json(folder / MANIFEST, manifest)
        atomic.write_json(folder / CHECKPOINT, checkpoint)

    def _stop(
        self, folder: Path, manifest: dict[str, Any], client: Client, reason: str, message: str
    ) -> None:
        manifest["stop_reason"] = reason
        manifest["stop_message"] = redact(message, client.secrets)
        manifest["stopped_at"] = iso(self.now())
        manifest["complete"] = False
        self._merge_events(manifest, client)
        atomic.write_json(folder / MANIFEST, manifest)


def state_key(state: dict[str, Any]) -> str:
    """A short fingerprint of a paging state, for spotting one the API sends twice."""
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def _expected(reported: int | None, bound: int | None) -> int | None:
    """How many records the progress bar should expect: the total, or the bound if smaller."""
    if bound is None:
        return reported
    return bound if reported is None else min(reported, bound)


def search(source: dict[str, Any], *, raw_root: Path, **options: Any) -> RunResult:
    """Run (or resume) one search of ``source``; see :class:`SearchRun` for the options."""
    return SearchRun(source, raw_root=raw_root, **options).run()


# --------------------------------------------------------------------------------------------
# Reading runs back
# --------------------------------------------------------------------------------------------


def _prov_path(path: Path, raw_root: Path) -> str:
    """The page file as the project names it (``data/raw/<id>/<run>/page-0001.json.gz``)."""
    raw_root = Path(raw_root)
    if raw_root.name == "raw" and raw_root.parent.name == "data":
        return path.relative_to(raw_root.parent.parent).as_posix()
    return path.as_posix()


def records_from_runs(source: dict[str, Any], raw_root: Path) -> list[Record]:
    """Records of every complete run of a database source, read from the stored pages.

    A record found by several runs is kept once, from the latest run (its metadata is the most
    recent); the order is that of first sighting. A record a later run reports as deleted
    (Zotero) is taken out; a bounded run contributes only the records within its bound. Each
    record names its run, page file, the page's sha256 and its 1-based position in the page.
    A page whose bytes no longer match the manifest's sha256 stops the read: the raw snapshot
    is evidence and must not drift.
    """
    connector = connector_class(source)(source)
    out: dict[str, Record] = {}
    for run in list_runs(Path(raw_root), str(source["id"])):
        if not run.complete:
            continue
        for page in run.manifest.get("pages", []):
            path = run.path / page["file"]
            if not path.is_file():
                raise SchemaError(f"{run.path / MANIFEST}: page {page['file']} is missing")
            body = gzip.decompress(path.read_bytes())
            digest = hashlib.sha256(body).hexdigest()
            if digest != page["sha256"]:
                raise SchemaError(
                    f"{path}: sha256 {digest} differs from the manifest's {page['sha256']}; "
                    "the stored page was changed after the search"
                )
            stored = Response(str(path), 200, {}, body)
            try:
                parsed = connector.read_page(stored, {"start": 0, "page": 1})
            except SearchError as exc:
                raise SchemaError(str(exc)) from None
            for native in parsed.removed:  # deleted from the library since an earlier run
                out.pop(f"{connector.source_id}:{native}", None)
            # A page that reaches a declared bound keeps only its first records.
            recorded = int(page.get("records", len(parsed.items)))
            if len(parsed.items) < recorded:
                raise SchemaError(
                    f"{path}: holds {len(parsed.items)} records, but {run.path / MANIFEST} "
                    f"records {recorded} for it; the stored page was changed after the search"
                )
            items = parsed.items[:recorded]
            for position, item in enumerate(items, start=1):
                rec = connector.normalise(item)
                if rec.record_id.endswith(":"):
                    rec.record_id += "h" + content_id(json.dumps(item, sort_keys=True))
                rec.run_id = run.run_id
                rec.prov_file = _prov_path(path, Path(raw_root))
                rec.prov_sha256 = page["sha256"]
                rec.prov_position = position
                out[rec.record_id] = rec
    return list(out.values())

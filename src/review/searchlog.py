"""The PRISMA-S search log: one row per search run of every protocol source.

Rows come from the manifests, never from memory: ``data/raw/<source_id>/<run-id>/manifest.json``
for database runs (written by :mod:`review.searchruns`) and, for ``websites`` and ``file``
sources, the ``manifest.json`` beside the data file. A database source that was never searched
gets one row saying so, so the log always accounts for every source the protocol names.

Fields read from a websites/file manifest (all optional except ``run_id``): ``run_id``,
``run_kind``, ``previous_run_id``, ``database``, ``platform``, ``method``,
``query_as_executed``, ``filters``, ``date_last_searched`` (or ``snapshot_taken``),
``records_reported``, ``records_retrieved``, ``files`` (``[{path, sha256, rows}]``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from review.protocol import Protocol
from review.searchruns import MANIFEST, list_runs, read_json
from review.tables import contract, write_table

#: Columns of the search log, in order: its contract (``review/schemas/tables/search_log.yaml``).
LOG_COLUMNS: tuple[str, ...] = contract("search_log").names


def _json(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def database_rows(source: dict[str, Any], raw_root: Path, root: Path) -> list[dict[str, Any]]:
    base = {
        "source_id": source["id"],
        "kind": "database",
        "database": source.get("database", ""),
        "query": " ".join(str(source.get("query") or "").split()),
        "justification": source.get("justification", ""),
    }
    runs = list_runs(raw_root, source["id"])
    if not runs:
        return [
            {
                **base,
                "filters": _json(source.get("filters")),
                "status": "not searched yet",
            }
        ]
    rows = []
    for run in runs:
        m = run.manifest
        client = m.get("client") or {}
        complete = bool(m.get("complete"))
        status = "complete" if complete else f"incomplete ({m.get('stop_reason', '')})"
        if complete and m.get("stop_reason") == "max_records":
            status = f"complete, stopped at --max-records {m.get('max_records')}"
        bound = m.get("bound") or {}
        if complete and bound:
            # PRISMA-S item 9: a ranked search cut at a declared bound is a limit to report.
            order = bound.get("order") or "relevance"
            status = (
                f"complete, ranked by {order} and cut at the first {bound.get('max_records')} "
                f"of {m.get('records_reported')} records (declared bound)"
                if m.get("stop_reason") == "bound"
                else f"complete, ranked by {order}; all {m.get('records_reported')} records "
                f"fit within the declared bound of {bound.get('max_records')}"
            )
        rows.append(
            {
                **base,
                "platform": m.get("platform", ""),
                "api_version": m.get("api_version", ""),
                "run_id": run.run_id,
                "run_kind": m.get("run_kind", ""),
                "previous_run_id": m.get("previous_run_id") or "",
                "update_filter": m.get("update_filter", ""),
                "query_as_executed": m.get("query_as_executed", ""),
                "filters": _json(m.get("filters")),
                "justification": m.get("justification") or base["justification"],
                # Only a complete run is a search the review used: its date is the search date.
                "executed_at": m.get("started_at", "") if complete else "",
                "started_at": m.get("started_at", ""),
                "finished_at": m.get("finished_at") or "",
                "coverage_from": m.get("since") or "",
                "coverage_to": (m.get("started_at") or "")[:10] if complete else "",
                "n_hits_reported": m.get("records_reported"),
                "n_records_retrieved": m.get("records_retrieved"),
                "pages": len(m.get("pages") or []),
                "pages_sha256": "; ".join(
                    f"{p['file']}={p['sha256']}" for p in m.get("pages") or []
                ),
                "software_version": f"{client.get('name', '')} {client.get('version', '')}".strip(),
                "stop_reason": m.get("stop_reason", ""),
                "retries": m.get("retries", 0),
                "errors": m.get("errors", 0),
                "complete": str(complete).lower(),
                "status": status,
                "manifest": _rel(run.path / MANIFEST, root),
            }
        )
    return rows


def collection_manifests(source: dict[str, Any], root: Path) -> list[Path]:
    """The manifests of a file or website source's runs
    (:func:`review.integrity.source_manifests`), oldest run first."""
    if not source.get("path"):
        return []
    from review.integrity import source_manifests

    return sorted(
        source_manifests(source, root),
        key=lambda p: str(read_json(p).get("run_id") or p.parent.name),
    )


def collection_rows(source: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    """One row per run of a file or website source, from its manifest."""
    base = {
        "source_id": source["id"],
        "kind": source["kind"],
        "database": source.get("database") or "",
        "query": " ".join(str(source.get("query") or source.get("method") or "").split()),
        "justification": source.get("justification", ""),
    }
    manifests = collection_manifests(source, root)
    if not manifests:
        return [{**base, "status": f"no {MANIFEST} beside {source.get('path', '')}"}]
    rows = []
    for manifest_path in manifests:
        m = read_json(manifest_path)
        files = m.get("files") or []
        date = m.get("date_last_searched") or (m.get("snapshot_taken") or "")[:10]
        rows.append(
            {
                **base,
                "database": m.get("database") or base["database"],
                "platform": m.get("platform", ""),
                "run_id": m.get("run_id", ""),
                "run_kind": m.get("run_kind", ""),
                "previous_run_id": m.get("previous_run_id") or "",
                "query_as_executed": m.get("query_as_executed") or m.get("method") or "",
                "filters": _json(m.get("filters")),
                "executed_at": date,
                "finished_at": m.get("snapshot_taken") or m.get("imported_at") or "",
                "coverage_to": date,
                "n_hits_reported": m.get("records_reported"),
                "n_records_retrieved": m.get("records_retrieved"),
                "pages": len(files),
                "pages_sha256": "; ".join(f"{f.get('path')}={f.get('sha256')}" for f in files),
                "complete": "true",
                "status": "collected",
                "manifest": _rel(manifest_path, root),
            }
        )
    return rows


def search_log(
    protocol: Protocol,
    raw_root: Path | str | None = None,
    *,
    read: Sequence[Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per run of every protocol source (PRISMA-S items 1, 8, 9, 12, 13, 15).

    ``read`` is the table of the files the records were read from (``raw_files.csv``, written
    by ``review normalise`` after checking every file against its manifest): each run's files
    and their sha256 are then those that were read, and ``n_records_read`` the records read
    from them, so the log states what the review used, never what a manifest once said.
    """
    root = Path(protocol.root)
    raw = Path(raw_root) if raw_root is not None else root / "data" / "raw"
    if not raw.is_absolute() and not raw.exists():
        raw = root / raw
    rows: list[dict[str, Any]] = []
    for source in protocol.sources:
        if source["kind"] == "database":
            rows.extend(database_rows(source, raw, root))
        else:
            rows.extend(collection_rows(source, root))
    if read is not None:
        _from_what_was_read(rows, read, root)
    return rows


def _from_what_was_read(
    rows: list[dict[str, Any]], read: Sequence[Mapping[str, str]], root: Path
) -> None:
    by_run: dict[tuple[str, str], list[Mapping[str, str]]] = {}
    for f in read:
        by_run.setdefault((f["source_id"], f.get("run_id", "")), []).append(f)
    for row in rows:
        files = by_run.get((str(row["source_id"]), str(row.get("run_id") or "")))
        if not row.get("run_id") or str(row.get("complete")) != "true":
            continue  # not searched, or an open run: nothing of it was read
        if not files:
            row["n_records_read"] = 0
            row["status"] = f"{row.get('status', '')}; not read".strip("; ")
            continue
        folder = Path(files[0]["manifest"]).parent
        row["pages"] = len(files)
        row["pages_sha256"] = "; ".join(
            f"{_relative_to(Path(f['file']), folder)}={f['sha256']}" for f in files
        )
        row["n_records_read"] = sum(int(f["records"]) for f in files if f.get("records"))


def _relative_to(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


def write_search_log(rows: list[dict[str, Any]], path: Path | str) -> None:
    """Write the search log (known columns first, any others after). Queries may start with
    "+" or "-" (Semantic Scholar): the contract keeps spreadsheets from running them."""
    extra = [k for row in rows for k in row if k not in LOG_COLUMNS]
    write_table(path, rows, contract("search_log"), columns=[*LOG_COLUMNS, *dict.fromkeys(extra)])

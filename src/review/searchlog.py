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


def collection_manifest(source: dict[str, Any], root: Path) -> Path | None:
    path = source.get("path")
    if not path:
        return None
    full = root / path
    folder = full if full.is_dir() else full.parent
    manifest = folder / MANIFEST
    return manifest if manifest.is_file() else None


def collection_row(source: dict[str, Any], root: Path) -> dict[str, Any]:
    base = {
        "source_id": source["id"],
        "kind": source["kind"],
        "database": source.get("database") or "",
        "query": " ".join(str(source.get("query") or source.get("method") or "").split()),
        "justification": source.get("justification", ""),
    }
    manifest_path = collection_manifest(source, root)
    if manifest_path is None:
        return {**base, "status": f"no {MANIFEST} beside {source.get('path', '')}"}
    m = read_json(manifest_path)
    files = m.get("files") or []
    date = m.get("date_last_searched") or (m.get("snapshot_taken") or "")[:10]
    return {
        **base,
        "database": m.get("database") or base["database"],
        "platform": m.get("platform", ""),
        "run_id": m.get("run_id", ""),
        "run_kind": m.get("run_kind", ""),
        "previous_run_id": m.get("previous_run_id") or "",
        "query_as_executed": m.get("query_as_executed") or m.get("method") or "",
        "filters": _json(m.get("filters")),
        "executed_at": date,
        "finished_at": m.get("snapshot_taken", ""),
        "coverage_to": date,
        "n_hits_reported": m.get("records_reported"),
        "n_records_retrieved": m.get("records_retrieved"),
        "pages": len(files),
        "pages_sha256": "; ".join(f"{f.get('path')}={f.get('sha256')}" for f in files),
        "complete": "true",
        "status": "collected",
        "manifest": _rel(manifest_path, root),
    }


def search_log(protocol: Protocol, raw_root: Path | str | None = None) -> list[dict[str, Any]]:
    """One row per run of every protocol source (PRISMA-S items 1, 8, 9, 12, 13, 15)."""
    root = Path(protocol.root)
    raw = Path(raw_root) if raw_root is not None else root / "data" / "raw"
    if not raw.is_absolute() and not raw.exists():
        raw = root / raw
    rows: list[dict[str, Any]] = []
    for source in protocol.sources:
        if source["kind"] == "database":
            rows.extend(database_rows(source, raw, root))
        else:
            rows.append(collection_row(source, root))
    return rows


def write_search_log(rows: list[dict[str, Any]], path: Path | str) -> None:
    """Write the search log (known columns first, any others after). Queries may start with
    "+" or "-" (Semantic Scholar): the contract keeps spreadsheets from running them."""
    extra = [k for row in rows for k in row if k not in LOG_COLUMNS]
    write_table(path, rows, contract("search_log"), columns=[*LOG_COLUMNS, *dict.fromkeys(extra)])

"""``fulltext.csv``: the retrieval status of every study, and the text of every file at hand.

Rebuilt on every run, offline, from ``data/raw/fulltext`` and the title/abstract decisions: a
study with a file (a reviewer's, preferred, or a retrieved one whose sha256 still matches the
manifest) is ``added_by_reviewer`` or ``retrieved``; a study included at title/abstract without
one is ``not_retrieved``, with the reason its latest retrieval run gave (``not_attempted`` when
none tried); any other study is ``not_sought``. Each file is read (:mod:`review.fulltext.reading`)
into ``<pages>/<study_id>.pages.jsonl``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.fulltext.added import AddedFile, added_files
from review.fulltext.reading import read_file
from review.fulltext.store import Store
from review.screening.ledger import parse_timestamp
from review.states import NotRetrievedReason as Why
from review.states import RetrievalStatus as Status
from review.tables import contract, write_jsonl, write_table

#: When attempts failed for several reasons, the study's reason is the first of these.
REASON_ORDER = (Why.TOO_LARGE, Why.PAYWALLED, Why.NOT_FULL_TEXT, Why.BROKEN_LINK, Why.NO_OA_COPY)
PAGES_SUFFIX = ".pages.jsonl"


@dataclass
class FulltextTable:
    rows: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    pages_written: int = 0


def _reason(failed: Sequence[Mapping[str, Any]]) -> str:
    reasons = {str(e.get("reason") or "") for e in failed}
    return next((r.value for r in REASON_ORDER if r.value in reasons), Why.NO_OA_COPY.value)


def build(
    studies: Sequence[Mapping[str, str]],
    sought: set[str],
    store: Store,
    pages_dir: str | Path,
) -> FulltextTable:
    """The rows of ``fulltext.csv``; each file's pages written under ``pages_dir``."""
    pages_dir = Path(pages_dir)
    entries = store.entries()
    added, problems = added_files(store)
    by_added: dict[str, AddedFile] = {a.study_id: a for a in added}
    retrieved: dict[str, Mapping[str, Any]] = {}
    e: Mapping[str, Any]
    failures: dict[str, list[Mapping[str, Any]]] = {}
    last_run: dict[str, str] = {}
    for e in entries:
        sid = str(e["study_id"])
        if e["kind"] == "download" and e["outcome"] == "retrieved":
            if store.verified(e) is not None:
                retrieved[sid] = e  # the latest retrieved file wins
        elif e["kind"] == "download" and e["outcome"] == "failed":
            run = str(e.get("run_id") or "")
            if run != last_run.get(sid):
                last_run[sid], failures[sid] = run, []
            failures[sid].append(e)
    unknown = sorted(set(by_added) - {s["study_id"] for s in studies})
    problems += [
        f"{by_added[s].path}: study {s} is not a study of studies.csv; ignored" for s in unknown
    ]
    pages_dir.mkdir(parents=True, exist_ok=True)
    for old in pages_dir.glob(f"*{PAGES_SUFFIX}"):
        old.unlink()
    out = FulltextTable([], problems)
    for study in studies:
        sid = study["study_id"]
        row: dict[str, Any] = dict.fromkeys(contract("fulltext").names, "")
        row["study_id"] = sid
        path: Path | None = None
        if sid in by_added:
            a = by_added[sid]
            path = a.path
            row.update(
                status=Status.ADDED_BY_REVIEWER.value,
                file=store.name(a.path),
                sha256=a.sha256,
                media_type=a.media_type,
                found_via="added by a reviewer",
                added_by=a.reviewer,
                detail=a.note,
                retrieved_at=a.added_at if parse_timestamp(a.added_at) else "",
            )
        elif sid in retrieved:
            e = retrieved[sid]
            path = store.resolve(str(e["file"]))
            row.update(
                status=Status.RETRIEVED.value,
                file=e["file"],
                sha256=e["sha256"],
                media_type=e["media_type"],
                source_url=e.get("final_url") or e.get("url", ""),
                found_via=e.get("found_via", ""),
                licence=e.get("licence", ""),
                retrieved_at=e.get("at", ""),
                detail=e.get("message", ""),
            )
        elif sid in sought:
            failed = failures.get(sid, [])
            row["status"] = Status.NOT_RETRIEVED.value
            if failed:
                row["reason"] = _reason(failed)
                row["detail"] = " | ".join(
                    f"{f.get('url') or f.get('found_via')}: {f.get('message')}" for f in failed
                )[:2000]
            else:
                row["reason"] = Why.NOT_ATTEMPTED.value
                row["detail"] = (
                    "no retrieval run has tried it (review fulltext --live), and no file was added"
                )
        else:
            row["status"] = Status.NOT_SOUGHT.value
        if path is not None:
            reading = read_file(path, row["media_type"], sid)
            row["text_status"] = reading.status
            row["text_problem"] = reading.problem
            row["n_pages"] = len(reading.pages)
            if reading.pages:
                target = pages_dir / f"{sid}{PAGES_SUFFIX}"
                write_jsonl(target, reading.pages, contract("fulltext_pages"))
                row["text_file"] = target.as_posix()
                out.pages_written += 1
        out.rows.append(row)
    return out


def write(table: FulltextTable, path: str | Path) -> Path:
    return write_table(path, table.rows, contract("fulltext"))

"""``review dedup``: group records of the same study, for the workflow or for any export files.

Two uses, one engine (:func:`review.dedup.deduplicate`):

- the workflow: ``review dedup --records data/interim/records.csv --overrides
  data/decisions/dedup_overrides.csv -o data/interim``;
- standalone: ``review dedup FILE... -o OUTDIR`` on CSV, RIS, BibTeX or EndNote XML exports;
  ``OUTDIR/clusters.csv`` then names each record by the export's own id (or its row number
  when the export has no ids), so it can be joined back to the file.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

from review.dedup import deduplicate, explain, read_overrides, write_outputs
from review.errors import DecisionError, InputFormatError
from review.records import RECORD_COLUMNS, Record, read_records

_HASH_ID = re.compile(r"^[0-9a-f]{12}$")  # review.records.content_id: the export had no id
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dedup",
        help="group records of the same study (records table or export files)",
        description="Deduplicate records into studies. Writes OUTDIR/studies.csv, clusters.csv "
        "(record_id,study_id), dedup_links.csv (every merged pair, its scores and the rule "
        "that fired), dedup_review.csv (near misses for a reviewer) and dedup_issues.csv "
        "(records with bad input).",
    )
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="export files (CSV, RIS, BibTeX, EndNote XML) or a records table",
    )
    p.add_argument(
        "--records",
        type=Path,
        action="append",
        default=[],
        help="a records table (data/interim/records.csv); may be repeated",
    )
    p.add_argument(
        "--overrides",
        type=Path,
        default=None,
        help="reviewers' merge/split overrides (record_id_a,record_id_b,action,...)",
    )
    p.add_argument(
        "--strict-overrides",
        action="store_true",
        help="fail when an override names a record that is not in the input",
    )
    p.add_argument("--format", default="auto", help="export format of FILE (default: detect)")
    p.add_argument("-o", "--outdir", type=Path, default=None, help="folder for the outputs")
    p.add_argument("--explain", action="store_true", help="print the decision rules and exit")
    p.set_defaults(func=run)


def _is_records_table(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as fh:
        first = fh.readline(65536).decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first]), [])
    return {"record_id", "source_id", "prov_file"} <= set(header) and set(header) <= set(
        RECORD_COLUMNS
    )


def _source_id(path: Path, used: set[str]) -> str:
    base = _SAFE.sub("_", path.stem).strip("_.-") or "file"
    base = base if base[0].isalnum() else f"f{base}"
    sid, n = base, 1
    while sid in used:
        n += 1
        sid = f"{base}-{n}"
    used.add(sid)
    return sid


def _own_id(record: Record) -> str:
    """The export's own id of a record, or its row number when the export gave none."""
    local = record.record_id.split(":", 1)[1] if ":" in record.record_id else record.record_id
    if _HASH_ID.match(local) and record.prov_position is not None:
        return str(record.prov_position)
    return local


def load_inputs(args: argparse.Namespace) -> tuple[list[Record], dict[str, dict[str, str]]]:
    """All records of the inputs, and the extra clusters.csv columns of export records."""
    from review.importers import import_file

    records: list[Record] = []
    extra: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    tables = list(args.records)
    exports = []
    for path in args.files:
        if not path.is_file():
            raise InputFormatError("file not found", path=path)
        (tables if _is_records_table(path) else exports).append(path)
    for path in tables:
        records.extend(read_records(path))
    for path in exports:
        result = import_file(path, source_id=_source_id(path, used), fmt=args.format)
        for warning in result.warnings:
            print(f"review dedup: warning: {warning}", file=sys.stderr)
        for rec in result.records:
            extra[rec.record_id] = {"record_id": _own_id(rec), "file": str(path)}
        records.extend(result.records)
    return records, extra


def run(args: argparse.Namespace) -> int:
    if args.explain:
        print(explain())
        return 0
    if args.outdir is None or not (args.files or args.records):
        raise InputFormatError("give input FILE(s) or --records, and -o OUTDIR")
    records, extra = load_inputs(args)
    overrides = read_overrides(args.overrides) if args.overrides else []
    result = deduplicate(records, overrides)
    if result.warnings and args.strict_overrides:
        raise DecisionError("; ".join(result.warnings))
    if extra:
        n_files = len({e["file"] for e in extra.values()})
        for row in result.clusters:
            own = extra.get(row["record_id"])
            if own:
                row["record_id"] = own["record_id"]
                if n_files > 1:
                    row["file"] = own["file"]
    paths = write_outputs(
        result, args.outdir, with_file=bool(extra) and len({e["file"] for e in extra.values()}) > 1
    )
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(
        f"read {len(records)} records; {len(result.studies)} studies; "
        f"{len(result.links)} merged pairs from {result.n_candidates} candidate pairs"
    )
    for rule, n in Counter(link["rule"] for link in result.links).most_common():
        print(f"  rule {rule}: {n}")
    issues = Counter(i.issue for i in result.issues)
    for issue, n in sorted(issues.items()):
        print(f"input issue {issue}: {n} record(s) (see {paths['issues']})")
    for i in result.issues[:20]:
        print(f"  {i.record_id}: {i.issue}: {i.detail}")
    print(f"{len(result.review)} pair(s) for a reviewer to check in {paths['review']}")
    if result.oversized_blocks:
        print(
            f"{result.oversized_blocks} blocking key(s) too common to compare exhaustively "
            "(compared by sorted neighbourhood)"
        )
    for name, path in paths.items():
        print(f"wrote {name}: {path}")
    return 0

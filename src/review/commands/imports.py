"""``review import``: read export files (RIS, BibTeX, EndNote XML and tagged, Web of Science,
MEDLINE, CSV) into a records table."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from review.errors import ReviewError, SchemaError
from review.importers import SUPPORTED_FORMATS, read_files, supported_formats_text
from review.records import write_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="read export files (RIS, BibTeX, EndNote, Web of Science, MEDLINE, CSV) into records",
        description="Read bibliographic export files into the common records table. The format "
        f"is detected from each file's content unless --format is given. Formats: "
        f"{supported_formats_text()}. Nothing is written unless every file reads cleanly; "
        "what was accepted although it is not part of a format is reported as a warning.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="export file(s)")
    p.add_argument(
        "-o", "--output", type=Path, required=True, metavar="OUT.csv", help="records table to write"
    )
    p.add_argument(
        "--format",
        dest="fmt",
        default="auto",
        choices=("auto", *SUPPORTED_FORMATS),
        help="format of every FILE (default: detect each file's format)",
    )
    p.add_argument(
        "--source-id",
        help="prefix of the record ids (default: each file's name, e.g. scopus_2024 for "
        "scopus-2024.ris)",
    )
    p.add_argument("--source-kind", default="file", help="PRISMA source kind (default: file)")
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="write an empty table when the files hold no records (a search with no hits); "
        "without it, no records is an error",
    )
    p.set_defaults(func=run)


def default_source_id(path: Path) -> str:
    """A source id from a file name: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "import"


def run(args: argparse.Namespace) -> int:
    if args.output.is_dir():
        raise ReviewError(
            f"-o {args.output} is a folder; give the file to write, e.g. "
            f"{args.output / 'records.csv'}"
        )
    if args.source_id:
        results = read_files(
            args.files, source_id=args.source_id, fmt=args.fmt, source_kind=args.source_kind
        )
    else:
        results = [
            r
            for path in args.files
            for r in read_files(
                [path],
                source_id=default_source_id(path),
                fmt=args.fmt,
                source_kind=args.source_kind,
            )
        ]
    records = [record for result in results for record in result.records]
    # Distinct sources never share ids, but two files named alike could: fail before writing.
    seen: set[str] = set()
    for record in records:
        if record.record_id in seen:
            raise SchemaError(
                f"record id {record.record_id!r} comes from two files; give --source-id to "
                "import them as one source"
            )
        seen.add(record.record_id)
    for result in results:
        for warning in result.warnings:
            print(f"review import: warning: {warning}", file=sys.stderr)
    if not records and not args.allow_empty:
        raise ReviewError(
            f"no records in {', '.join(str(f) for f in args.files)}; nothing written (give "
            "--allow-empty if the search really found nothing)"
        )
    write_records(args.output, records)
    for result in results:
        untitled = sum(1 for r in result.records if not r.title)
        extra = f", {untitled} without a title" if untitled else ""
        n = len(result.records)
        print(
            f"{result.path}: {n} record{'' if n == 1 else 's'} ({result.format}, "
            f"{result.encoding}{extra})"
        )
    print(f"wrote {len(records)} records to {args.output}")
    return 0

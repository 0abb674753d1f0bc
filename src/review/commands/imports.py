"""``review import``: read export files (RIS, BibTeX, EndNote XML, CSV) into a records table."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from review.errors import SchemaError
from review.importers import SUPPORTED_FORMATS, read_files, supported_formats_text
from review.records import write_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="read export files (RIS, BibTeX, EndNote XML, Scopus/PoP/Garuda CSV) into records",
        description="Read bibliographic export files into the common records table. The format "
        f"is detected from each file's content unless --format is given. Formats: "
        f"{supported_formats_text()}. Nothing is written unless every file reads cleanly.",
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
    p.set_defaults(func=run)


def default_source_id(path: Path) -> str:
    """A source id from a file name: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "import"


def run(args: argparse.Namespace) -> int:
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

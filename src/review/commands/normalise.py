"""``review normalise``: read every protocol source into ``data/interim/records.csv``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review.commands._options import add_protocol, add_searched, add_table, print_searched
from review.normalise import RAW_DIR, counts_by_source, gather_records
from review.protocol import load_protocol
from review.records import write_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "normalise",
        help="read every source of the protocol into one records table",
        description="Read every source named in the protocol (database runs in the raw folder, "
        "imported files, website collections) and write the common records table.",
    )
    add_protocol(p)
    p.add_argument(
        "--raw-root",
        type=Path,
        default=None,
        metavar="FOLDER",
        help=f"the committed search runs, <source>/<run-id>/ (default: {RAW_DIR} in the "
        "project of the protocol)",
    )
    add_searched(p)
    add_table(p, "output", "records", "where to write the records table", "-o")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    print_searched(args.searched)
    gathered = gather_records(protocol, raw_root=args.raw_root)
    records = gathered.records
    for warning in gathered.warnings:
        print(f"review normalise: warning: {warning}", file=sys.stderr)
    write_records(args.output, records)
    for source, n in counts_by_source(records).items():
        print(f"{source}: {n} records")
    print(f"wrote {len(records)} records to {args.output}")
    return 0

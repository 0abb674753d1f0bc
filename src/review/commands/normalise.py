"""``review normalise``: read every protocol source into ``data/interim/records.csv``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review.commands._options import add_protocol, add_searched, add_table, print_searched
from review.integrity import check_raw_files, check_record_counts
from review.normalise import RAW_DIR, counts_by_source, gather_records
from review.protocol import load_protocol
from review.records import write_records
from review.tables import contract, write_table


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
    add_table(p, "raw-files", "raw_files", "where to write the table of files read")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    print_searched(args.searched)
    # Every committed file is checked against its manifest before anything is read ...
    files = check_raw_files(protocol, raw_root=args.raw_root)
    gathered = gather_records(protocol, raw_root=args.raw_root)
    # ... and gave as many records as its manifest says, before anything is written.
    check_record_counts(files, gathered.read_counts)
    records = gathered.records
    for warning in gathered.warnings:
        print(f"review normalise: warning: {warning}", file=sys.stderr)
    write_records(args.output, records)
    write_table(args.raw_files, [f.row() for f in files], contract("raw_files"))
    print(f"checked {len(files)} raw file(s) against their manifests: {args.raw_files}")
    for source, n in counts_by_source(records).items():
        print(f"{source}: {n} records")
    print(f"wrote {len(records)} records to {args.output}")
    return 0

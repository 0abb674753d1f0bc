"""``review normalise``: read every protocol source into ``data/interim/records.csv``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review.normalise import counts_by_source, gather_records
from review.protocol import DEFAULT_PROTOCOL, load_protocol
from review.records import write_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "normalise",
        help="read every source of the protocol into one records table",
        description="Read every source named in the protocol (database runs in data/raw, "
        "imported files, website collections) and write the common records table.",
    )
    p.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL)
    p.add_argument("-o", "--output", type=Path, default=Path("data/interim/records.csv"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    gathered = gather_records(protocol)
    records = gathered.records
    for warning in gathered.warnings:
        print(f"review normalise: warning: {warning}", file=sys.stderr)
    write_records(args.output, records)
    for source, n in counts_by_source(records).items():
        print(f"{source}: {n} records")
    print(f"wrote {len(records)} records to {args.output}")
    return 0

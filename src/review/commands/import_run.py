"""``review import-run SOURCE FILE...``: record an export or a web collection as a run of a
protocol source, with a manifest (sha256 and record count of every file, the search date and
what was searched), so that every later run checks the files against it and the search log
lists the run. A run is never changed: new records are a new run."""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands._options import add_protocol
from review.protocol import load_protocol


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-run",
        help="record export files or a web collection as a new run of a file/website source",
        description="Record FILE(s) as a new run of SOURCE (a `file` or `websites` source of the "
        "protocol): they are copied into a new run folder beside the source's earlier runs with "
        "a manifest.json giving each file's sha256 and record count, the date of the search and "
        "the run it follows. Files already in the source's folder that no manifest records are "
        "recorded where they are. Every later run checks the files against the manifest.",
    )
    add_protocol(p)
    p.add_argument("source", help="the protocol source the files belong to")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="the export file(s)")
    p.add_argument("--run-id", help="the run folder's name (default: the UTC time, as searches)")
    p.add_argument("--searched-on", metavar="DATE", help="date of the search (default: today)")
    p.add_argument("--database", help="the database or site searched (PRISMA-S item 1)")
    p.add_argument("--platform", help="the platform or interface used")
    p.add_argument("--query", help="the query exactly as run (PRISMA-S item 8)")
    p.add_argument("--method", help="how the records were collected, when not a query")
    p.add_argument("--reported", type=int, metavar="N", help="hits the database reported")
    p.add_argument(
        "--allow-empty", action="store_true", help="record a file with no records (no hits)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.importruns import record_run

    protocol = load_protocol(args.protocol)
    recorded = record_run(
        protocol,
        args.source,
        list(args.files),
        run_id=args.run_id,
        searched_on=args.searched_on,
        details={
            "database": args.database,
            "platform": args.platform,
            "query": args.query,
            "method": args.method,
            "records_reported": args.reported,
        },
        allow_empty=args.allow_empty,
    )
    m = recorded.manifest
    print(
        f"recorded run {m['run_id']} of {m['source_id']} ({m['run_kind']}"
        + (f", after {m['previous_run_id']}" if m.get("previous_run_id") else "")
        + f"): {m['records_retrieved']} records in {len(m['files'])} file(s), "
        f"{recorded.folder / 'manifest.json'}"
    )
    if recorded.protocol_note:
        print(f"note: {recorded.protocol_note}")
    return 0

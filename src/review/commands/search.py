"""``review search``, ``review update`` and ``review search-log``: live database searches.

Offline by default: without ``--live`` nothing touches the network, and the workflow keeps
using the runs already in ``data/raw/``. Keys come from the environment only
(``OPENALEX_API_KEY``, ``S2_API_KEY``, ``ZOTERO_API_KEY``, ``CROSSREF_PLUS_TOKEN``); the contact
e-mail from ``REVIEW_CONTACT_EMAIL`` or the protocol's ``contact_email``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from review import atomic
from review.commands._options import add_searched, add_table, layout, print_searched
from review.errors import SearchError
from review.exitcodes import DATA_ERROR, PARTIAL
from review.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol
from review.tables import contract, read_table

if TYPE_CHECKING:
    from review.searchruns import RunResult

# The search machinery (requests, pyzotero, every connector) is imported by the functions that
# search: the CLI builds this parser for every `review` command, and each workflow rule is one.

RAW_ROOT = Path("data/raw")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="search one database source of the protocol (needs --live)",
        description="Run (or resume) a search of one database source and keep every page "
        "with a PRISMA-S manifest in data/raw/<source>/<run-id>/. Offline by default: "
        "without --live it only says what it would do.",
    )
    p.add_argument("source_id", help="a database source id of the protocol")
    _common(p)
    p.add_argument("--max-records", type=int, default=None, help="stop after N records")
    p.add_argument(
        "--status",
        type=Path,
        default=None,
        help="also write a small JSON summary of the run here (the workflow's output)",
    )
    p.add_argument(
        "--update",
        action="store_true",
        help="ask only for records added since the last complete run",
    )
    p.set_defaults(func=run_search)

    u = sub.add_parser(
        "update",
        help="update every database source (records added since its last run; needs --live)",
        description="For every database source, ask only for records created/indexed since "
        "its last complete run, as a new run beside the old ones.",
    )
    _common(u)
    u.set_defaults(func=run_update)

    g = sub.add_parser(
        "search-log",
        help="write the PRISMA-S search log (data/interim/search_log.csv) from the manifests",
    )
    g.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL)
    g.add_argument("--raw-root", type=Path, default=RAW_ROOT)
    add_searched(g)
    add_table(
        g,
        "raw-files",
        "raw_files",
        "the files normalise read and checked (their sha256 and records go in the log)",
        optional=True,
    )
    g.add_argument("-o", "--output", type=Path, default=Path("data/interim/search_log.csv"))
    g.set_defaults(func=run_search_log)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL)
    p.add_argument("--raw-root", type=Path, default=RAW_ROOT)
    p.add_argument("--live", action="store_true", help="allow network access (off by default)")


def _offline(what: str) -> int:
    print(
        f"review: offline by default: {what} needs the network; pass --live to run it. "
        "Nothing was searched; the workflow uses the runs already in data/raw/.",
        file=sys.stderr,
    )
    return 2


def _report(result: RunResult, source_id: str) -> None:
    reported = "?" if result.records_reported is None else result.records_reported
    again = " (resumed)" if result.resumed else ""
    print(
        f"{source_id}: run {result.run_id}{again}: {result.records_retrieved} records retrieved "
        f"of {reported} reported ({result.stop_reason}) in {result.path}"
    )


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


def _run_one(
    protocol: Protocol, source_id: str, args: argparse.Namespace, *, update: bool
) -> RunResult:
    from review.searchruns import connector_class, search

    source = protocol.source(source_id)
    connector_class(source)  # a file or web source is a protocol error before any request
    result = search(
        source,
        raw_root=args.raw_root,
        update=update,
        max_records=getattr(args, "max_records", None),
        email=protocol.contact_email,
    )
    _report(result, source_id)
    return result


def run_search(args: argparse.Namespace) -> int:
    from review.searchruns import connector_class

    protocol = load_protocol(args.protocol)
    source = protocol.source(args.source_id)
    connector_class(source)
    if not args.live:
        return _offline(f"searching {args.source_id} ({source['database']})")
    _setup_logging()
    result = _run_one(protocol, args.source_id, args, update=args.update)
    if args.status is not None:
        atomic.write_json(
            args.status,
            {
                "source_id": args.source_id,
                "run_id": result.run_id,
                "run_folder": result.path.as_posix(),
                "records_retrieved": result.records_retrieved,
                "records_reported": result.records_reported,
                "stop_reason": result.stop_reason,
                "resumed": result.resumed,
            },
        )
    return 0


def run_update(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    ids = [s["id"] for s in protocol.sources if s["kind"] == "database"]
    if not args.live:
        return _offline(f"updating {', '.join(ids) or 'no database source'}")
    _setup_logging()
    failed = []
    for source_id in ids:
        # One database failing (a spent budget, an outage) must not keep the others stale.
        try:
            _run_one(protocol, source_id, args, update=True)
        except SearchError as exc:
            print(f"review update: {source_id}: {exc}", file=sys.stderr)
            failed.append(source_id)
    if failed:
        print(
            f"review update: not complete for {', '.join(failed)}; rerun to resume them",
            file=sys.stderr,
        )
        return PARTIAL if len(failed) < len(ids) else DATA_ERROR
    return 0


def run_search_log(args: argparse.Namespace) -> int:
    from review.searchlog import search_log, write_search_log

    protocol = load_protocol(args.protocol)
    print_searched(args.searched)
    # Not given: the project's own (beside its protocol), when normalise has written it.
    default = Path(protocol.root) / layout("raw_files")
    raw_files = args.raw_files or (default if default.is_file() else None)
    read = read_table(raw_files, contract("raw_files")) if raw_files else None
    rows = search_log(protocol, args.raw_root, read=read)
    write_search_log(rows, args.output)
    print(f"wrote {len(rows)} search-log rows to {args.output}")
    return 0

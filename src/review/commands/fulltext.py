"""``review fulltext``: retrieve, add and read the reports; write their retrieval status.

- ``review fulltext`` (rule ``build_fulltext_status``) reads what is in ``data/raw/fulltext/``
  (retrieved files, the manifest, reviewers' files) and writes ``data/interim/fulltext.csv``
  and each file's text, page by page, under ``data/interim/fulltext/``. Offline.
- ``review fulltext --live`` first retrieves the reports of the studies included at
  title/abstract (rule ``retrieve_fulltext`` with ``--retrieve-only``: off by default, like the
  searches; ``review run --live``). Open-access locations come from the harvested search
  pages, the records' addresses and Unpaywall by DOI (``REVIEW_CONTACT_EMAIL`` or the
  protocol's ``contact_email``; ``REVIEW_UNPAYWALL_BASE_URL`` points it at a mirror). An
  interrupted run resumes; a file is never fetched twice.
- ``review fulltext add FILE --study ID --reviewer NAME`` adds a report the pipeline cannot
  fetch (paywalled, sent by the authors): copied to ``data/raw/fulltext/added/<ID>.<ext>``,
  hashed, and recorded with who added it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from review import atomic
from review.commands._options import add_protocol, add_table
from review.fulltext.store import ROOT as STORE_ROOT
from review.protocol import load_protocol
from review.tables import contract, read_table

DECISIONS = Path("data/decisions/screening")
RAW_ROOT = Path("data/raw")
PAGES = Path("data/interim/fulltext")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fulltext",
        help="retrieve (--live), add and read full texts; write fulltext.csv",
        description="The full-text stage. Without an action: read data/raw/fulltext/ and "
        "write the retrieval status of every study (fulltext.csv) and the text of every file, "
        "page by page; with --live, retrieve the reports of the studies included at "
        "title/abstract first. 'add FILE --study ID --reviewer NAME' adds a report by hand.",
    )
    p.add_argument("action", nargs="?", choices=["add"], help="add: add a report by hand")
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the report to add")
    p.add_argument("--study", help="add: the study the file is the report of")
    p.add_argument("--reviewer", help="add: who adds it (a reviewer id)")
    p.add_argument("--note", default="", help="add: where the file came from")
    p.add_argument("--replace", action="store_true", help="add: replace an added file")
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "clusters", "clusters", "record -> study (review dedup)")
    add_table(p, "records", "records", "the records: their addresses and stored search pages")
    p.add_argument(
        "--decisions",
        type=Path,
        default=DECISIONS,
        metavar="FOLDER",
        help=f"the screening ledgers: which studies are sought (default: {DECISIONS})",
    )
    p.add_argument(
        "--raw-root",
        type=Path,
        default=RAW_ROOT,
        metavar="FOLDER",
        help=f"the search runs whose pages name open-access locations (default: {RAW_ROOT})",
    )
    p.add_argument(
        "--store",
        type=Path,
        default=STORE_ROOT,
        metavar="FOLDER",
        help=f"retrieved and added full texts and their manifest (default: {STORE_ROOT})",
    )
    add_table(p, "table", "fulltext", "where to write the retrieval status")
    p.add_argument(
        "--pages",
        type=Path,
        default=PAGES,
        metavar="FOLDER",
        help=f"where to write each file's text, <study_id>.pages.jsonl (default: {PAGES})",
    )
    p.add_argument("--live", action="store_true", help="retrieve from the internet first")
    p.add_argument(
        "--retrieve-only",
        action="store_true",
        help="with --live: only retrieve (the workflow's retrieve_fulltext rule)",
    )
    p.add_argument(
        "--retrieval-status",
        type=Path,
        default=None,
        metavar="PATH",
        help="with --live: where to write what the retrieval did (JSON)",
    )
    p.add_argument(
        "--retrieved",
        type=Path,
        nargs="*",
        default=[],
        metavar="STATUS",
        help="status files of the retrieval run just before (named in the log)",
    )
    p.add_argument(
        "--max-mb",
        type=float,
        default=None,
        help="size limit of one download in MB (default: the protocol's fulltext.max_mb, or 50)",
    )
    p.add_argument("--no-unpaywall", action="store_true", help="do not ask Unpaywall")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.errors import ReviewError
    from review.fulltext.store import Store

    store = Store(args.store)
    if args.action == "add":
        return _add(args, store)
    if args.file is not None:
        raise ReviewError(f"{args.file}: a file is given only with the action 'add'")
    if args.retrieve_only and not args.live:
        raise ReviewError("--retrieve-only retrieves, which needs --live")
    protocol = load_protocol(args.protocol)
    sought = _sought(protocol, args)
    if args.live:
        _retrieve(protocol, args, store, sought)
        if args.retrieve_only:
            return 0
    for path in args.retrieved:
        status = json.loads(path.read_text(encoding="utf-8"))
        print(
            f"after the retrieval run {status.get('run_id')}: {status.get('retrieved')} "
            f"retrieved, {status.get('not_retrieved')} not"
        )
    return _status(args, store, sought)


def _sought(protocol: object, args: argparse.Namespace) -> set[str]:
    """Studies included at title/abstract (after resolutions): their reports are sought."""
    from review.screening.state import build_from_files
    from review.states import SOUGHT

    state, _ = build_from_files(
        protocol,  # type: ignore[arg-type]
        studies=args.studies,
        clusters=args.clusters,
        decisions=args.decisions,
        rank=False,  # only the states are needed here
    )
    return {r["study_id"] for r in state.rows if r["state"] in SOUGHT}


def _retrieve(protocol: object, args: argparse.Namespace, store: object, sought: set[str]) -> None:
    from review.fulltext.locations import PageReader
    from review.fulltext.retrieve import Retrieval
    from review.records import split_list

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    studies = read_table(args.studies, contract("studies"))
    records = {r["record_id"]: r for r in read_table(args.records, contract("records"))}
    by_study = {
        s["study_id"]: [records[rid] for rid in split_list(s["record_ids"]) if rid in records]
        for s in studies
    }
    fulltext = getattr(protocol, "fulltext", {})
    max_mb = args.max_mb if args.max_mb is not None else float(fulltext.get("max_mb", 50))
    sources = {s["id"]: s for s in getattr(protocol, "sources", [])}
    retrieval = Retrieval(
        store=store,  # type: ignore[arg-type]
        pages=PageReader(args.raw_root, sources),
        email=getattr(protocol, "contact_email", ""),
        max_bytes=int(max_mb * 1024 * 1024),
        unpaywall=not args.no_unpaywall,
    )
    result = retrieval.run(sorted(sought), by_study)
    again = " (resumed)" if result.resumed else ""
    print(
        f"retrieval run {result.run_id}{again}: {result.sought} reports sought; "
        f"{result.already} already at hand, {result.attempted} tried: {result.retrieved} "
        f"retrieved, {len(result.failed)} not"
    )
    if args.retrieval_status is not None:
        atomic.write_json(
            args.retrieval_status,
            {
                "run_id": result.run_id,
                "sought": result.sought,
                "already": result.already,
                "retrieved": result.retrieved,
                "not_retrieved": len(result.failed),
                "resumed": result.resumed,
            },
        )


def _status(args: argparse.Namespace, store: object, sought: set[str]) -> int:
    from review.fulltext import status

    studies = read_table(args.studies, contract("studies"))
    table = status.build(studies, sought, store, args.pages)  # type: ignore[arg-type]
    status.write(table, args.table)
    for problem in table.problems:
        print(f"warning: {problem}", file=sys.stderr)
    counts = Counter(r["status"] for r in table.rows)
    reasons = Counter(r["reason"] for r in table.rows if r["reason"])
    texts = Counter(r["text_status"] for r in table.rows if r["text_status"])
    print(
        f"{len(table.rows)} studies: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + (
            " (not retrieved: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")"
            if reasons
            else ""
        )
    )
    if texts:
        print("read: " + ", ".join(f"{k} {v}" for k, v in sorted(texts.items())))
    for row in table.rows:
        if row["text_status"] and row["text_status"] != "extracted":
            print(
                f"warning: {row['study_id']}: {row['file']}: {row['text_status']}: "
                f"{row['text_problem']}",
                file=sys.stderr,
            )
    print(f"wrote {args.table} and {table.pages_written} page file(s) in {args.pages}")
    return 0


def _add(args: argparse.Namespace, store: object) -> int:
    from review.errors import ReviewError
    from review.fulltext import added

    if args.file is None or not args.study or not args.reviewer:
        raise ReviewError("add needs FILE, --study ID and --reviewer NAME")
    known = {r["study_id"] for r in read_table(args.studies, contract("studies"))}
    done = added.add(
        store,  # type: ignore[arg-type]
        args.file,
        study_id=args.study,
        reviewer=args.reviewer,
        known_studies=known,
        note=args.note,
        replace=args.replace,
    )
    print(
        f"added {args.file} for {done.study_id} as {done.path} ({done.media_type}, sha256 "
        f"{done.sha256[:12]}…) by {done.reviewer}; run `review fulltext` (or review run) to read it"
    )
    return 0

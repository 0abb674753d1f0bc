"""``review export``: the studies of chosen screening states as RIS, BibTeX or CSV, or into a
Zotero collection.

``review export --state included -o included.ris`` writes the review's included studies;
``--state`` takes any screening state (``to_screen``, ``excluded_ta``, ...), ``included`` or
``sought``, ``--decision`` a stage decision (``title_abstract=include``); both repeat, and a
study matching any of them is exported. The format follows the file's suffix (``.ris``,
``.bib``, ``.csv``) unless ``--format`` says it. ``--zotero NAME --zotero-library ID`` creates
the collection NAME in that Zotero library and adds the studies (the key with write access
comes from ``ZOTERO_API_KEY`` only). What the RIS file says, ``review import`` reads back.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands._options import add_table, optional_input
from review.errors import ReviewError

FORMATS = {".ris": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".csv": "csv"}


def register(sub: argparse._SubParsersAction) -> None:
    from review.export.select import decision_names, state_names

    p = sub.add_parser(
        "export",
        help="write the studies of chosen screening states as RIS, BibTeX, CSV or to Zotero",
        description="Write the studies of the chosen screening states (default: the included "
        "studies) as RIS, BibTeX or CSV, or add them to a new collection of a Zotero library.",
    )
    p.add_argument(
        "--state",
        action="append",
        default=[],
        metavar="NAME",
        help=f"a screening state to export (repeatable): {', '.join(state_names())}",
    )
    p.add_argument(
        "--decision",
        action="append",
        default=[],
        metavar="STAGE=DECISION",
        help=f"a stage decision to export (repeatable): {', '.join(decision_names())}",
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="the file to write")
    p.add_argument(
        "--format",
        dest="fmt",
        choices=sorted(set(FORMATS.values())),
        help="format of FILE (default: from its suffix: .ris, .bib, .csv)",
    )
    p.add_argument(
        "--zotero",
        metavar="COLLECTION",
        help="create this collection in a Zotero library and add the studies to it "
        "(key with write access: ZOTERO_API_KEY)",
    )
    p.add_argument("--zotero-library", metavar="ID", help="the Zotero library id (with --zotero)")
    p.add_argument(
        "--zotero-library-type",
        choices=("user", "group"),
        default="user",
        help="a user's or a group's library (default: user)",
    )
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    add_table(
        p,
        "fulltext",
        "fulltext",
        "retrieval status (review fulltext): links a retrieved full text",
        optional=True,
    )
    p.set_defaults(func=run)


def output_format(output: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    found = FORMATS.get(output.suffix.lower())
    if found is None:
        raise ReviewError(
            f"-o {output}: cannot tell the format from the suffix {output.suffix!r}; give "
            f"--format ({', '.join(sorted(set(FORMATS.values())))}) or a file ending in "
            f"{', '.join(FORMATS)}"
        )
    return found


def run(args: argparse.Namespace) -> int:
    from review import atomic
    from review.export.bibtex import bibtex_text
    from review.export.ris import ris_text
    from review.export.select import Selection, select_studies
    from review.export.table import write_csv
    from review.screening.state import read_fulltext, read_studies
    from review.tables import contract, read_table

    if args.output is None and not args.zotero:
        raise ReviewError("say where the studies go: -o FILE and/or --zotero COLLECTION")
    if args.zotero and not args.zotero_library:
        raise ReviewError("--zotero needs --zotero-library ID (the library to add them to)")
    fmt = output_format(args.output, args.fmt) if args.output is not None else ""
    default = [] if args.decision else ["included"]
    selection = Selection.parse(args.state or default, args.decision)
    studies = read_studies(args.studies)
    states = read_table(args.screening, contract("screening"))
    chosen = select_studies(studies, states, selection)
    fulltext_path = optional_input(args.fulltext, "fulltext")
    fulltext = read_fulltext(fulltext_path) if fulltext_path is not None else None
    rows = [study for study, _state in chosen]
    what = f"{len(chosen)} studies ({selection.describe()})"
    if args.output is not None:
        if fmt == "csv":
            write_csv(args.output, chosen, fulltext)
        else:
            text = ris_text(rows, fulltext) if fmt == "ris" else bibtex_text(rows, fulltext)
            atomic.write_text(args.output, text)
        print(f"wrote {what} to {args.output} ({fmt})")
    if args.zotero:
        _to_zotero(args, rows, what)
    return 0


def _to_zotero(args: argparse.Namespace, rows: list[dict[str, str]], what: str) -> None:
    from review.sources.zotero import export_studies

    if not rows:
        raise ReviewError(f"no studies to add to Zotero: {what}; no collection was created")
    done = export_studies(
        rows,
        library_id=args.zotero_library,
        library_type=args.zotero_library_type,
        collection_name=args.zotero,
    )
    print(
        f"Zotero {args.zotero_library_type} library {args.zotero_library}: collection "
        f"{args.zotero!r} ({done['collection']}) holds {done['created']} of {what}"
    )
    if done["failed"]:
        first = next(iter(done["failed"].items()))
        raise ReviewError(
            f"Zotero refused {len(done['failed'])} item(s), e.g. item {first[0]}: {first[1]}"
        )

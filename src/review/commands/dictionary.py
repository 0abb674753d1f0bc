"""``review dictionary``: the data dictionary, generated from the table contracts."""

from __future__ import annotations

import argparse
from pathlib import Path

from review import atomic
from review.tables.dictionary import data_dictionary


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dictionary",
        help="write the data dictionary (every table between stages, every column)",
        description="Generate the data dictionary from the table contracts shipped with the "
        "package: every file the stages exchange, who writes and reads it, every column.",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help="write it here (e.g. docs/data-dictionary.md); default: print it",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = data_dictionary()
    if args.output is None:
        print(text, end="")
    else:
        atomic.write_text(args.output, text)
        print(f"wrote {args.output}")
    return 0

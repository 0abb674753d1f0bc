"""``review init DIR``: start a new, empty review (a commented protocol template, the folders,
a ``.gitignore`` for derived files and a README); the default review stays the example."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="start a new, empty review in DIR",
        description="Create a new review in DIR (new or empty; nothing is ever overwritten): "
        "config/protocol.yaml (a commented template: replace every TODO), data/raw/files/ for "
        "your exports, an empty data/decisions/ tree, a .gitignore for derived files and a "
        "README. Then: review check, review run.",
    )
    p.add_argument("directory", type=Path, metavar="DIR", help="the new review's folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.project import init_project

    init_project(args.directory)
    where = args.directory
    print(f"A new review in {where}/. Next:")
    print(f"  1. edit {where}/config/protocol.yaml: replace every TODO (review check lists them)")
    print("  2. record each database export as a run of its source:")
    print("     review import-run SOURCE EXPORT.ris --searched-on DATE --query '…'")
    print(f"  3. cd {where} && review check && review run")
    return 0

"""``review report``: write the report files (review.html/.md, audit.html, PRISMA diagram and CSV,
search log) from the stage outputs; paths default to the project layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from review.protocol import DEFAULT_PROTOCOL, load_protocol
from review.report.inputs import Paths
from review.report.render import Outputs, render_report


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options naming each stage output (shared with ``review audit``)."""
    p.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL)
    p.add_argument("--root", type=Path, default=Path(), help="project folder (default: here)")
    for name, help_text in (
        ("records", "records table"),
        ("studies", "deduplicated studies"),
        ("clusters", "record → study table"),
        ("dedup-links", "merged pairs with scores"),
        ("screening", "screening state table"),
        ("screening-events", "every screening decision"),
        ("screening-conflicts", "reviewer conflicts"),
        ("agreement", "agreement statistics (json or csv)"),
        ("coded", "coded included studies"),
        ("coding-events", "every coding decision"),
        ("search-log", "search log CSV (used when review.searchlog is not available)"),
        ("raw-root", "folder of the committed search runs"),
    ):
        p.add_argument(
            f"--{name}", type=Path, default=None, help=f"{help_text} (default: project layout)"
        )


def paths_from(args: argparse.Namespace) -> Paths:
    names = (
        "records",
        "studies",
        "clusters",
        "dedup_links",
        "screening",
        "screening_events",
        "screening_conflicts",
        "agreement",
        "coded",
        "coding_events",
        "search_log",
        "raw_root",
    )
    return Paths(root=args.root, **{n: getattr(args, n) for n in names})


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the review report, PRISMA diagram and audit trail",
        description="Render reports/review.html, review.md, audit.html, prisma.svg, prisma.csv "
        "and search_log.csv from the stage outputs. Stages that have not run are shown as such. "
        "The PRISMA counts are checked first; nothing is written if they do not add up.",
    )
    add_input_options(p)
    p.add_argument("-o", "--output-dir", type=Path, default=None, help="default: ROOT/reports")
    p.add_argument(
        "--only",
        choices=("prisma", "pages"),
        default=None,
        help="write only the PRISMA diagram and CSV, or only the pages (default: everything)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    paths = paths_from(args)
    outputs = Outputs(folder=args.output_dir or args.root / "reports")
    written = render_report(protocol, paths=paths, outputs=outputs, only=args.only)
    for path in written.values():
        print(f"wrote {path}")
    return 0

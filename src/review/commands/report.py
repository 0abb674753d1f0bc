"""``review report``: write the review page (HTML and Markdown), the audit trail, the figures and
a copy of the search log from the stage outputs (rule ``render_report``).

Every input has its own option, named after the table it reads (the upstream rules' outputs);
an input not given is read from the project layout when that file exists, and a stage whose file
is absent is shown as not run yet. The PRISMA diagram of ``review prisma`` is embedded when
given (``--prisma-svg``); the counts are checked first, and nothing is written if they do not
add up.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands._options import add_output, add_protocol, add_table, optional_input
from review.errors import ReviewError
from review.protocol import load_protocol
from review.report.paths import (
    FIGURES,
    FOLDERS,
    SYNTHESIS_DIR,
    TABLES,
    ReportOutputs,
    ReportPaths,
    decisions_folder,
)
from review.versions.store import VERSIONS

REPORTS = Path("reports")


def add_input_options(p: argparse.ArgumentParser) -> None:
    """One option per stage output the report reads (shared with ``review audit``)."""
    add_protocol(p)
    add_table(p, "records", "records", "the records table")
    for name, table in TABLES.items():
        add_table(p, name.replace("_", "-"), table, f"the {table} table", optional=True)
    for name, table in FOLDERS.items():
        folder = decisions_folder(table)
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=Path,
            default=None,
            metavar="FOLDER",
            help=f"the folder of {table} files (default: {folder}, when it exists)",
        )
    p.add_argument(
        "--synthesis-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the reviewers' synthesis folder: narrative Markdown files and findings.yaml "
        f"(default: {SYNTHESIS_DIR}, when it exists)",
    )
    add_versions(p)
    p.add_argument(
        "--only-given",
        action="store_true",
        help="read only the files given as options, never a layout file that happens to exist "
        "(what a workflow rule wants: it reads no file it does not declare)",
    )


def add_versions(p: argparse.ArgumentParser) -> None:
    """``--versions DIR`` and ``--since-version NAME``: the published version to follow."""
    p.add_argument(
        "--versions",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the published versions (default: {VERSIONS}/, when it exists)",
    )
    p.add_argument(
        "--since-version",
        default=None,
        metavar="NAME",
        help="the version to compare with (default: the protocol's versions.compare_with, "
        "else the latest)",
    )


def versions_from(args: argparse.Namespace) -> Path | None:
    if args.versions is not None:
        return Path(args.versions)
    return VERSIONS if VERSIONS.is_dir() else None


def paths_from(args: argparse.Namespace) -> ReportPaths:
    """The inputs given, and (unless ``--only-given``) the layout's files that exist."""
    implicit = not getattr(args, "only_given", False)
    folders = {}
    for name, table in FOLDERS.items():
        given = getattr(args, name)
        folder = decisions_folder(table)
        folders[name] = (
            given if given is not None else (folder if implicit and folder.is_dir() else None)
        )
    synthesis = args.synthesis_dir
    if synthesis is None and implicit and SYNTHESIS_DIR.is_dir():
        synthesis = SYNTHESIS_DIR
    tables = {
        name: optional_input(getattr(args, name), table) if implicit else getattr(args, name)
        for name, table in TABLES.items()
    }
    return ReportPaths(
        records=args.records,
        synthesis=synthesis,
        **tables,
        **folders,
        versions=versions_from(args),
    )


def _figure(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or name not in FIGURES or not path:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected NAME=PATH with NAME one of {', '.join(FIGURES)}"
        )
    return name, Path(path)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the review report",
        description="Render the review page (HTML and Markdown), the figures "
        "and a copy of the search log from the stage outputs. Stages that have not run are "
        "shown as such. The PRISMA counts are checked first; nothing is written if they do not "
        "add up.",
    )
    add_input_options(p)
    p.add_argument(
        "--prisma-svg",
        type=Path,
        default=None,
        metavar="PATH",
        help="the diagram `review prisma` drew, to embed (default: draw it here)",
    )
    defaults = ReportOutputs.in_folder(REPORTS)
    add_output(p, "html", defaults.html, "the review page")
    add_output(p, "markdown", defaults.markdown, "the review in Markdown")
    add_output(p, "search-log-copy", defaults.search_log, "the report's copy of the search log")
    p.add_argument(
        "--figure",
        type=_figure,
        action="append",
        default=None,
        metavar="NAME=PATH",
        help=f"where to write a figure ({', '.join(FIGURES)}); may be repeated",
    )
    p.add_argument(
        "--figures-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write every figure the review draws (default: "
        f"{REPORTS}/figures/ unless --figure names some)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.report.render import render_report

    protocol = load_protocol(args.protocol)
    figures = dict(args.figure or [])
    if args.figure and len(figures) != len(args.figure):
        raise ReviewError("--figure names the same figure twice")
    figures_dir = args.figures_dir
    if figures_dir is None and not args.figure:
        figures_dir = ReportOutputs.in_folder(REPORTS).figures_dir
    outputs = ReportOutputs(
        html=args.html,
        markdown=args.markdown,
        search_log=args.search_log_copy,
        figures=figures,
        figures_dir=figures_dir,
    )
    written = render_report(
        protocol,
        paths=paths_from(args),
        outputs=outputs,
        prisma_svg=args.prisma_svg,
        since_version=args.since_version,
    )
    for path in written.values():
        print(f"wrote {path}")
    return 0

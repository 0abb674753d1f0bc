"""Options the commands share: every file a command reads or writes has its own option, whose
default is where the project layout keeps it (the table's contract names that place)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from review.errors import ReviewError
from review.names import checked_reviewer, registry_path
from review.protocol import DEFAULT_PROTOCOL, Protocol
from review.tables import contract


def layout(table: str, **parts: str) -> Path:
    """Where the project keeps ``table`` (placeholders like ``<stage>`` filled from ``parts``)."""
    path = contract(table).file
    for key, value in parts.items():
        path = path.replace(f"<{key}>", value)
    return Path(path)


def add_protocol(p: argparse.ArgumentParser) -> None:
    p.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL, help="the review protocol")


def add_table(
    p: argparse.ArgumentParser,
    option: str,
    table: str,
    what: str,
    *aliases: str,
    optional: bool = False,
    default: str | None = None,
) -> None:
    """``--option PATH`` for ``table``, defaulting to the project layout's file; an
    ``optional`` one defaults to None (see :func:`optional_input`), ``default`` says what then."""
    path = layout(table)
    if default is None:
        default = f"{path}, when it exists" if optional else str(path)
    p.add_argument(
        *aliases,
        f"--{option}",
        type=Path,
        default=None if optional else path,
        metavar="PATH",
        help=f"{what} (default: {default})",
    )


def optional_input(value: Path | None, table: str) -> Path | None:
    """A given path; else the project layout's, when that file exists (else: stage not run)."""
    if value is not None:
        return value
    default = layout(table)
    return default if default.is_file() else None


def add_names(p: argparse.ArgumentParser) -> None:
    """``--new-reviewer`` and ``--reviewers``: how a command that takes a person's name (a
    reviewer, resolver or appraiser) is told that an undeclared name is new, not a typo."""
    p.add_argument(
        "--new-reviewer",
        action="store_true",
        help="the name is a new reviewer, not a typo: record it in the registry",
    )
    p.add_argument(
        "--reviewers",
        type=Path,
        default=None,
        metavar="PATH",
        help="the registry of reviewers added beside the protocol's list "
        "(default: reviewers.csv in the folder above --decisions)",
    )


def declared(args: argparse.Namespace, protocol: Protocol, name: str, what: str) -> str:
    """``name`` if declared (with --new-reviewer: recorded in the registry first); the options
    of :func:`add_names` and ``--decisions``."""
    return checked_reviewer(
        name,
        protocol,
        registry=args.reviewers or registry_path(args.decisions),
        new=args.new_reviewer,
        what=what,
    )


def add_searched(p: argparse.ArgumentParser) -> None:
    """``--searched STATUS...``: the live searches (``review search --status``) run before."""
    p.add_argument(
        "--searched",
        type=Path,
        nargs="*",
        default=[],
        metavar="STATUS",
        help="status files of the live searches run just before (their runs are named in the log)",
    )


def print_searched(statuses: list[Path]) -> None:
    """Name in the log each live search this step follows, so the log says what it read."""
    for path in statuses:
        try:
            status = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReviewError(f"{path}: not a search status file ({exc})") from exc
        print(
            f"after the live search of {status.get('source_id')}: run {status.get('run_id')} "
            f"({status.get('records_retrieved')} records) in {status.get('run_folder')}"
        )


def add_output(p: argparse.ArgumentParser, option: str, default: Path, what: str) -> None:
    """``--option PATH``: where to write ``what`` (each output has its own option)."""
    p.add_argument(
        f"--{option}",
        type=Path,
        default=default,
        metavar="PATH",
        help=f"where to write {what} (default: %(default)s)",
    )


def add_sheet_outputs(p: argparse.ArgumentParser, default: str) -> None:
    """``--csv``/``--xlsx`` of a sheet people fill (``default``: its path without the suffix)
    and ``--force``: a sheet holding decisions not imported yet is never written over
    (:mod:`review.sheetguard`) unless forced, after a backup."""
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite a sheet holding decisions not imported yet, after keeping a "
        "timestamped backup of it",
    )
    for suffix in ("csv", "xlsx"):
        p.add_argument(
            f"--{suffix}",
            type=Path,
            default=None,
            metavar="PATH",
            help=f"where to write the sheet (default: {default}.{suffix})",
        )


def add_study_groups(p: argparse.ArgumentParser, *, clusters: bool = True) -> None:
    """``--study-groups PATH`` (reports grouped into studies) and ``--clusters PATH`` (which
    re-attach decisions to merged studies): optional inputs of the evidence commands."""
    add_table(
        p,
        "study-groups",
        "study_groups",
        "reports grouped into studies (review groups); without it each report is a study",
        optional=True,
    )
    if clusters:
        add_table(
            p, "clusters", "clusters", "record -> study (re-attaches decisions)", optional=True
        )


def add_pages(p: argparse.ArgumentParser) -> None:
    """``--pages FOLDER``: where the read full texts are (``<study_id>.pages.jsonl``)."""
    p.add_argument(
        "--pages",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="the read full texts, <study_id>.pages.jsonl (default: where fulltext.csv's "
        "text_file says)",
    )

"""``review appraise ACTION``: study appraisal with the protocol's tool (MMAT 2018 built in).

- ``review appraise state`` (rule ``merge_appraisal``) merges every appraiser's answers into
  ``appraisal.csv``, ``appraisal_summary.csv``, ``appraisal_disagreements.csv``,
  ``appraisal_agreement.csv`` and ``appraisal_unmatched.csv``, under the protocol's
  ``appraisal.disagreement_rule``.
- ``review appraise sheet --appraiser NAME`` writes NAME's blind sheet (CSV and XLSX): the
  items NAME has still to answer for each study included at full text.
- ``review appraise import FILE --appraiser NAME`` validates a filled sheet and appends it to
  ``data/decisions/appraisal/NAME.csv`` (nothing is appended if any row is wrong).
- ``review appraise tool [ID|PATH]`` prints a tool's categories and items.

The appraisers' files are the only files these commands change, and only by appending.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from review.commands._options import (
    add_names,
    add_protocol,
    add_study_groups,
    add_table,
    declared,
    layout,
    optional_input,
)
from review.protocol import load_protocol

if TYPE_CHECKING:
    from review.appraisal import Inputs

FOLDER = Path("data/decisions/appraisal")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "appraise",
        help="appraisal: appraisers' sheets, importing answers, merging them",
        description="Study appraisal with the protocol's tool. Answers live in append-only "
        "files data/decisions/appraisal/<appraiser>.csv; adjudicators settle conflicts in "
        "_resolutions.csv beside them.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    state = _action(actions, "state", "merge the appraisers' answers into the appraisal tables")
    for option, table, what in (
        ("appraisal", "appraisal", "the merged answers"),
        ("summary", "appraisal_summary", "one row per appraised study"),
        ("disagreements", "appraisal_disagreements", "appraisers' disagreements"),
        ("agreement", "appraisal_agreement", "agreement per item"),
        ("unmatched", "appraisal_unmatched", "answers not merged"),
    ):
        add_table(state, option, table, f"where to write {what}")
    state.set_defaults(func=run_state)

    sheet = _action(actions, "sheet", "write an appraiser's blind sheet (CSV and XLSX)")
    sheet.add_argument("--appraiser", required=True, help="appraiser id (their file's name)")
    for suffix in ("csv", "xlsx"):
        sheet.add_argument(
            f"--{suffix}",
            type=Path,
            default=None,
            metavar="PATH",
            help=f"where to write the sheet (default: data/appraisal_sheets/<appraiser>.{suffix})",
        )
    sheet.add_argument(
        "--force",
        action="store_true",
        help="overwrite a sheet holding answers not imported yet, after keeping a timestamped "
        "backup of it",
    )
    add_names(sheet)
    sheet.set_defaults(func=run_sheet)

    imp = _action(actions, "import", "append a filled sheet's answers to the appraiser's file")
    imp.add_argument("file", type=Path, metavar="FILE", help="a filled sheet (CSV or XLSX)")
    imp.add_argument("--appraiser", required=True, help="whose answers these are")
    add_names(imp)
    imp.set_defaults(func=run_import)

    tool = actions.add_parser(
        "tool",
        help="print an appraisal tool's categories and items",
        description="Print an appraisal tool (a built-in id such as mmat-2018, or a tool "
        "file): its answers, overall levels, categories and items.",
    )
    tool.add_argument("tool", nargs="?", default="mmat-2018", help="tool id or file")
    tool.set_defaults(func=run_tool)


def _action(sub: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    add_study_groups(p)
    add_table(
        p, "coded", "coded", "the coded studies (suggest each study's category)", optional=True
    )
    p.add_argument(
        "--decisions",
        type=Path,
        default=FOLDER,
        metavar="FOLDER",
        help=f"the appraisers' files and _resolutions.csv (default: {FOLDER})",
    )
    return p


def _inputs(args: argparse.Namespace) -> Inputs:
    from review.appraisal import Inputs

    return Inputs.load(
        studies=args.studies,
        screening=args.screening,
        groups=optional_input(args.study_groups, "study_groups"),
        clusters=optional_input(args.clusters, "clusters"),
        coded=optional_input(args.coded, "coded"),
    )


def run_state(args: argparse.Namespace) -> int:
    from review.appraisal import build_state, write_state
    from review.appraisal.tool import appraisal_config

    protocol = load_protocol(args.protocol)
    tables = build_state(protocol, _inputs(args), args.decisions)
    config = appraisal_config(protocol)
    if config is None:
        print("the protocol declares no appraisal: empty tables written")
    else:
        conflicts = sum(r["status"] == "conflict" for r in tables.summary)
        print(
            f"{config.tool.name}; rule {config.disagreement_rule}: {len(tables.summary)} "
            f"appraised studies, {len(tables.rows)} answers, {len(tables.disagreements)} "
            f"disagreement(s), {conflicts} study(ies) with an unsettled conflict"
        )
    for row in tables.unmatched:
        print(
            f"warning: {row['source']}, row {row['row']}: answer on {row['study_id']} not "
            f"merged ({row['problem']})",
            file=sys.stderr,
        )
    paths = write_state(
        tables,
        {
            "appraisal": args.appraisal,
            "summary": args.summary,
            "disagreements": args.disagreements,
            "agreement": args.agreement,
            "unmatched": args.unmatched,
        },
    )
    for name, path in paths.items():
        print(f"wrote {name}: {path}")
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    from review.appraisal.actions import write_appraiser_sheet

    protocol = load_protocol(args.protocol)
    declared(args, protocol, args.appraiser, "appraiser")
    base = layout("appraisal_sheet", appraiser=args.appraiser)
    csv_path, xlsx_path = args.csv or base, args.xlsx or base.with_suffix(".xlsx")
    done = write_appraiser_sheet(
        protocol,
        _inputs(args),
        args.decisions,
        appraiser=args.appraiser,
        csv_path=csv_path,
        xlsx_path=xlsx_path,
        force=args.force,
    )
    for path in done.backups:
        print(f"kept the sheet holding unimported answers as {path}")
    print(f"{done.studies} studies ({done.rows} items) for {args.appraiser} to appraise")
    print(f"wrote {csv_path}")
    print(f"wrote {xlsx_path}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from review.appraisal.actions import import_file

    protocol = load_protocol(args.protocol)
    declared(args, protocol, args.appraiser, "appraiser")
    done = import_file(
        protocol,
        _inputs(args),
        args.file,
        args.decisions,
        appraiser=args.appraiser,
    )
    skipped = done.valid - done.appended
    print(
        f"{args.file}: {done.valid} answer(s) valid; appended {done.appended} to {done.ledger}"
        + (f"; {skipped} unchanged (already the current answer) not repeated" if skipped else "")
    )
    return 0


def run_tool(args: argparse.Namespace) -> int:
    from review.appraisal.tool import load_tool

    tool = load_tool(args.tool, root=Path.cwd())
    print(f"{tool.name} ({tool.id})\n{tool.citation}")
    if tool.wording:
        print(tool.wording)
    print("answers: " + ", ".join(f"{a.id} ({a.label})" for a in tool.answers))
    print("overall levels: " + ", ".join(f"{lv.id} ({lv.label})" for lv in tool.overall_levels))
    print(f"summed score allowed: {'yes' if tool.summary_score else 'no'}")
    for it in tool.screening_items:
        print(f"  {it.id}  {it.text}")
    for c in tool.categories:
        print(f"{c.id}: {c.label}")
        for it in c.items:
            print(f"  {it.id}  {it.text}")
        for comp in c.components:
            print(f"  + {comp.label}: the items of one of {', '.join(comp.categories)}")
    return 0

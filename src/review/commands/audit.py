"""``review audit``: audit the screening decisions.

- ``review audit STUDY_ID`` (or ``review audit show STUDY_ID``): print a study's whole trail
  (records and where they were found, dedup links, screening and coding events, PRISMA box);
- ``review audit pages`` (rule ``render_audit``): write the audit view, ``reports/audit.html``
  and the folder ``reports/audit/`` (an index that filters every study, one page per study and
  per reviewer);
- ``review audit sample N --checker NAME [--stage S] [--seed S] [--stratify decision]``: draw
  a reproducible random sample of a stage's decisions into a blind sheet (CSV and XLSX) for a
  second person to decide again (a sheet holding checks not imported yet is never written
  over; ``--force`` keeps it as a backup first);
- ``review audit import FILE --checker NAME [--stage S]``: validate the filled sheet and append
  it to ``data/decisions/verification/<stage>/<checker>.csv``.

The first word after ``audit`` names the action; any other word is a study id, so
``review audit st-…`` keeps working as it always has.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands._options import (
    add_output,
    add_protocol,
    add_sheet_outputs,
    add_table,
    layout,
)
from review.commands.report import REPORTS, add_input_options, paths_from
from review.errors import UsageError
from review.protocol import load_protocol
from review.states import STAGES, Stage

ACTIONS = ("show", "pages", "sample", "import")
VERIFICATION_FOLDER = Path("data/decisions/verification")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="audit screening decisions: a study's trail, the audit pages, verification samples",
        description="Audit the screening decisions. Actions: show STUDY_ID (the default: "
        "`review audit STUDY_ID` prints a study's trail), pages (write reports/audit.html and "
        "reports/audit/), sample N (a blind verification sheet of N decisions), import FILE "
        "(a filled verification sheet into data/decisions/verification/). "
        "`review audit ACTION --help` lists each action's options.",
    )
    p.add_argument(
        "target", metavar="ACTION|STUDY_ID", help=f"one of {', '.join(ACTIONS)}, or a study id"
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _parser(action: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"review audit {action}", description=description)


def show_parser() -> argparse.ArgumentParser:
    p = _parser(
        "show",
        "Print everything known about a study: its records and the pages they were found on, "
        "dedup links with scores, every screening and coding event, its PRISMA box.",
    )
    p.add_argument("study_id", help="a study id (st-...) or a record id (source:id)")
    add_input_options(p)
    return p


def pages_parser() -> argparse.ArgumentParser:
    p = _parser(
        "pages",
        "Write the audit view: an index page that filters every study (by PRISMA box, stage, "
        "decision, criterion, reviewer, conflict, carry-forward, verification) and loads its "
        "rows in chunks, one page per study and one per reviewer. Offline, no server needed.",
    )
    add_input_options(p)
    add_output(p, "index", REPORTS / "audit.html", "the audit index page")
    add_output(p, "folder", REPORTS / "audit", "the folder of the audit pages and data")
    return p


def _checker(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checker", required=True, help="who checks (the verification ledger's name)")
    p.add_argument(
        "--verification",
        type=Path,
        default=VERIFICATION_FOLDER,
        metavar="FOLDER",
        help=f"the verification ledgers, <stage>/<checker>.csv (default: {VERIFICATION_FOLDER})",
    )


def sample_parser() -> argparse.ArgumentParser:
    p = _parser(
        "sample",
        "Draw a reproducible random sample of N decisions of a stage (the outcomes in "
        "screening.csv) into a blind sheet, CSV and XLSX, for a second person to decide again: "
        "the sheet never shows the original decision. The draw depends only on the seed and "
        "the study ids.",
    )
    p.add_argument("n", type=int, metavar="N", help="how many decisions to draw")
    p.add_argument("--stage", choices=STAGES, default=Stage.FULL_TEXT.value)
    p.add_argument("--seed", default="1", help="the seed of the draw (any text; default: 1)")
    p.add_argument(
        "--stratify",
        choices=("decision",),
        default="",
        help="draw from each decision in proportion (at least one of each)",
    )
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    _checker(p)
    add_sheet_outputs(p, "data/verification_sheets/<stage>/<checker>")
    return p


def import_parser() -> argparse.ArgumentParser:
    p = _parser(
        "import",
        "Validate a filled verification sheet (every problem listed at once; nothing is "
        "appended if a row is wrong) and append it to the checker's verification ledger.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the filled sheet (CSV or XLSX)")
    p.add_argument("--stage", choices=STAGES, default=None, help="default: the sheet's folder")
    add_protocol(p)
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    _checker(p)
    return p


def run(args: argparse.Namespace) -> int:
    action, rest = args.target, list(args.rest)
    if action not in ACTIONS:
        action, rest = "show", [args.target, *rest]
    parser = {
        "show": show_parser,
        "pages": pages_parser,
        "sample": sample_parser,
        "import": import_parser,
    }[action]()
    return {"show": run_show, "pages": run_pages, "sample": run_sample, "import": run_import}[
        action
    ](parser.parse_args(rest))


def run_show(args: argparse.Namespace) -> int:
    from review.report.audit import find_trail, format_trail
    from review.report.inputs import load_inputs

    protocol = load_protocol(args.protocol)
    inputs = load_inputs(protocol, paths_from(args), since_version=args.since_version)
    print(format_trail(find_trail(inputs, args.study_id)), end="")
    return 0


def run_pages(args: argparse.Namespace) -> int:
    import datetime as dt

    from review.audit.changes import changed_since
    from review.audit.pages import write_audit
    from review.report.inputs import load_inputs

    protocol = load_protocol(args.protocol)
    paths = paths_from(args)
    inputs = load_inputs(protocol, paths, since_version=args.since_version)
    written = write_audit(
        inputs,
        index=args.index,
        folder=args.folder,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        changed_since=changed_since(paths.versions, inputs),
    )
    print(
        f"wrote {args.index} and {args.folder}/: {written.studies} studies, {written.files} "
        f"files, {written.bytes / 1e6:.1f} MB (largest {written.largest[0]}, "
        f"{written.largest[1] / 1e6:.2f} MB)"
    )
    return 0


def run_sample(args: argparse.Namespace) -> int:
    from review.audit import verification as v
    from review.screening.sheets import unimported_rows
    from review.sheetguard import refuse_or_back_up
    from review.tables import contract, read_table

    protocol = load_protocol(args.protocol)
    checker = v.check_checker(args.checker)
    screening = read_table(args.screening, contract("screening"))
    units = v.population(screening, args.stage, checker=checker)
    chosen, how = v.draw(units, args.n, stage=args.stage, seed=args.seed, stratify=args.stratify)
    studies = read_table(args.studies, contract("studies"))
    rows = v.sheet_rows(studies, chosen, how)
    base = layout("verification_sheet", stage=args.stage, reviewer=checker)
    csv_path, xlsx_path = args.csv or base, args.xlsx or base.with_suffix(".xlsx")
    # a filled sheet not imported yet is never written over (review.sheetguard)
    ledger = v.ledger_path(args.verification, args.stage, checker)
    saved = v.read_ledger(ledger, stage=args.stage, protocol=protocol) if ledger.is_file() else []
    backups = refuse_or_back_up(
        [csv_path, xlsx_path],
        unimported_rows([csv_path, xlsx_path], {c.study_id: c for c in v.latest_checks(saved)}),
        force=args.force,
        how_to_import=f"review audit import FILE --checker {checker} --stage {args.stage}",
    )
    for backup in backups:
        print(f"kept the filled sheet as {backup}")
    v.write_verification_sheet(
        rows, csv_path, xlsx_path, protocol=protocol, stage=args.stage, checker=checker
    )
    print(how.describe())
    print(f"wrote {csv_path}")
    print(f"wrote {xlsx_path}")
    print(
        f"{checker}: decide each study blind, then `review audit import {xlsx_path} "
        f"--checker {checker}`"
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from review.audit import verification as v
    from review.tables import contract, read_table

    protocol = load_protocol(args.protocol)
    stage = args.stage or (args.file.parent.name if args.file.parent.name in STAGES else None)
    if stage is None:
        raise UsageError(f"{args.file}: say which stage it checks with --stage")
    screening = read_table(args.screening, contract("screening"))
    rows = v.rows_from_sheet(
        args.file, stage=stage, checker=args.checker, protocol=protocol, screening=screening
    )
    appended, path = v.append_checks(
        args.verification, stage, args.checker, rows, protocol=protocol
    )
    skipped = len(rows) - appended
    print(
        f"{args.file}: {len(rows)} decision(s) valid; appended {appended} to {path}"
        + (f"; {skipped} unchanged (already the current decision) not repeated" if skipped else "")
    )
    return 0

"""``review screen``: screening sheets for a reviewer, and importing what reviewers decided.

- ``review screen --reviewer NAME [--stage title_abstract|full_text]`` writes
  ``data/screening_sheets/<stage>/<NAME>.csv`` and ``.xlsx``: the studies NAME has not decided,
  most relevant first, blind to other reviewers.
- ``review screen --import FILE [--reviewer NAME] [--stage ...]`` validates every row of a
  filled sheet (or a ledger-shaped CSV) and appends them to
  ``data/decisions/screening/<stage>/<NAME>.csv``; the reviewer and stage default to the
  sheet's own path (``data/screening_sheets/<stage>/<NAME>.xlsx``).
- ``review screen --conflicts [--stage ...]`` writes the unresolved conflicts (every reviewer's
  decision shown: this sheet is for whoever settles them) as ``_conflicts.csv``/``.xlsx``;
  ``review screen --import .../_conflicts.xlsx --reviewer RESOLVER`` appends the filled rows to
  ``data/decisions/screening/<stage>/_resolutions.csv``.
- ``--export-asreview OUT.csv``, ``--import-asreview FILE --reviewer NAME``,
  ``--import-rayyan FILE --reviewer NAME [--rayyan-user NAME]``: interoperate with ASReview LAB
  and Rayyan (:mod:`review.screening.interop`).

The ledgers are the only files this command changes, and only by appending.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands.screening_state import add_input_arguments, load_state
from review.errors import DecisionError
from review.screening import interop, sheets
from review.screening.ledger import (
    RESOLUTIONS_FILE,
    STAGES,
    LedgerRow,
    Ledgers,
    append_rows,
    check_reviewer,
    current,
)
from review.screening.ledger import stage_reasons as reasons_for


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "screen",
        help="write a reviewer's screening sheet, or import decisions into the ledgers",
        description="Screening sheets (CSV + XLSX with drop-downs) of the studies a reviewer has "
        "not decided yet, ordered by predicted relevance; import of filled sheets, ASReview and "
        "Rayyan exports into the append-only ledgers "
        "data/decisions/screening/<stage>/<reviewer>.csv.",
    )
    p.add_argument("--reviewer", help="reviewer id (the ledger file name)")
    p.add_argument("--stage", choices=STAGES, default=None, help="default: title_abstract")
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        metavar="FILE",
        help="append a filled sheet's decisions to the reviewer's ledger",
    )
    action.add_argument(
        "--conflicts",
        action="store_true",
        help="write the unresolved conflicts of --stage as <sheets>/<stage>/_conflicts.csv/.xlsx; "
        "import the filled sheet with --import FILE --reviewer RESOLVER",
    )
    action.add_argument(
        "--export-asreview",
        type=Path,
        metavar="OUT.csv",
        help="write the screening state as an ASReview LAB data set",
    )
    action.add_argument(
        "--import-asreview",
        type=Path,
        metavar="FILE",
        help="append decisions from an ASReview export",
    )
    action.add_argument(
        "--import-rayyan",
        type=Path,
        metavar="FILE",
        help="append decisions from a Rayyan CSV export",
    )
    p.add_argument("--rayyan-user", help="whose Rayyan votes to import (when several voted)")
    add_input_arguments(p)
    p.add_argument(
        "--sheets",
        type=Path,
        default=Path("data/screening_sheets"),
        help="folder for the sheets (default data/screening_sheets)",
    )
    p.set_defaults(func=run)


CONFLICTS_SHEET = "_conflicts"


def _from_sheet_path(path: Path) -> tuple[str | None, str | None]:
    """Reviewer and stage from data/screening_sheets/<stage>/<reviewer>.xlsx, if it is one."""
    stage = path.parent.name if path.parent.name in STAGES else None
    reviewer = path.stem if stage and not path.stem.startswith("_") else None
    return reviewer, stage


def run(args: argparse.Namespace) -> int:
    protocol, state, studies, attachment = load_state(args)
    if args.export_asreview:
        n = interop.export_asreview(str(args.export_asreview), studies, state.rows)
        print(f"wrote {n} studies (excluded by automation left out) to {args.export_asreview}")
        return 0
    source = args.import_file or args.import_asreview or args.import_rayyan
    if source is not None:
        guessed_reviewer, guessed_stage = _from_sheet_path(source)
        reviewer = args.reviewer or (guessed_reviewer if args.import_file else None)
        stage = args.stage or (guessed_stage if args.import_file else None) or "title_abstract"
        if not reviewer:
            raise DecisionError(f"{source}: say whose decisions these are with --reviewer NAME")
        known = {s["study_id"]: s.get("fingerprint", "") for s in studies}
        resolving = bool(args.import_file) and source.stem == CONFLICTS_SHEET
        if args.import_file:
            rows = sheets.rows_from_sheet(
                source,
                stage=stage,
                reviewer="_resolutions" if resolving else reviewer,
                protocol=protocol,
                known_studies=known,
                resolver=check_reviewer(reviewer) if resolving else "",
            )
        elif args.import_asreview:
            rows = interop.import_asreview(
                str(source), reviewer=reviewer, stage=stage, protocol=protocol, studies=studies
            )
        else:
            rows = interop.import_rayyan(
                str(source),
                reviewer=reviewer,
                stage=stage,
                protocol=protocol,
                studies=studies,
                rayyan_user=args.rayyan_user,
            )
        return _append(
            args.decisions,
            stage,
            "_resolutions" if resolving else reviewer,
            rows,
            attachment.ledgers,
            source,
        )
    if args.conflicts:
        stage = args.stage or "title_abstract"
        rows = sheets.conflict_rows(state, studies, stage=stage)
        csv_path = args.sheets / stage / f"{CONFLICTS_SHEET}.csv"
        sheets.write_sheet(
            rows,
            csv_path,
            csv_path.with_suffix(".xlsx"),
            reasons=reasons_for(protocol, stage),
            stage=stage,
            reviewer="RESOLVER",
            columns=sheets.CONFLICT_SHEET_COLUMNS,
        )
        print(f"{len(rows)} unresolved conflict(s) at {stage}; wrote {csv_path} and .xlsx")
        return 0
    if not args.reviewer:
        raise DecisionError("give --reviewer NAME (whose sheet to write) or an import/export")
    stage = args.stage or "title_abstract"
    pending = sheets.pending_studies(state, attachment.ledgers, reviewer=args.reviewer, stage=stage)
    own = [r for r in attachment.ledgers.decisions[stage] if r.reviewer == args.reviewer]
    rows, how = sheets.build_sheet(studies, pending, own, protocol=protocol)
    csv_path = args.sheets / stage / f"{args.reviewer}.csv"
    xlsx_path = csv_path.with_suffix(".xlsx")
    sheets.write_sheet(
        rows,
        csv_path,
        xlsx_path,
        reasons=reasons_for(protocol, stage),
        stage=stage,
        reviewer=args.reviewer,
    )
    print(f"{len(rows)} studies for {args.reviewer} at {stage} (ordered by {how})")
    print(f"wrote {csv_path}")
    print(f"wrote {xlsx_path}")
    return 0


def _append(
    decisions: Path,
    stage: str,
    reviewer: str,
    rows: list[LedgerRow],
    attached: Ledgers,
    source: Path,
) -> int:
    """Append the rows that change the reviewer's current decision (re-imports are no-ops).

    ``reviewer`` ``_resolutions`` appends to the stage's resolution ledger.
    """
    # Every existing ledger was read and validated when the state was built, so a broken
    # ledger stops the import before anything is added to it.
    resolving = reviewer == "_resolutions"
    path = decisions / stage / (RESOLUTIONS_FILE if resolving else f"{reviewer}.csv")
    ledger = attached.resolutions if resolving else attached.decisions
    now = {sid: r for (who, sid), r in current(ledger[stage]).items() if who == reviewer}
    new = []
    for row in rows:
        cur = now.get(row.study_id)
        if cur and (cur.decision, cur.reason, cur.note) == (row.decision, row.reason, row.note):
            continue
        new.append(row)
        now[row.study_id] = row
    if new:
        append_rows(path, new, resolutions=resolving)
    skipped = len(rows) - len(new)
    print(
        f"{source}: {len(rows)} decision(s) valid; appended {len(new)} to {path}"
        + (f"; {skipped} unchanged (already the current decision) not repeated" if skipped else "")
    )
    return 0

"""``review screen ACTION``: the screening stage's state, reviewers' sheets, and their decisions.

- ``review screen state`` (rule ``build_screening_state``) applies the protocol's automatic
  criteria, re-attaches every ledger decision to its study and writes ``screening.csv``, the
  events, conflicts, unmatched decisions and agreement statistics.
- ``review screen sheet --reviewer NAME [--stage full_text]`` (rule ``build_screening_sheet``)
  writes the studies NAME has not decided, most relevant first, blind to other reviewers, as
  CSV and XLSX with drop-downs.
- ``review screen conflicts [--stage ...]`` writes the unresolved conflicts for whoever settles
  them; ``review screen import .../_conflicts.xlsx --reviewer RESOLVER`` appends the filled
  rows to the stage's ``_resolutions.csv``.
- ``review screen import FILE [--reviewer NAME] [--stage ...]`` validates every row of a
  filled sheet and appends it to ``data/decisions/screening/<stage>/<NAME>.csv``.
- ``review screen export-asreview OUT.csv [--priors REVIEWER]``, ``import-asreview FILE
  --reviewer NAME [--lab-user NAME]``, ``export-rayyan OUT.ris|OUT.csv``, ``import-rayyan FILE
  --reviewer NAME [--rayyan-user NAME] [--reasons MAP.yaml]``: screen in ASReview LAB or
  Rayyan, keep the audit trail here; only the decisions made there come back.

A reviewer's name must be declared (the protocol's ``reviewers``, or ``--new-reviewer``, which
records it in ``data/decisions/reviewers.csv``: :mod:`review.names`). An import reads the
ledger again, checks and appends while holding its lock, so two imports never lose each
other's rows. A sheet holding decisions not yet imported is never overwritten (``--force`` keeps a
timestamped backup of it first).

The ledgers are the only files these commands change, and only by appending.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from review.commands._options import (
    add_names,
    add_pages,
    add_protocol,
    add_sheet_outputs,
    add_table,
    declared,
    layout,
    optional_input,
)
from review.protocol import Protocol, load_protocol
from review.states import STAGES, Stage

if TYPE_CHECKING:
    from review.screening import actions

DECISIONS_FOLDER = Path("data/decisions/screening")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "screen",
        help="screening: the state of every study, reviewers' sheets, importing decisions",
        description="The screening stage. Decisions live in append-only ledgers "
        "data/decisions/screening/<stage>/<reviewer>.csv; every action reads them all.",
    )
    actions_ = p.add_subparsers(dest="action", metavar="ACTION")
    actions_.required = True

    state = _action(
        actions_,
        "state",
        "build the screening state of every study (screening.csv and the tables beside it)",
    )
    for option, table, what in (
        ("screening", "screening", "the state of every study"),
        ("events", "screening_events", "every screening event"),
        ("conflicts", "screening_conflicts", "reviewers' conflicts"),
        ("unmatched", "screening_unmatched", "ledger rows that match no study"),
        ("agreement", "screening_agreement", "agreement statistics (JSON)"),
        ("set-aside", "screening_set_aside", "decisions kept but not counted"),
    ):
        add_table(state, option, table, f"where to write {what}")
    state.set_defaults(func=run_state)

    sheet = _action(actions_, "sheet", "write a reviewer's screening sheet (CSV and XLSX)")
    sheet.add_argument("--reviewer", required=True, help="reviewer id (the ledger file name)")
    add_names(sheet)
    _stage(sheet)
    add_sheet_outputs(sheet, "data/screening_sheets/<stage>/<reviewer>")
    sheet.set_defaults(func=run_sheet)

    conflicts = _action(actions_, "conflicts", "write the unresolved conflicts of a stage")
    _stage(conflicts)
    add_sheet_outputs(conflicts, "data/screening_sheets/<stage>/_conflicts")
    conflicts.set_defaults(func=run_conflicts)

    imp = _action(actions_, "import", "append a filled sheet's decisions to the ledger")
    imp.add_argument("file", type=Path, metavar="FILE", help="a filled sheet (CSV or XLSX)")
    imp.add_argument(
        "--reviewer",
        help="whose decisions (default: the sheet's file name); a conflicts "
        "sheet: who settled them",
    )
    imp.add_argument("--stage", choices=STAGES, default=None, help="default: the sheet's folder")
    add_names(imp)
    imp.set_defaults(func=run_import)

    for name, tool in (("import-asreview", "an ASReview LAB"), ("import-rayyan", "a Rayyan CSV")):
        q = _action(actions_, name, f"append the decisions made in {tool} export")
        q.add_argument("file", type=Path, metavar="FILE")
        q.add_argument("--reviewer", required=True, help="whose decisions these are")
        add_names(q)
        _stage(q)
        if name == "import-rayyan":
            q.add_argument(
                "--rayyan-user", help="whose Rayyan votes to import (when several voted)"
            )
            q.add_argument(
                "--reasons",
                type=Path,
                metavar="MAP.yaml",
                help="the reviewers' map from Rayyan's exclusion reasons to criterion codes "
                "(YAML: 'wrong population: E3-not-indonesia', one per line)",
            )
        else:
            q.add_argument(
                "--lab-user", help="whose LAB labels to import (when several LAB users labelled)"
            )
        q.set_defaults(func=run_import_tool)

    exp = _action(actions_, "export-asreview", "write the studies as an ASReview LAB data set")
    exp.add_argument("output", type=Path, metavar="OUT.csv")
    exp.add_argument(
        "--priors",
        metavar="REVIEWER",
        help="give LAB this reviewer's title/abstract decisions as prior knowledge (default: "
        "no decision is exported)",
    )
    exp.set_defaults(func=run_export)

    ray = _action(actions_, "export-rayyan", "write the studies to screen as a file Rayyan imports")
    ray.add_argument("output", type=Path, metavar="OUT.ris|OUT.csv")
    _stage(ray)
    ray.set_defaults(func=run_export_rayyan)


def _action(sub: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "clusters", "clusters", "record -> study (review dedup)")
    add_table(
        p, "records", "records", "names records that joined a study in a later run", optional=True
    )
    add_table(
        p,
        "fulltext",
        "fulltext",
        "retrieval status of the reports (review fulltext): drives not-retrieved and the "
        "assessment basis",
        optional=True,
    )
    add_pages(p)
    p.add_argument(
        "--decisions",
        type=Path,
        default=DECISIONS_FOLDER,
        metavar="FOLDER",
        help=f"the ledgers, <stage>/<reviewer>.csv (default: {DECISIONS_FOLDER})",
    )
    return p


def _stage(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stage", choices=STAGES, default=Stage.TITLE_ABSTRACT.value)


def _session(
    args: argparse.Namespace, protocol: Protocol | None = None, *, lazy: bool = False
) -> actions.Session:
    from review.screening import actions

    return actions.Session.load(
        protocol or load_protocol(args.protocol),
        studies=args.studies,
        clusters=args.clusters,
        decisions=args.decisions,
        records=optional_input(args.records, "records"),
        fulltext=optional_input(args.fulltext, "fulltext"),
        pages=args.pages,
        lazy=lazy,
    )


def run_state(args: argparse.Namespace) -> int:
    from review.screening.state import build_from_files, write_state

    protocol = load_protocol(args.protocol)
    state, _studies = build_from_files(
        protocol,
        studies=args.studies,
        clusters=args.clusters,
        decisions=args.decisions,
        records=optional_input(args.records, "records"),
        fulltext=optional_input(args.fulltext, "fulltext"),
    )
    paths = write_state(
        state,
        screening=args.screening,
        events=args.events,
        conflicts=args.conflicts,
        unmatched=args.unmatched,
        agreement=args.agreement,
        set_aside=args.set_aside,
    )
    states = Counter(r["state"] for r in state.rows)
    print(f"{len(state.rows)} studies: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    print(f"relevance: {state.ranking}")
    for stage in STAGES:
        a = state.agreement.get(stage)
        if a:
            print(
                f"{stage}: {a['reviewers']}; {a['studies_double_screened']} double-screened; "
                f"agreement {a['percent_agreement']}; kappa {a.get('cohen_kappa')}; "
                f"alpha {a['krippendorff_alpha']}; conflicts {a['conflicts']} "
                f"({a['conflicts_unresolved']} unresolved)"
            )
    aside = Counter(r["problem"] for r in state.set_aside)
    if aside:
        print(
            f"{len(state.set_aside)} ledger decision(s) set aside, not counted ("
            + ", ".join(f"{k} {v}" for k, v in sorted(aside.items()))
            + f"): see {args.set_aside}",
            file=sys.stderr,
        )
    for row in state.unmatched:
        print(
            f"warning: {row['source']}, row {row['row']}: decision on {row['study_id']} "
            f"matches no study ({row['problem']})",
            file=sys.stderr,
        )
    for name, path in paths.items():
        print(f"wrote {name}: {path}")
    return 0


def _sheet_paths(args: argparse.Namespace, name: str) -> tuple[Path, Path]:
    base = layout("screening_sheet", stage=args.stage, reviewer=name)
    return args.csv or base, args.xlsx or base.with_suffix(".xlsx")


def run_sheet(args: argparse.Namespace) -> int:
    from review.screening import actions

    protocol = load_protocol(args.protocol)
    declared(args, protocol, args.reviewer, "reviewer")
    csv_path, xlsx_path = _sheet_paths(args, args.reviewer)
    done = actions.write_reviewer_sheet(
        _session(args, protocol),
        reviewer=args.reviewer,
        stage=args.stage,
        csv_path=csv_path,
        xlsx_path=xlsx_path,
        force=args.force,
    )
    _backups(done.backups)
    print(f"{done.rows} studies for {args.reviewer} at {args.stage} (ordered by {done.how})")
    print(f"wrote {csv_path}")
    print(f"wrote {xlsx_path}")
    return 0


def _backups(paths: list[Path]) -> None:
    for path in paths:
        print(f"kept the sheet holding unimported decisions as {path}")


def run_conflicts(args: argparse.Namespace) -> int:
    from review.screening import actions

    csv_path, xlsx_path = _sheet_paths(args, actions.CONFLICTS_SHEET)
    done = actions.write_conflicts_sheet(
        _session(args), stage=args.stage, csv_path=csv_path, xlsx_path=xlsx_path, force=args.force
    )
    _backups(done.backups)
    print(f"{done.rows} unresolved conflict(s) at {args.stage}; wrote {csv_path} and .xlsx")
    return 0


def _report(source: Path, done: actions.Appended) -> int:
    skipped = done.valid - done.appended
    print(
        f"{source}: {done.valid} decision(s) valid; appended {done.appended} to {done.ledger}"
        + (f"; {skipped} unchanged (already the current decision) not repeated" if skipped else "")
    )
    for line in done.moved:
        print(f"note: {line}")
    for line in done.stale:
        print(f"warning: not appended: {line}", file=sys.stderr)
    if done.stale:
        print(
            f"warning: {len(done.stale)} decision(s) name no current study and were not "
            "appended; they stay in the sheet (decide those studies again on a new sheet)",
            file=sys.stderr,
        )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from review.screening import actions

    protocol = load_protocol(args.protocol)
    target = actions.import_target(
        args.decisions, args.file, reviewer=args.reviewer, stage=args.stage
    )
    declared(args, protocol, target.reviewer, "resolver" if target.resolving else "reviewer")
    done = actions.import_sheet(_session(args, protocol, lazy=True), args.file, target)
    return _report(args.file, done)


def run_import_tool(args: argparse.Namespace) -> int:
    from review.screening import actions

    protocol = load_protocol(args.protocol)
    declared(args, protocol, args.reviewer, "reviewer")
    session = _session(args, protocol, lazy=True)
    if args.action == "import-asreview":
        done, left_out = actions.import_asreview(
            session, args.file, reviewer=args.reviewer, stage=args.stage, lab_user=args.lab_user
        )
        for message in left_out:
            print(message, file=sys.stderr)
    else:
        done = actions.import_rayyan(
            session,
            args.file,
            reviewer=args.reviewer,
            stage=args.stage,
            rayyan_user=args.rayyan_user,
            reasons=args.reasons,
        )
    return _report(args.file, done)


def run_export(args: argparse.Namespace) -> int:
    from review.screening import actions

    rows = actions.export_asreview(_session(args), args.output, priors_from=args.priors)
    priors = sum(1 for r in rows if r["label_included"] != "")
    marked = sum(1 for r in rows if r["title_marked"])
    if args.priors:
        labelled = f"{priors} labelled as prior knowledge from {args.priors}"
    else:
        labelled = "no decision exported (--priors REVIEWER to give LAB prior knowledge)"
    kept_apart = f"; {marked} titles marked so LAB keeps them apart" if marked else ""
    print(
        f"wrote {len(rows)} studies (excluded by automation left out) to {args.output}: "
        f"{labelled}{kept_apart}"
    )
    return 0


def run_export_rayyan(args: argparse.Namespace) -> int:
    from review.screening import actions

    n = actions.export_rayyan(_session(args), args.output, stage=args.stage)
    print(f"wrote {n} studies to screen at {args.stage} to {args.output} (no decisions)")
    return 0

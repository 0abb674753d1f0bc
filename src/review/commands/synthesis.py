"""``review synthesis ACTION``: the files reviewers write for the synthesis, checked.

- ``review synthesis findings`` (rule ``profile_findings``) checks
  ``data/decisions/synthesis/findings.yaml`` (schema, included main studies, groups, domains)
  and writes ``findings.csv``: each finding with what the pipeline counts for it.
- ``review synthesis check`` (rule ``check_narrative``) checks the authored narrative
  (``data/decisions/synthesis/**/*.md``: citations name included studies, links are http(s))
  and writes ``narrative_citations.csv``: where each included study is cited.
- ``review synthesis template --group GROUP`` prints a findings skeleton for a group: its
  studies and counts filled in, statement and judgements left to reviewers.

These commands never write into ``data/decisions/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from review.commands._options import add_protocol, add_study_groups, add_table, optional_input
from review.errors import UsageError
from review.protocol import load_protocol

if TYPE_CHECKING:
    from review.findings import Evidence
    from review.protocol import Protocol
    from review.studygroups import StudyGroups

FOLDER = Path("data/decisions/synthesis")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synthesis",
        help="check the reviewers' findings and narrative; profile findings; templates",
        description="The synthesis files reviewers write under data/decisions/synthesis/: "
        "findings.yaml (certainty judgements) and the Markdown narrative.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    findings = _action(actions, "findings", "check findings.yaml and profile each finding")
    _evidence(findings)
    findings.add_argument(
        "--findings",
        type=Path,
        default=FOLDER / "findings.yaml",
        metavar="PATH",
        help=f"the reviewers' findings (default: {FOLDER / 'findings.yaml'}; absent: none)",
    )
    add_table(findings, "out", "findings", "where to write the profiled findings")
    findings.set_defaults(func=run_findings)

    check = _action(actions, "check", "check the narrative's citations and links")
    check.add_argument(
        "--narrative",
        type=Path,
        default=FOLDER,
        metavar="FOLDER",
        help=f"the authored Markdown files (default: {FOLDER})",
    )
    add_table(check, "citations", "narrative_citations", "where to write the citations table")
    check.set_defaults(func=run_check)

    template = _action(actions, "template", "print a findings skeleton for a synthesis group")
    _evidence(template)
    template.add_argument("--group", required=True, help="a synthesis group (theme id)")
    template.add_argument("--domain", action="append", default=[], help="an outcome domain")
    template.set_defaults(func=run_template)


def _action(sub: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    add_study_groups(p, clusters=False)
    return p


def _evidence(p: argparse.ArgumentParser) -> None:
    add_table(p, "coded", "coded", "the coded studies (review extract)", optional=True)
    add_table(p, "outcomes", "outcomes", "directions per outcome domain", optional=True)
    add_table(p, "appraisal-summary", "appraisal_summary", "the appraisal per study", optional=True)


def _groups(args: argparse.Namespace) -> StudyGroups:
    from review.studygroups import load_groups
    from review.tables import contract, read_table

    screening = {r["study_id"]: r for r in read_table(args.screening, contract("screening"))}
    return load_groups(optional_input(args.study_groups, "study_groups"), screening)


def _evidence_of(args: argparse.Namespace, protocol: Protocol, groups: StudyGroups) -> Evidence:
    from review.findings import Evidence

    return Evidence.load(
        protocol,
        groups,
        coded=optional_input(args.coded, "coded"),
        outcomes=optional_input(args.outcomes, "outcomes"),
        appraisal_summary=optional_input(args.appraisal_summary, "appraisal_summary"),
    )


def run_findings(args: argparse.Namespace) -> int:
    from review.findings import findings_rows, load_findings, write_findings

    protocol = load_protocol(args.protocol)
    groups = _groups(args)
    findings = load_findings(args.findings, protocol, groups)
    rows = findings_rows(findings, _evidence_of(args, protocol, groups))
    write_findings(args.out, rows)
    if not args.findings.is_file():
        print(f"{args.findings}: not written yet (no findings)")
    print(f"{len(rows)} finding(s) checked and profiled")
    print(f"wrote {args.out}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from review.narrative import (
        citation_labels,
        citation_rows,
        load_narrative,
        uncited,
        write_citations,
    )
    from review.tables import contract, read_table

    groups = _groups(args)
    studies = read_table(args.studies, contract("studies"))
    labels = citation_labels(studies)
    narrative = load_narrative(args.narrative, groups, labels)
    order = [s["study_id"] for s in studies]
    write_citations(args.citations, citation_rows(narrative, groups, labels, order))
    missing = uncited(narrative, groups, order)
    print(
        f"{len(narrative.files)} narrative file(s), {len(narrative.citations())} citation(s); "
        f"{len(missing)} included study(ies) never cited"
    )
    for name, f in narrative.files.items():
        for note in f.problems:
            print(f"note: {name}: {note}")
    print(f"wrote {args.citations}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from review.findings import template

    protocol = load_protocol(args.protocol)
    themes = {t["id"] for t in protocol.data["synthesis"].get("themes") or []}
    if args.group not in themes:
        raise UsageError(
            f"--group {args.group!r} is not a synthesis theme ({', '.join(sorted(themes))})"
        )
    groups = _groups(args)
    print(template(args.group, _evidence_of(args, protocol, groups), domains=args.domain), end="")
    return 0

"""``review audit STUDY_ID``: print a study's whole trail (records and where they were found,
dedup links, screening and coding events, PRISMA box), as ``reports/audit.html`` shows it."""

from __future__ import annotations

import argparse

from review.commands.report import add_input_options, paths_from
from review.protocol import load_protocol


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="print the audit trail of one study (or of the study holding a record)",
        description="Print everything known about a study: its records and the pages they were "
        "found on, dedup links with scores, every screening and coding event, its PRISMA box.",
    )
    p.add_argument("study_id", help="a study id (st-...) or a record id (source:id)")
    add_input_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.report.audit import find_trail, format_trail
    from review.report.inputs import load_inputs

    protocol = load_protocol(args.protocol)
    inputs = load_inputs(protocol, paths_from(args))
    print(format_trail(find_trail(inputs, args.study_id)), end="")
    return 0

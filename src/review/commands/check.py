"""``review check``: every mistake of the project (protocol, source files, decision files) in one
run, each with its file, key or row, and the fix. ``review run`` runs it first."""

from __future__ import annotations

import argparse
import sys

from review.commands._options import add_protocol
from review.exitcodes import DATA_ERROR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check the protocol, the source files and the decision files, all problems at once",
        description="Check everything before any rule runs: the protocol against its schema "
        "(unknown keys, with 'did you mean'), every cross-reference (criterion codes in the "
        "ledgers, reviewers, coding fields used by the synthesis, conclusions, appraisal, "
        "sensitivity analyses), every file a source names, and every row of the decision files. "
        f"Exit status {DATA_ERROR} when something is wrong.",
    )
    add_protocol(p)
    p.add_argument(
        "--list", action="store_true", help="list the checks (what each one looks at) and stop"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.checks import check_project, iter_registered

    if args.list:
        for entry in iter_registered():
            print(f"{entry.name:24} [{entry.scope}] {entry.doc}")
        return 0
    problems = check_project(args.protocol)
    if not problems:
        print(f"review check: no problems found ({args.protocol} and the project's files)")
        return 0
    for problem in problems:
        print(problem, file=sys.stderr)
    n = len(problems)
    print(f"review check: {n} problem{'s' if n != 1 else ''}; nothing was run", file=sys.stderr)
    return DATA_ERROR

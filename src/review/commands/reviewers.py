"""``review reviewers``: the people a review knows, and adding one knowingly.

``review reviewers`` lists every declared reviewer id and where it is declared (the protocol's
``reviewers`` list, or the registry ``data/decisions/reviewers.csv``); ``review reviewers add
NAME [--note TEXT]`` records a new one in the registry. Commands that start a person's decision
file refuse an undeclared name (:mod:`review.names`), so a typo never starts a new reviewer.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.commands._options import add_protocol, add_table
from review.errors import UsageError
from review.names import checked_reviewer, known_reviewers
from review.protocol import load_protocol


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reviewers",
        help="list the declared reviewers, or add one to the registry",
        description="List every reviewer, coder or appraiser id the review knows (the "
        "protocol's reviewers list and data/decisions/reviewers.csv), or add one knowingly.",
    )
    add_protocol(p)
    add_table(p, "reviewers", "reviewer_registry", "the registry of added reviewers")
    p.add_argument("action", nargs="?", choices=("list", "add"), default="list")
    p.add_argument("name", nargs="?", help="the id to add (it names the person's files)")
    p.add_argument("--note", default="", help="who the person is, or why they were added")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    protocol = load_protocol(args.protocol)
    registry: Path = args.reviewers
    if args.action == "add":
        if not args.name:
            raise UsageError("give the NAME to add: review reviewers add NAME")
        before = args.name in known_reviewers(protocol, registry)
        checked_reviewer(args.name, protocol, registry=registry, new=True, note=args.note)
        print(f"{args.name} was already declared" if before else f"added {args.name} to {registry}")
        return 0
    known = known_reviewers(protocol, registry)
    for name in known.names():
        print(f"{name}\t{known.where[name]}")
    return 0

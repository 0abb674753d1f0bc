"""``review screening-state``: rebuild the screening state table for the workflow.

Reads the studies and clusters (``review dedup``), the protocol's automatic criteria and every
screening ledger, and writes ``screening.csv``, ``screening_events.csv``,
``screening_conflicts.csv``, ``screening_unmatched.csv`` and ``screening_agreement.json``
(:mod:`review.screening.state`). Ledger rows that match no study are reported, never dropped.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from review.protocol import Protocol, load_protocol
from review.screening.state import Attachment, ScreeningState, build_from_files, write_state


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "screening-state",
        help="build the screening state table from studies, criteria and ledgers",
        description="Apply the automatic criteria, re-attach every ledger decision to its "
        "study (id, merged anchor, fingerprint), and write the screening state, events, "
        "conflicts, unmatched decisions and agreement statistics to OUTDIR.",
    )
    add_input_arguments(p)
    p.add_argument("-o", "--outdir", type=Path, default=Path("data/interim"))
    p.set_defaults(func=run)


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    """The inputs every screening command reads (defaults: the project layout)."""
    p.add_argument("--protocol", type=Path, default=Path("config/protocol.yaml"))
    p.add_argument("--studies", type=Path, default=Path("data/interim/studies.csv"))
    p.add_argument("--clusters", type=Path, default=Path("data/interim/clusters.csv"))
    p.add_argument(
        "--records",
        type=Path,
        default=Path("data/interim/records.csv"),
        help="records.csv, used when it exists: names records that joined a study in a later run",
    )
    p.add_argument("--decisions", type=Path, default=Path("data/decisions/screening"))


def load_state(
    args: argparse.Namespace,
) -> tuple[Protocol, ScreeningState, list[dict[str, str]], Attachment]:
    """Protocol, state, studies and attached ledgers from the parsed input arguments."""
    protocol = load_protocol(args.protocol)
    return protocol, *build_from_files(
        protocol,
        studies=args.studies,
        clusters=args.clusters,
        decisions=args.decisions,
        records=args.records,
    )


def run(args: argparse.Namespace) -> int:
    _protocol, state, _studies, _att = load_state(args)
    paths = write_state(state, args.outdir)
    states = Counter(r["state"] for r in state.rows)
    print(f"{len(state.rows)} studies: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    print(f"relevance: {state.ranking}")
    for stage in ("title_abstract", "full_text"):
        a = state.agreement.get(stage)
        if a:
            print(
                f"{stage}: {a['reviewers']}; {a['studies_double_screened']} double-screened; "
                f"agreement {a['percent_agreement']}; kappa {a.get('cohen_kappa')}; "
                f"alpha {a['krippendorff_alpha']}; conflicts {a['conflicts']} "
                f"({a['conflicts_unresolved']} unresolved)"
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

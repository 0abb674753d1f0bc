"""``review prisma``: the PRISMA 2020 flow counts, checked, as a diagram (SVG) and as the
PRISMA2020 R package's CSV (rule ``render_prisma``).

The counts come from the records, studies and screening tables alone; a stage whose table is
not given (and absent from the project layout) is drawn as not run yet. After a published
version (``versions/``), the diagram is PRISMA 2020's for updated reviews: the previous
version's studies, the flow of the records identified since, and the total. If the counts do not add
up, nothing is written and the error spells out the arithmetic.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review import prisma
from review.commands._options import (
    add_output,
    add_protocol,
    add_table,
    layout,
    optional_input,
)
from review.commands.report import add_versions, versions_from
from review.protocol import load_protocol
from review.records import read_records
from review.tables import contract, read_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prisma",
        help="count the PRISMA 2020 flow, check it, draw the diagram and its R-package CSV",
        description="Count every box of the PRISMA 2020 flow diagram from the records, "
        "studies and screening tables, check that the boxes add up, then write the diagram "
        "(SVG) and the PRISMA2020 R package's CSV.",
    )
    add_protocol(p)
    add_table(p, "records", "records", "the records table")
    add_table(p, "studies", "studies", "the studies (review dedup)", optional=True)
    add_table(p, "screening", "screening", "the screening state", optional=True)
    add_table(
        p,
        "study-groups",
        "study_groups",
        "reports grouped into studies (review groups): linked reports count as one study",
        optional=True,
    )
    add_versions(p)
    add_output(p, "svg", Path("reports/prisma.svg"), "the diagram")
    add_output(p, "csv", layout("prisma_csv"), "the R package's CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.studygroups import read_groups
    from review.versions.amendments import check_amendments
    from review.versions.flow import flow_counts
    from review.versions.store import select_previous

    protocol = load_protocol(args.protocol)
    studies = optional_input(args.studies, "studies")
    screening = optional_input(args.screening, "screening")
    previous = select_previous(
        versions_from(args), name=args.since_version, protocol_data=protocol.data
    )
    check_amendments(protocol, previous)
    groups = optional_input(args.study_groups, "study_groups")
    main_of = read_groups(groups).main if groups else None
    counts = flow_counts(
        protocol,
        read_records(args.records),
        read_table(studies, contract("studies")) if studies else None,
        read_table(screening, contract("screening")) if screening else None,
        previous,
        main_of=main_of,
    )
    prisma.write_outputs(counts, svg_path=args.svg, csv_path=args.csv)
    print(f"wrote {args.svg}")
    print(f"wrote {args.csv}")
    return 0

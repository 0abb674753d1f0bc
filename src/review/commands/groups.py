"""``review groups``: reports linked into studies (rule ``group_reports``).

Reads the reviewers' ``data/decisions/report_links.csv`` (absent: no links), checks every link
against the studies and the screening state, and writes ``data/interim/study_groups.csv``:
every report with the main id of its study, which coding, appraisal and synthesis count.
"""

from __future__ import annotations

import argparse

from review.commands._options import add_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "groups",
        help="group reports into studies from the reviewers' report links",
        description="Check data/decisions/report_links.csv (unknown ids, a report linked to two "
        "studies, chains, a main report not included while a linked one is) and write "
        "study_groups.csv: every report with the main id of its study.",
    )
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "clusters", "clusters", "record -> study (re-attaches links to merged studies)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    add_table(p, "links", "report_links", "the reviewers' report links (absent: none)")
    add_table(p, "groups", "study_groups", "where to write the study groups")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.studygroups import StudyGroups, build_groups, count_included

    rows = build_groups(
        studies_path=args.studies,
        screening_path=args.screening,
        links_path=args.links if args.links.is_file() else None,
        clusters_path=args.clusters,
        out=args.groups,
    )
    counts = count_included(StudyGroups.from_rows(rows))
    linked = sum(r["is_main"] == "no" for r in rows)
    print(
        f"{len(rows)} reports, {linked} linked to another report's study; included: "
        f"{counts.studies} studies in {counts.reports} reports"
    )
    print(f"wrote {args.groups}")
    return 0

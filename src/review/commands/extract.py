"""``review extract``: build the coding sheet and merge the coders' validated values.

``review extract`` (rule ``extract_coding``; every path defaults to the project layout) writes
the sheet, the coded table, the outcome directions, disagreements, agreement and events;
``review extract --validate FILE...`` only checks coders' files against the protocol's coding
schema and the studies table, writing nothing, so a coder can check a file before committing
it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review.commands._options import (
    add_output,
    add_pages,
    add_protocol,
    add_study_groups,
    add_table,
    layout,
    optional_input,
)
from review.protocol import load_protocol

CODING_FOLDER = Path("data/decisions/coding")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="build the coding sheet and merge the coders' values",
        description="Write the coding sheet (CSV and XLSX: one row per included study, with "
        "keyword suggestions and their evidence), coded.csv (validated coders' values, one row "
        "per coded study), coding_disagreements.csv, coding_agreement.csv and "
        "coding_events.csv. Nothing is written if any coder's file has a problem.",
    )
    add_protocol(p)
    add_table(p, "studies", "studies", "the studies (review dedup)")
    add_table(p, "screening", "screening", "the screening state (review screen state)")
    add_study_groups(p)
    add_table(
        p,
        "fulltext",
        "fulltext",
        "retrieval status and read pages (review fulltext): evidence cites their pages",
        optional=True,
    )
    add_pages(p)
    p.add_argument(
        "--coding-dir",
        type=Path,
        default=CODING_FOLDER,
        metavar="FOLDER",
        help=f"the coders' files <coder>.csv|xlsx and _resolutions.csv (default: {CODING_FOLDER})",
    )
    add_table(p, "sheet-csv", "coding_sheet", "where to write the coding sheet")
    add_output(p, "sheet-xlsx", layout("coding_sheet").with_suffix(".xlsx"), "the coding workbook")
    add_table(p, "coded", "coded", "where to write the coded studies")
    add_table(p, "outcomes", "outcomes", "where to write the directions per outcome domain")
    add_table(p, "disagreements", "coding_disagreements", "where to write the disagreements")
    add_table(p, "agreement", "coding_agreement", "where to write the agreement per field")
    add_table(p, "events", "coding_events", "where to write every coding event")
    p.add_argument(
        "--force",
        action="store_true",
        help="write the sheet even over a copy holding coded values that are in no coder's "
        "file, after keeping that copy as a timestamped backup",
    )
    p.add_argument(
        "--validate",
        type=Path,
        nargs="+",
        metavar="FILE",
        default=None,
        help="only check these coders' files (or a resolutions file); write nothing",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.extraction import ExtractionOutputs, load_coding, run_extraction
    from review.extraction.fields import all_fields
    from review.extraction.inputs import read_studies
    from review.extraction.validate import RESOLUTIONS_NAME
    from review.setaside import set_aside_at

    protocol = load_protocol(args.protocol)
    if args.validate:
        fields = all_fields(protocol)
        studies = read_studies(args.studies)
        coders = [f for f in args.validate if f.name != RESOLUTIONS_NAME]
        resolutions = next((f for f in args.validate if f.name == RESOLUTIONS_NAME), None)
        rows, settled = load_coding(
            fields,
            coders,
            studies,
            resolutions=resolutions,
            studies_path=args.studies,
            set_aside=set_aside_at(protocol, "coding"),
        )
        n_rows = sum(not r.superseded for r in rows)
        print(f"ok: {n_rows} coded row(s) in {len(coders)} file(s); {len(settled)} resolution(s)")
        return 0
    result = run_extraction(
        protocol,
        studies_path=args.studies,
        screening_path=args.screening,
        coding_dir=args.coding_dir,
        groups_path=optional_input(args.study_groups, "study_groups"),
        clusters_path=optional_input(args.clusters, "clusters"),
        outputs=ExtractionOutputs(
            sheet_csv=args.sheet_csv,
            sheet_xlsx=args.sheet_xlsx,
            coded=args.coded,
            outcomes=args.outcomes,
            disagreements=args.disagreements,
            agreement=args.agreement,
            events=args.events,
        ),
        fulltext_path=optional_input(args.fulltext, "fulltext"),
        pages_dir=args.pages,
        force=args.force,
    )
    for path in result.backups:
        print(f"kept the coding sheet holding unimported values as {path}")
    merged = result.merged
    n_gone = sum(r["status"] == "no_longer_included" for r in merged.coded)
    n_open = sum(d["status"] == "open" for d in merged.disagreements)
    print(f"{result.n_included} included studies in the coding sheet")
    print(
        f"{len(merged.coded)} coded studies from {len(result.coder_files)} coder file(s)"
        + (f"; {n_gone} no longer included (flagged, kept)" if n_gone else "")
    )
    print(f"{len(merged.disagreements)} disagreement(s), {n_open} open")
    print(f"{len(merged.outcomes)} outcome row(s) (study x domain)")
    for u in result.attached.unmatched if result.attached else []:
        print(
            f"warning: {u.source}, row {u.row}: coding of {u.study_id} matches no study "
            f"({u.problem}); listed in the coding events, not merged",
            file=sys.stderr,
        )
    for row in result.agreement:
        if row["value"]:
            continue
        extra = ""
        if row["cohen_kappa"]:
            extra = f", kappa {row['cohen_kappa']}"
        elif row["mean_jaccard"]:
            extra = f", mean Jaccard {row['mean_jaccard']}"
        print(
            f"  agreement {row['coder_a']} vs {row['coder_b']} on {row['field']}: "
            f"{row['percent_agreement']}% of {row['n_studies']}{extra}"
        )
    for name, path in result.paths.items():
        print(f"wrote {name}: {path}")
    return 0

"""``review extract``: build the coding sheet and merge the coders' validated values.

``review extract`` (paths default to the project layout) writes ``data/extracted/`` (sheet,
coded table, disagreements, agreement, events); ``review extract --validate FILE...`` only
checks coders' files against the protocol's coding schema and the studies table, writing
nothing, so a coder can check a file before committing it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from review.extraction import load_coding, run_extraction
from review.extraction.fields import coding_fields
from review.extraction.inputs import read_studies
from review.extraction.validate import RESOLUTIONS_NAME
from review.protocol import DEFAULT_PROTOCOL, load_protocol


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="build the coding sheet and merge the coders' values",
        description="Write data/extracted/coding_sheet.{csv,xlsx} (one row per included study, "
        "with keyword suggestions and their evidence), coded.csv (validated coders' values, "
        "one row per coded study), coding_disagreements.csv, coding_agreement.csv and "
        "coding_events.csv. Nothing is written if any coder's file has a problem.",
    )
    p.add_argument("--protocol", type=Path, default=DEFAULT_PROTOCOL)
    p.add_argument("--studies", type=Path, default=Path("data/interim/studies.csv"))
    p.add_argument("--screening", type=Path, default=Path("data/interim/screening.csv"))
    p.add_argument(
        "--coding-dir",
        type=Path,
        default=Path("data/decisions/coding"),
        help="folder of the coders' files <coder>.csv|xlsx and _resolutions.csv",
    )
    p.add_argument("-o", "--outdir", type=Path, default=Path("data/extracted"))
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
    protocol = load_protocol(args.protocol)
    if args.validate:
        fields = coding_fields(protocol)
        studies = read_studies(args.studies)
        coders = [f for f in args.validate if f.name != RESOLUTIONS_NAME]
        resolutions = next((f for f in args.validate if f.name == RESOLUTIONS_NAME), None)
        rows, settled = load_coding(
            fields, coders, studies, resolutions=resolutions, studies_path=args.studies
        )
        n_rows = sum(not r.superseded for r in rows)
        print(f"ok: {n_rows} coded row(s) in {len(coders)} file(s); {len(settled)} resolution(s)")
        return 0
    result = run_extraction(
        protocol,
        studies_path=args.studies,
        screening_path=args.screening,
        coding_dir=args.coding_dir,
        out_dir=args.outdir,
    )
    merged = result.merged
    n_gone = sum(r["status"] == "no_longer_included" for r in merged.coded)
    n_open = sum(d["status"] == "open" for d in merged.disagreements)
    print(f"{result.n_included} included studies in the coding sheet")
    print(
        f"{len(merged.coded)} coded studies from {len(result.coder_files)} coder file(s)"
        + (f"; {n_gone} no longer included (flagged, kept)" if n_gone else "")
    )
    print(f"{len(merged.disagreements)} disagreement(s), {n_open} open")
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

"""``review dedup``: group records of the same study, for the workflow or for any export files.

Two uses, one engine (:func:`review.dedup.deduplicate`):

- the workflow (rule ``deduplicate_records``) names every file: ``review dedup --records
  data/interim/records.csv --overrides data/decisions/dedup_overrides.csv --studies ...
  --clusters ... --links ... --review-pairs ... --issues ...``;
- standalone: ``review dedup FILE... -o OUTDIR`` on CSV, RIS, BibTeX or EndNote XML exports
  writes the five tables into OUTDIR under their usual names; ``clusters.csv`` then names each
  record by the export's own id (or its row number when the export has no ids).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from review.commands._options import add_table
from review.errors import DecisionError, InputFormatError
from review.tables import contract

#: Output option -> the table it writes.
OUTPUTS = {
    "studies": "studies",
    "clusters": "clusters",
    "links": "dedup_links",
    "review_pairs": "dedup_review",
    "issues": "dedup_issues",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dedup",
        help="group records of the same study (records table or export files)",
        description="Deduplicate records into studies. Writes studies.csv, clusters.csv "
        "(record_id,study_id), dedup_links.csv (every merged pair, its scores and the rule "
        "that fired), dedup_review.csv (near misses for a reviewer) and dedup_issues.csv "
        "(records with bad input).",
    )
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="export files (CSV, RIS, BibTeX, EndNote XML) or a records table",
    )
    p.add_argument(
        "--records",
        type=Path,
        action="append",
        default=[],
        help="a records table (data/interim/records.csv); may be repeated",
    )
    p.add_argument(
        "--overrides",
        type=Path,
        default=None,
        help="reviewers' merge/split overrides (record_id_a,record_id_b,action,...)",
    )
    p.add_argument(
        "--strict-overrides",
        action="store_true",
        help="fail when an override names a record that is not in the input",
    )
    p.add_argument("--format", default="auto", help="export format of FILE (default: detect)")
    p.add_argument(
        "--threads",
        type=int,
        default=-1,
        help="threads for scoring candidate pairs (default: every core)",
    )
    for option, table in OUTPUTS.items():
        name = Path(contract(table).file).name
        add_table(
            p,
            option.replace("_", "-"),
            table,
            f"where to write {name}",
            optional=True,
            default=f"OUTDIR/{name} with -o, else {contract(table).file}",
        )
    p.add_argument(
        "-o",
        "--outdir",
        type=Path,
        default=None,
        help="write every table not named by its own option into this folder",
    )
    p.add_argument("--explain", action="store_true", help="print the decision rules and exit")
    p.set_defaults(func=run)


def output_paths(args: argparse.Namespace) -> dict[str, Path]:
    """Each output's path: its option, else OUTDIR/<usual name>, else the project layout."""
    out = {}
    for option, table in OUTPUTS.items():
        default = Path(contract(table).file)
        given = getattr(args, option)
        out[option] = given or (args.outdir / default.name if args.outdir else default)
    return out


def run(args: argparse.Namespace) -> int:
    from review.dedup import deduplicate, explain, read_overrides, write_outputs
    from review.dedup.inputs import load_inputs

    if args.explain:
        print(explain())
        return 0
    if not (args.files or args.records):
        raise InputFormatError("give input FILE(s) or --records")
    inputs = load_inputs(args.files, tables=args.records, fmt=args.format)
    for warning in inputs.warnings:
        print(f"review dedup: warning: {warning}", file=sys.stderr)
    overrides = read_overrides(args.overrides) if args.overrides else []
    result = deduplicate(inputs.records, overrides, workers=args.threads)
    if result.warnings and args.strict_overrides:
        raise DecisionError("; ".join(result.warnings))
    with_file = inputs.name_clusters(result.clusters)
    targets = output_paths(args)
    paths = write_outputs(
        result,
        studies=targets["studies"],
        clusters=targets["clusters"],
        links=targets["links"],
        review=targets["review_pairs"],
        issues=targets["issues"],
        with_file=with_file,
    )
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(
        f"read {len(inputs.records)} records; {len(result.studies)} studies; "
        f"{len(result.links)} merged pairs from {result.n_candidates} candidate pairs"
    )
    for rule, n in Counter(link["rule"] for link in result.links).most_common():
        print(f"  rule {rule}: {n}")
    issues = Counter(i.issue for i in result.issues)
    for issue, n in sorted(issues.items()):
        print(f"input issue {issue}: {n} record(s) (see {paths['issues']})")
    for i in result.issues[:20]:
        print(f"  {i.record_id}: {i.issue}: {i.detail}")
    print(f"{len(result.review)} pair(s) for a reviewer to check in {paths['review']}")
    if result.oversized_blocks:
        print(
            f"{result.oversized_blocks} blocking key(s) too common to compare exhaustively "
            "(compared by sorted neighbourhood)"
        )
    for name, path in paths.items():
        print(f"wrote {name}: {path}")
    return 0

"""``review simulate``: replay a labelled data set through the relevance ranking."""

from __future__ import annotations

import argparse
from pathlib import Path

from review.screening.models import ALIASES, DEFAULT_MODEL, MODELS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="measure the relevance ranking on a labelled data set (WSS@95, recall@10%%)",
        description="Replay a labelled screening set: start from one random relevant and one "
        "random irrelevant record (seeded), retrain, screen the top-ranked records, repeat. "
        "Writes the screening order (rank,row,label; row = 0-based input row) and prints "
        "WSS@95, recall after 10% screened and where each stopping rule would have stopped.",
    )
    p.add_argument("dataset", type=Path, help="CSV/TSV/XLSX with title/abstract and a 0/1 label")
    p.add_argument("-o", "--output", type=Path, required=True, help="order CSV to write")
    p.add_argument("--label", help="label column (default: auto-detect, e.g. label_included)")
    p.add_argument("--seed", type=int, default=0, help="seed for the prior records and model")
    p.add_argument("--model", choices=(*MODELS, *ALIASES), default=DEFAULT_MODEL)
    p.add_argument(
        "--batch-fraction",
        type=float,
        default=0.0,
        help="screen max(1, fraction x screened) records per retraining (default 0: retrain "
        "after every record)",
    )
    p.add_argument(
        "--screen-all",
        action="store_true",
        help="keep screening (and retraining) after the last relevant record is found",
    )
    p.add_argument(
        "--stopping-rule",
        action="append",
        metavar="RULE",
        help="a stopping rule to evaluate, e.g. 'buscar:recall=0.95,confidence=0.95', "
        "'consecutive_irrelevant:n=100', 'knee', 'fraction_screened:fraction=0.5' "
        "(repeatable; default: the four heuristics and buscar at 95%% recall, 95%% confidence)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # pandas, numpy and scipy: imported when a simulation runs, not by every `review` command.
    from review.screening.simulate import (
        LabelOracle,
        read_labelled_set,
        recall_at,
        records_to_reach,
        simulate,
        write_order,
        wss,
    )
    from review.screening.stopping import DEFAULT_RULES, evaluate_rules, parse_rule

    rules = [parse_rule(r) for r in args.stopping_rule] if args.stopping_rule else DEFAULT_RULES
    data = read_labelled_set(args.dataset, label=args.label)
    result = simulate(
        data.texts,
        LabelOracle(data.labels),
        seed=args.seed,
        model=args.model,
        batch_fraction=args.batch_fraction,
        screen_all=args.screen_all,
    )
    write_order(args.output, result)
    labels = result.labels
    print(
        f"{data.path}: {result.n_total} records, {result.n_relevant} relevant "
        f"(label column '{data.label_column}'), model {args.model}, seed {args.seed}"
    )
    print(
        f"WSS@95: {100 * wss(labels, 0.95):.1f}% "
        f"(95% recall after {records_to_reach(labels, 0.95)} records)"
    )
    print(f"recall@10%: {100 * recall_at(labels, 0.10):.1f}%")
    n_fits = len(result.train_seconds)
    mean_ms = 1000 * sum(result.train_seconds) / n_fits if n_fits else 0.0
    print(
        f"screened {result.n_screened} of {result.n_total} records "
        f"({'everything' if result.n_screened == result.n_total else 'to the last relevant'}); "
        f"retrainings: {n_fits}, mean {mean_ms:.1f} ms each"
    )
    for rule in evaluate_rules(labels, rules):
        print(
            f"stopping rule {rule['rule']}: stops after {rule['stopped_at']} records, "
            f"recall {100 * rule['recall']:.1f}%, work saved {100 * rule['work_saved']:.1f}%"
        )
    print(f"wrote {args.output}")
    return 0

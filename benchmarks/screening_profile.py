"""Profile one screening simulation (CPU time) and print where it goes, by part of the loop.

Usage (repository root)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/screening_profile.py SET.csv [--src DIR] \
        [--model svm_rrf_char]

``--src`` profiles another checkout's ``src`` (e.g. the code before a change:
``git worktree add /tmp/before <commit>`` then ``--src /tmp/before/src``). The simulation retrains
after every record, seed 0. The full profile is written to ``benchmarks/work/prof/``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: (label, "file.py:function") rows of the summary; missing ones (other code version) are skipped.
PARTS = [
    ("whole simulate()", "simulate.py:simulate"),
    ("TF-IDF once (incl. importing scikit-learn)", "ranking.py:featurise"),
    ("character TF-IDF once (fused models)", "features.py:char_tfidf"),
    ("retrainings (fit + score every row)", "ranking.py:scores"),
    ("  liblinear fit", "_base.py:_fit_liblinear"),
    ("  scikit-learn input validation", "validation.py:check_array"),
    ("  scikit-learn decision_function", "_base.py:decision_function"),
    ("  new rows' products (Gram matrix)", "l2svm.py:_ensure"),
    ("  conjugate-gradient solve", "l2svm.py:_pcg"),
    ("  scoring every row", "l2svm.py:decision"),
    ("  rank fusion", "fusion.py:reciprocal_rank_fusion"),
    ("progress bar", "std.py:update"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--src", type=Path, default=REPO / "src")
    parser.add_argument("--model", default="svm", help="ranking model (default: svm)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))
    from review.screening.simulate import LabelOracle, read_labelled_set, simulate, wss

    data = read_labelled_set(args.dataset)
    profile = cProfile.Profile(timer=time.process_time)
    profile.enable()
    result = simulate(
        data.texts, LabelOracle(data.labels), seed=0, batch_fraction=0.0, model=args.model
    )
    profile.disable()
    tag = f"{args.src.parent.name}.{args.model}"
    out = REPO / "benchmarks" / "work" / "prof" / f"{args.dataset.stem}.{tag}.prof"
    out.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(out)
    stats = pstats.Stats(profile)
    cumulative: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = f"{Path(file).name}:{func}"
        cumulative[key] = cumulative.get(key, 0.0) + ct
    total = cumulative.get("simulate.py:simulate", 1.0)
    n_fits = len(result.train_seconds)
    print(
        f"{args.dataset.name}: {data.n} records, {n_fits} retrainings, WSS@95 "
        f"{100 * wss(result.labels):.1f}, profile {out}"
    )
    print("| part | CPU s | share |")
    print("|---|---|---|")
    for label, key in PARTS:
        if key in cumulative:
            print(f"| {label} | {cumulative[key]:.2f} | {100 * cumulative[key] / total:.0f} % |")
    if "ranking.py:scores" in cumulative:
        mean_ms = 1000 * cumulative["ranking.py:scores"] / n_fits
        print(f"| one retraining, mean | {mean_ms:.1f} ms | |")


if __name__ == "__main__":
    main()

"""Screening: compare candidate feature sets / models on every shared set, same loop and priors.

A candidate is a "+"-joined list of feature blocks, each optionally weighted (``word+char*0.5``);
the blocks are joined column-wise (each block's rows L2-normalised, then the joined rows
rescaled to unit length) and fed to the default SVM (``review.screening.l2svm``, ASReview's
C = 0.11 and balanced weights), so only the features differ. Blocks:

``word``   word 1-2-gram TF-IDF (the default; = ASReview ELAS u4's features)
``word13`` word 1-3-gram TF-IDF
``char``   character 3-5-gram TF-IDF within word boundaries
``minilm`` all-MiniLM-L6-v2 sentence embeddings (optional extra ``embeddings``; cached in
           ``benchmarks/work/embeddings/``)
``e5``     multilingual-e5-small embeddings (optional extra ``multilingual``; cached likewise)

Same priors as ``screening_simulation.py`` (``LabelOracle.prior_rows(seed)``), retraining after
every record, stopping at the last relevant record. Results: one JSON line per (set, seed) in
``benchmarks/work/variants/<candidate>.jsonl``; ``table`` prints WSS@95 per set beside ``word``.

Usage (repository root)::

    .venv/bin/python benchmarks/screening_model_variants.py run word+char --seeds 0 1 2
    .venv/bin/python benchmarks/screening_model_variants.py table word word+char word+minilm
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from screening_simulation import discover_sets  # noqa: E402

from review.screening import features as feats  # noqa: E402
from review.screening.ranking import Ranker  # noqa: E402
from review.screening.simulate import (  # noqa: E402
    LabelOracle,
    read_labelled_set,
    recall_at,
    simulate,
    wss,
)

WORK = REPO / "benchmarks" / "work"
OUT = WORK / "variants"
EMB = WORK / "embeddings"


def parse(spec: str) -> list[tuple[str, float]]:
    out = []
    for part in spec.split("+"):
        name, _, weight = part.partition("*")
        out.append((name, float(weight) if weight else 1.0))
    return out


def block(name: str, set_name: str, texts: list[str]) -> tuple[object, float]:
    """A feature block and the CPU seconds it took (embeddings: cached, time from the cache)."""
    start = time.process_time()
    if name == "word":
        x = feats.word_tfidf(texts)
    elif name == "word13":
        x = feats.word_tfidf(texts, ngram_range=(1, 3))
    elif name == "char":
        x = feats.char_tfidf(texts)
    elif name in ("minilm", "e5"):
        cache = EMB / f"{set_name}.{name}.npy"
        meta = EMB / f"{set_name}.{name}.json"
        if cache.exists():
            return np.load(cache), json.loads(meta.read_text())["cpu_seconds"]
        x = feats.embed(texts, model=name)
        EMB.mkdir(parents=True, exist_ok=True)
        np.save(cache, x)
        meta.write_text(json.dumps({"cpu_seconds": time.process_time() - start}))
    else:
        raise SystemExit(f"unknown feature block {name!r}")
    return x, time.process_time() - start


def cmd_run(args: argparse.Namespace) -> None:
    sets = discover_sets()
    names = args.sets or sorted(sets, key=lambda s: sets[s].stat().st_size)
    OUT.mkdir(parents=True, exist_ok=True)
    out_path = OUT / f"{args.candidate}.jsonl"
    done = set()
    if out_path.exists():
        for line in out_path.read_text().splitlines():
            r = json.loads(line)
            done.add((r["set"], r["seed"]))
    spec = parse(args.candidate)
    for name in names:
        todo = [s for s in args.seeds if (name, s) not in done]
        if not todo:
            continue
        data = read_labelled_set(sets[name])
        blocks, feat_cpu = [], 0.0
        for bname, weight in spec:
            x, cpu = block(bname, name, data.texts)
            blocks.append((x, weight))
            feat_cpu += cpu
        for seed in todo:
            start = time.process_time()
            ranker = Ranker.from_blocks(blocks, seed=seed)
            result = simulate(data.texts, LabelOracle(data.labels), seed=seed, scorer=ranker.scores)
            cpu = time.process_time() - start
            row = {
                "set": name,
                "seed": seed,
                "wss95": wss(result.labels, 0.95),
                "recall10": recall_at(result.labels, 0.10),
                "loop_cpu_seconds": cpu,
                "feature_cpu_seconds": feat_cpu,
                "n_screened": result.n_screened,
            }
            with out_path.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            print(
                f"{args.candidate} {name} seed={seed} WSS@95={row['wss95']:.3f} "
                f"R@10={row['recall10']:.3f} cpu={cpu:.1f}s (+features {feat_cpu:.1f}s)",
                flush=True,
            )


def load(candidate: str) -> dict[str, list[dict]]:
    by_set: dict[str, list[dict]] = {}
    path = OUT / f"{candidate}.jsonl"
    if path.exists():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            by_set.setdefault(r["set"], []).append(r)
    return by_set


def cmd_table(args: argparse.Namespace) -> None:
    runs = {c: load(c) for c in args.candidates}
    base = runs[args.candidates[0]]
    print("| set | " + " | ".join(f"WSS@95 {c}" for c in args.candidates) + " |")
    print("|---|" + "---|" * len(args.candidates))
    wins = dict.fromkeys(args.candidates, 0)
    for name in discover_sets():
        if name not in base:
            continue
        seeds = {r["seed"] for r in base[name]}
        cells = []
        for c in args.candidates:
            rs = [r for r in runs[c].get(name, []) if r["seed"] in seeds]
            if len(rs) < len(seeds):
                cells.append("-")
                continue
            mean = statistics.mean(r["wss95"] for r in rs)
            b = statistics.mean(r["wss95"] for r in base[name])
            if c != args.candidates[0]:
                wins[c] += mean > b
                cells.append(f"{100 * mean:.1f} ({100 * (mean - b):+.1f})")
            else:
                cells.append(f"{100 * mean:.1f}")
        print(f"| {name} | " + " | ".join(cells) + f" | seeds {sorted(seeds)}")
    print("sets better than the first column:", wins)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("candidate")
    p.add_argument("--sets", nargs="*")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("table")
    p.add_argument("candidates", nargs="+")
    p.set_defaults(func=cmd_table)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

"""Screening: accuracy candidates beyond feature sets, each on every shared set, same priors.

Issue 18, second attempt at "WSS@95 >= ASReview + 2 points on every set". Each candidate is one
named, fixed configuration (below, in ``CANDIDATES``), chosen before it was run and never tuned
on a set; ``svm`` is the default (= ASReview ELAS u4, same ranking seed for seed). What varies:

* **class weights** (``ratio``): the default gives the relevant class 9.8x the total weight of
  the irrelevant one (ASReview's tuned "balanced"); ``full`` = equal class totals (relevant rows
  weigh n_irrelevant / n_relevant each, capped at ``cap``); ``double`` = the expected weights of
  ASReview 0.x-1.x's "double" balance (Ferdinands et al.: relevant share a (n1/n0)^-alpha, zero
  weight 1 - (1 - b)(1 + n)^-beta, a = 2.155, alpha = 0.94, b = 0.789, beta = 1), as weights in
  the objective instead of resampling;
* **features**: word TF-IDF with min_df 2, unigrams only, 1-3-grams, BM25 tf saturation instead
  of log tf, a title block, character n-grams, an LSA (truncated SVD) block of the word TF-IDF;
* **fusion**: ``join`` = one SVM on blocks joined column-wise; ``rrf`` = one SVM per block,
  reciprocal rank fusion (Cormack et al. 2009, k = 60) of their rankings; ``adaptive`` (third
  attempt) = the same, weighted by each SVM's prequential gain on the records screened since
  its previous ranking (``screening_adaptive.py``; it was the model ``svm_adaptive``);
* **pseudo-negatives** (``pseudo``): a seeded random sample of unscreened records joins the fit
  as irrelevant while unscreened (AutoTAR, Cormack & Grossman 2015: with prevalence of a few per
  cent a random record is almost surely irrelevant; no label is read);
* **uncertainty sampling early on** (``uncertain_every``, ``uncertain_until``): every k-th
  query, while fewer than ``uncertain_until`` records are screened, takes the unscreened record
  closest to the decision boundary instead of the highest-scoring one;
* **cold start** (``cold``): the SVM's ranking blended with cosine similarity to the centroid of
  the relevant records found (Rocchio), the blend fading out linearly over the first ``cold``
  labels.

A simulation reads a label only when its record is screened (``LabelOracle``); the candidates
see nothing else. Results: one JSON line per (set, seed) in ``benchmarks/work/candidates/``;
``table`` prints WSS@95 per set as the difference to ASReview's own runs on the same seeds
(``benchmarks/work/screening/asreview``, from ``screening_simulation.py run --tool asreview``).

The candidate that came out best, ``rrf_char``, is the optional model ``svm_rrf_char`` of
:mod:`review.screening.ranking`; its numbers beside ASReview (time included) come from
``screening_simulation.py run --model svm_rrf_char``, which runs ``review simulate`` itself.
``columns`` measures what ``IncrementalL2SVM(keep_columns=True)`` saves, paired; ``unchanged``
checks that the default's order is still the one an earlier run stored; ``target`` states the
issue's target per set from ``screening_simulation.py`` runs; ``versus`` sets two models' runs
side by side (the third attempt's ``svm_adaptive`` against ``svm_rrf_char``).

Usage (repository root; single-threaded BLAS, as the side-by-side runs)::

    export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
    nice -n 19 .venv/bin/python benchmarks/screening_candidates.py run svm w_full --seeds 0 1 2
    .venv/bin/python benchmarks/screening_candidates.py table svm w_full
    nice -n 19 .venv/bin/python benchmarks/screening_candidates.py columns --repeats 3
    .venv/bin/python benchmarks/screening_candidates.py unchanged --sets Cohen_Opiods
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from screening_adaptive import PrequentialFusion  # noqa: E402
from screening_simulation import discover_sets  # noqa: E402

from review.screening import features as feats  # noqa: E402
from review.screening.fusion import reciprocal_rank_fusion  # noqa: E402
from review.screening.l2svm import IncrementalL2SVM  # noqa: E402
from review.screening.simulate import (  # noqa: E402
    LabelOracle,
    read_labelled_set,
    recall_at,
    simulate,
    wss,
)

WORK = REPO / "benchmarks" / "work"
OUT = WORK / "candidates"
ASREVIEW_RUNS = WORK / "screening" / "asreview"


@dataclass(frozen=True)
class Candidate:
    """One fixed configuration of the ranking (the default's values unless stated)."""

    blocks: tuple[tuple[str, float], ...] = (("word", 1.0),)
    fusion: str = "join"  # "join" | "rrf" | "adaptive"
    ratio: float | str = 9.8  # relevant : irrelevant class totals, or "full" / "double"
    cap: float = 50.0  # most a relevant row may weigh per irrelevant row ("full" only)
    c: float = 0.11
    pseudo: int = 0
    uncertain_every: int = 0
    uncertain_until: int = 0
    cold: int = 0
    keep_columns: bool = False  # IncrementalL2SVM's kept products (always on for "rrf")


CANDIDATES: dict[str, Candidate] = {
    "svm": Candidate(),
    # class imbalance
    "w_full": Candidate(ratio="full"),
    "w_full_cap10": Candidate(ratio="full", cap=10.0),
    "w_double": Candidate(ratio="double"),
    # feature weighting
    "f_min2": Candidate(blocks=(("word_min2", 1.0),)),
    "f_uni": Candidate(blocks=(("word_uni", 1.0),)),
    "f_13": Candidate(blocks=(("word13", 1.0),)),
    "f_bm25": Candidate(blocks=(("word_bm25", 1.0),)),
    "f_title": Candidate(blocks=(("word", 1.0), ("title", 0.5))),
    "f_lsa": Candidate(blocks=(("word", 1.0), ("lsa", 1.0))),
    # fusion
    "rrf_char": Candidate(blocks=(("word", 1.0), ("char", 1.0)), fusion="rrf"),
    "rrf_lsa": Candidate(blocks=(("word", 1.0), ("lsa", 1.0)), fusion="rrf"),
    "rrf_minilm": Candidate(blocks=(("word", 1.0), ("minilm", 1.0)), fusion="rrf"),
    # third attempt: the rrf_char SVMs, weighted by their prequential gains (svm_adaptive)
    "adaptive_char": Candidate(blocks=(("word", 1.0), ("char", 1.0)), fusion="adaptive"),
    # query strategy, cold start
    "pseudo100": Candidate(pseudo=100),
    "unc10_100": Candidate(uncertain_every=10, uncertain_until=100),
    "cold50": Candidate(cold=50),
}

#: ASReview 0.x-1.x "double" balance parameters (its defaults).
_DOUBLE = {"a": 2.155, "alpha": 0.94, "b": 0.789, "beta": 1.0}


def class_weights(y: np.ndarray, cand: Candidate) -> np.ndarray:
    """Per-row loss weights (mean 1) for labels ``y`` under the candidate's scheme."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if cand.ratio == "full":
        w1 = min(n0 / n1, cand.cap)
        weights = np.where(y == 1, w1, 1.0)
    elif cand.ratio == "double":
        one = _DOUBLE["a"] * (n1 / n0) ** (-_DOUBLE["alpha"])
        zero = 1 - (1 - _DOUBLE["b"]) * (1 + len(y)) ** (-_DOUBLE["beta"])
        weights = np.where(y == 1, one, zero)
    else:
        weights = np.where(y == 1, 1.0, n1 / (float(cand.ratio) * n0))
    return weights * (len(y) / weights.sum())


def _rank01(scores: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(scores, method="average") / len(scores)


class CandidateRanker:
    """Scores every row from the screened labels, as the candidate says (``scores`` = scorer)."""

    def __init__(self, blocks: list[tuple[object, float]], cand: Candidate, seed: int) -> None:
        self.cand = cand
        self.n = blocks[0][0].shape[0]
        self.adaptive = PrequentialFusion(len(blocks)) if cand.fusion == "adaptive" else None
        if cand.fusion in ("rrf", "adaptive"):
            # As svm_rrf_char / svm_adaptive: one SVM per block, each keeping its products.
            self.svms = [IncrementalL2SVM([x], [1.0], keep_columns=True) for x, _ in blocks]
        else:
            norm = float(np.sqrt(sum(w * w for _, w in blocks)))
            self.svms = [
                IncrementalL2SVM(
                    [x for x, _ in blocks],
                    [w / norm for _, w in blocks],
                    keep_columns=cand.keep_columns,
                )
            ]
        self.word = blocks[0][0]
        rng = np.random.default_rng(10_000 + seed)
        self.pseudo = np.sort(rng.choice(self.n, min(cand.pseudo, self.n), replace=False))
        self.calls = 0

    def scores(self, labels: Mapping[int, int]) -> np.ndarray | None:
        rows = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
        y = np.fromiter(labels.values(), dtype=np.int64, count=len(labels))
        if len(rows) == 0 or y.min() == y.max():
            return None
        order = np.argsort(rows, kind="stable")
        rows, y = rows[order], y[order]
        fit_rows, fit_y = rows, y
        if len(self.pseudo):
            extra = self.pseudo[~np.isin(self.pseudo, rows)]
            fit_rows = np.concatenate([rows, extra])
            fit_y = np.concatenate([y, np.zeros(len(extra), dtype=np.int64)])
            o = np.argsort(fit_rows, kind="stable")
            fit_rows, fit_y = fit_rows[o], fit_y[o]
        c = self.cand.c * class_weights(fit_y, self.cand)
        outs = [svm.decision(fit_rows, svm.fit(fit_rows, fit_y, c)) for svm in self.svms]
        if self.adaptive is not None:  # learns from the screened labels only, as the model
            out = self.adaptive.fuse(rows, y, outs)
        else:
            out = outs[0] if len(outs) == 1 else reciprocal_rank_fusion(outs)
        if self.cand.cold:
            w = max(0.0, 1.0 - len(rows) / self.cand.cold)
            if w > 0:
                centroid = np.asarray(self.word[rows[y == 1]].mean(axis=0)).ravel()
                sim = np.asarray(self.word @ centroid).ravel()
                out = (1 - w) * _rank01(out) + w * _rank01(sim)
        self.calls += 1
        every, until = self.cand.uncertain_every, self.cand.uncertain_until
        if every and len(rows) < until and self.calls % every == 0:
            pool = np.ones(self.n, dtype=bool)
            pool[rows] = False
            margin = np.abs(outs[0])  # distance to the (first) SVM's decision boundary
            margin[~pool] = np.inf
            pick = int(np.argmin(margin))
            out = np.array(out, dtype=float)
            out[pick] = float(out.max()) + 1.0
        return np.asarray(out, dtype=float)


# -- feature blocks ------------------------------------------------------------------------------
def _titles(path: Path, n: int) -> list[str]:
    import pandas as pd

    from review.screening.simulate import TITLE_COLUMNS, find_column

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str).fillna("")
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    col = find_column([str(c) for c in df.columns], TITLE_COLUMNS)
    out = df[col].tolist() if col else [""] * n
    assert len(out) == n
    return out


def _bm25(texts: list[str], k1: float = 1.2, b: float = 0.75) -> sp.csr_matrix:
    """Word 1-2-gram BM25 weights (tf saturation, length normalisation, BM25 idf), unit rows."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    counts = CountVectorizer(ngram_range=(1, 2), max_df=0.95).fit_transform(texts).tocsr()
    counts = counts.astype(np.float64)
    dl = np.asarray(counts.sum(axis=1)).ravel()
    avg = dl.mean() or 1.0
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log(1 + (counts.shape[0] - df + 0.5) / (df + 0.5))
    row_len = np.repeat(dl, np.diff(counts.indptr))
    tf = counts.data
    counts.data = tf * (k1 + 1) / (tf + k1 * (1 - b + b * row_len / avg)) * idf[counts.indices]
    return normalize(counts)


def _lsa(x: sp.csr_matrix, dims: int = 200) -> np.ndarray:
    """Rows of a truncated SVD of the word TF-IDF (latent semantic analysis), unit length."""
    from sklearn.decomposition import TruncatedSVD

    k = max(1, min(dims, min(x.shape) - 1))
    z = TruncatedSVD(n_components=k, random_state=0).fit_transform(x)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    return z / np.where(norms > 0, norms, 1.0)


def make_block(name: str, set_name: str, path: Path, texts: list[str], cache: dict) -> object:
    if name in cache:
        return cache[name]
    if name == "word":
        x = feats.word_tfidf(texts)
    elif name == "word_min2":
        from sklearn.feature_extraction.text import TfidfVectorizer

        x = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.95
        ).fit_transform(texts)
    elif name == "word_uni":
        x = feats.word_tfidf(texts, ngram_range=(1, 1))
    elif name == "word13":
        x = feats.word_tfidf(texts, ngram_range=(1, 3))
    elif name == "word_bm25":
        x = _bm25(texts)
    elif name == "title":
        x = feats.word_tfidf(_titles(path, len(texts)))
    elif name == "char":
        x = feats.char_tfidf(texts)
    elif name == "lsa":
        x = _lsa(make_block("word", set_name, path, texts, cache))
    elif name == "minilm":
        from screening_model_variants import block

        x = block("minilm", set_name, texts)[0]
    else:
        raise SystemExit(f"unknown feature block {name!r}")
    cache[name] = x = sp.csr_matrix(x) if sp.issparse(x) else x
    return x


# -- commands ------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> None:
    sets = discover_sets()
    names = args.sets or sorted(sets, key=lambda s: sets[s].stat().st_size)
    OUT.mkdir(parents=True, exist_ok=True)
    for cname in args.candidates:
        if cname not in CANDIDATES:
            raise SystemExit(f"unknown candidate {cname!r}; known: {', '.join(CANDIDATES)}")
    for name in names:
        todo = {c: [s for s in args.seeds if (name, s) not in _done(c)] for c in args.candidates}
        if not any(todo.values()):
            continue
        data = read_labelled_set(sets[name])
        cache: dict = {}
        for cname, seeds in todo.items():
            cand = CANDIDATES[cname]
            if not seeds:
                continue
            t0 = time.process_time()
            blocks = [
                (make_block(b, name, sets[name], data.texts, cache), w) for b, w in cand.blocks
            ]
            feat_cpu = time.process_time() - t0  # 0 when an earlier candidate built them
            for seed in seeds:
                start = time.process_time()
                ranker = CandidateRanker(blocks, cand, seed)
                result = simulate(
                    data.texts, LabelOracle(data.labels), seed=seed, scorer=ranker.scores
                )
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
                if ranker.adaptive is not None:  # where the learnt weights ended
                    row["weights"] = ranker.adaptive.weights().tolist()
                    row["gains"] = ranker.adaptive.gains().tolist()
                    row["judged"] = ranker.adaptive.counts.tolist()
                with (OUT / f"{cname}.jsonl").open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(
                    f"{cname} {name} seed={seed} WSS@95={row['wss95']:.3f} "
                    f"loop cpu={cpu:.1f}s features {feat_cpu:.1f}s",
                    flush=True,
                )


def _done(cname: str) -> set[tuple[str, int]]:
    path = OUT / f"{cname}.jsonl"
    if not path.exists():
        return set()
    return {(r["set"], r["seed"]) for r in map(json.loads, path.read_text().splitlines())}


def load(cname: str) -> dict[tuple[str, int], dict]:
    path = OUT / f"{cname}.jsonl"
    if not path.exists():
        return {}
    return {(r["set"], r["seed"]): r for r in map(json.loads, path.read_text().splitlines())}


def asreview_runs() -> dict[tuple[str, int], dict]:
    out = {}
    for p in ASREVIEW_RUNS.glob("*__seed*.json"):
        r = json.loads(p.read_text())
        out[(r["set"], r["seed"])] = r
    return out


def cmd_table(args: argparse.Namespace) -> None:
    """WSS@95 per set: ASReview's, then each candidate's difference to it (same seeds)."""
    asr = asreview_runs()
    runs = {c: load(c) for c in args.candidates}
    seeds = set(args.seeds)
    head = "| set | seeds | ASReview | " + " | ".join(args.candidates) + " |"
    print(head)
    print("|---|---|---|" + "---|" * len(args.candidates))
    diffs: dict[str, list[float]] = {c: [] for c in args.candidates}
    cpu: dict[str, float] = dict.fromkeys(args.candidates, 0.0)
    for name in discover_sets():
        keys = [(name, s) for s in sorted(seeds) if (name, s) in asr]
        if not keys:
            continue
        base = statistics.mean(asr[k]["wss95"] for k in keys)
        cells = []
        for c in args.candidates:
            if not all(k in runs[c] for k in keys):
                cells.append("-")
                continue
            d = statistics.mean(runs[c][k]["wss95"] for k in keys) - base
            diffs[c].append(d)
            cpu[c] += sum(runs[c][k]["loop_cpu_seconds"] for k in keys)
            cells.append(f"{100 * d:+.1f}")
        print(f"| {name} | {len(keys)} | {100 * base:.1f} | " + " | ".join(cells) + " |")

    def summary(c: str) -> str:
        d = diffs[c]
        if not d:
            return "-"
        return (
            f"mean {100 * statistics.mean(d):+.2f}, sets +2 or more {sum(x >= 0.02 for x in d)}"
            f"/{len(d)}, better {sum(x > 0.0005 for x in d)}, worse {sum(x < -0.0005 for x in d)}"
            f", worst {100 * min(d):+.1f}, loop CPU {cpu[c]:.0f} s"
        )

    print()
    for c in args.candidates:
        print(f"- `{c}`: {summary(c)}")


def cmd_columns(args: argparse.Namespace) -> None:
    """The ``svm`` (on ``--block``) with and without kept columns, alternately: CPU, same order?

    Paired (the two variants one after the other per repetition, so both see the same load);
    the TF-IDF is built before the clock starts, so only the screening loop is timed. Orders
    are compared with the sparse path's first run; where they differ, the WSS@95 of both.
    """
    sets = discover_sets()
    names = args.sets or sorted(sets, key=lambda s: sets[s].stat().st_size)
    print("| set | records | loop CPU s, sparse | loop CPU s, kept | kept / sparse | same order |")
    print("|---|---|---|---|---|---|")
    for name in names:
        data = read_labelled_set(sets[name])
        cache: dict = {}
        cpu: dict[bool, list[float]] = {False: [], True: []}
        orders: dict[bool, list[int]] = {}
        labels: dict[bool, list[int]] = {}
        for _ in range(args.repeats):
            for keep in (False, True):
                cand = replace(CANDIDATES["svm"], keep_columns=keep)
                blocks = [(make_block(args.block, name, sets[name], data.texts, cache), 1.0)]
                ranker = CandidateRanker(blocks, cand, args.seed)
                start = time.process_time()
                result = simulate(
                    data.texts, LabelOracle(data.labels), seed=args.seed, scorer=ranker.scores
                )
                cpu[keep].append(time.process_time() - start)
                orders.setdefault(keep, result.order)
                labels.setdefault(keep, result.labels)
        same = orders[False] == orders[True]
        note = (
            "yes"
            if same
            else (f"no (WSS@95 {100 * wss(labels[False]):.1f} / {100 * wss(labels[True]):.1f})")
        )
        a, b = statistics.median(cpu[False]), statistics.median(cpu[True])
        print(f"| {name} | {data.n} | {a:.2f} | {b:.2f} | {b / a:.2f} | {note} |", flush=True)


def cmd_unchanged(args: argparse.Namespace) -> None:
    """``review simulate`` (default model) now vs orders stored by an earlier run: the same?

    Checks that a change to the solver left the default's screening order as it was, record
    for record (``--against`` names a results folder of ``screening_simulation.py run``).
    """
    from screening_simulation import WORK as RUNS
    from screening_simulation import run_ours

    sets = discover_sets()
    for name in args.sets:
        stored = json.loads((RUNS / args.against / f"{name}__seed{args.seed}.json").read_text())
        now = run_ours(sets[name], args.seed, "svm")
        same = now["order"] == stored["order"]
        print(f"{name} seed={args.seed}: same order as {args.against}: {same}", flush=True)


def cmd_target(args: argparse.Namespace) -> None:
    """Issue 18's target per set: WSS@95 >= ASReview's + 2 points (mean over the seeds both
    ran) at no more CPU than ASReview's in the paired run (``run --tool both``).

    Folders are ``screening_simulation.py`` result folders; ``--ours`` may join several by ``+``.
    """
    from screening_simulation import _runs

    print(
        "| set | WSS@95 diff | better in seeds | CPU s ours / ASReview (paired) | +2 points "
        "| time | target |\n|---|---|---|---|---|---|---|"
    )
    met = total = 0
    for name in discover_sets():
        ours = {r["seed"]: r for r in _runs(args.ours, name)}
        asr = {r["seed"]: r for r in _runs(args.asreview, name)}
        seeds = sorted(set(ours) & set(asr))
        p_ours = {r["seed"]: r for r in _runs(args.paired_ours, name)}
        p_asr = {r["seed"]: r for r in _runs(args.paired_asreview, name)}
        paired = sorted(set(p_ours) & set(p_asr))
        if not seeds or not paired:
            continue
        diffs = [100 * (ours[s]["wss95"] - asr[s]["wss95"]) for s in seeds]
        cpu_o = statistics.mean(p_ours[s]["cpu_seconds"] for s in paired)
        cpu_a = statistics.mean(p_asr[s]["cpu_seconds"] for s in paired)
        accurate, fast = statistics.mean(diffs) >= 2.0, cpu_o <= cpu_a
        met += accurate and fast
        total += 1
        print(
            f"| {name} | {statistics.mean(diffs):+.1f} ({len(seeds)} seeds) | "
            f"{sum(d > 0.05 for d in diffs)} of {len(seeds)} | {cpu_o:.1f} / {cpu_a:.1f} "
            f"({len(paired)} seeds) | {'yes' if accurate else 'no'} | {'yes' if fast else 'no'} | "
            f"{'**met**' if accurate and fast else 'unmet'} |"
        )
    print(f"| **sets met** | | | | | | **{met} of {total}** |")


def cmd_versus(args: argparse.Namespace) -> None:
    """Two models side by side per set: each one's WSS@95 minus ASReview's (same seeds), and
    in how many seeds the first beats the second (``screening_simulation.py`` result folders)."""
    from screening_simulation import _runs

    a_name, b_name = args.first.split("+")[0], args.second.split("+")[0]
    print(
        f"| set | seeds | ASReview | {a_name} vs ASReview | {b_name} vs ASReview | "
        f"{a_name} vs {b_name} | {a_name} better in seeds |\n|---|---|---|---|---|---|---|"
    )
    deltas: list[float] = []
    for name in discover_sets():
        one = {r["seed"]: r["wss95"] for r in _runs(args.first, name)}
        two = {r["seed"]: r["wss95"] for r in _runs(args.second, name)}
        asr = {r["seed"]: r["wss95"] for r in _runs(args.asreview, name)}
        seeds = sorted(set(one) & set(two) & set(asr))
        if not seeds:
            continue
        base = statistics.mean(asr[s] for s in seeds)
        da = 100 * (statistics.mean(one[s] for s in seeds) - base)
        db = 100 * (statistics.mean(two[s] for s in seeds) - base)
        deltas.append(da - db)
        wins = sum(one[s] - two[s] > 0.0005 for s in seeds)
        print(
            f"| {name} | {len(seeds)} | {100 * base:.1f} | {da:+.1f} | {db:+.1f} | "
            f"{da - db:+.1f} | {wins} of {len(seeds)} |"
        )
    if deltas:
        better, worse = sum(d > 0.05 for d in deltas), sum(d < -0.05 for d in deltas)
        print(
            f"| **mean over {len(deltas)} sets** | | | | | {statistics.mean(deltas):+.2f} | "
            f"better on {better}, worse on {worse} |"
        )


def cmd_weights(args: argparse.Namespace) -> None:
    """Where an adaptive candidate's learnt weights ended, per set (mean over its seeds)."""
    runs = load(args.candidate)
    print(
        "| set | seeds | judged relevant / irrelevant | gain word SVM | gain char SVM | "
        "weight char SVM, end |\n|---|---|---|---|---|---|"
    )
    for name in discover_sets():
        rows = [runs[k] for k in sorted(runs) if k[0] == name and "weights" in runs[k]]
        if not rows:
            continue
        judged = np.mean([r["judged"] for r in rows], axis=0)
        gains = np.mean([r["gains"] for r in rows], axis=0)
        char_weight = statistics.mean(r["weights"][1] for r in rows)
        print(
            f"| {name} | {len(rows)} | {judged[1]:.0f} / {judged[0]:.0f} | {gains[0]:.4f} | "
            f"{gains[1]:.4f} | {char_weight:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("candidates", nargs="+")
    p.add_argument("--sets", nargs="*")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("table")
    p.add_argument("candidates", nargs="+")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.set_defaults(func=cmd_table)
    p = sub.add_parser("columns")
    p.add_argument("--sets", nargs="*")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--block", default="word", help="feature block: word (the default svm), char")
    p.set_defaults(func=cmd_columns)
    p = sub.add_parser("unchanged")
    p.add_argument("--sets", nargs="+", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--against", default="paired-ours")
    p.set_defaults(func=cmd_unchanged)
    p = sub.add_parser("target")
    p.add_argument("--ours", required=True, help="e.g. ours-svm_rrf_char+paired-ours-svm_rrf_char")
    p.add_argument("--asreview", default="asreview")
    p.add_argument("--paired-ours", required=True)
    p.add_argument("--paired-asreview", default="paired-asreview")
    p.set_defaults(func=cmd_target)
    p = sub.add_parser("weights")
    p.add_argument("candidate", nargs="?", default="adaptive_char")
    p.set_defaults(func=cmd_weights)
    p = sub.add_parser("versus")
    p.add_argument("first", help="e.g. ours-svm_adaptive+third-ours-svm_adaptive")
    p.add_argument("second", help="e.g. ours-svm_rrf_char+paired-ours-svm_rrf_char")
    p.add_argument("--asreview", default="asreview")
    p.set_defaults(func=cmd_versus)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

"""Screening simulation benchmark: our ranking vs ASReview LAB's default model, same data/priors.

Every labelled set under ``../shared/benchmarks/screening/`` is replayed with both tools from
the SAME prior knowledge (one relevant + one irrelevant row chosen by
``LabelOracle.prior_rows(seed)``, passed to ASReview as ``--prior-idx``). Metrics for both are
computed by the same functions (:func:`review.screening.simulate.wss`, ``recall_at``) from the
screening order. ASReview stops after the last relevant record (its default); the unscreened rest
is appended as irrelevant, which leaves WSS@95 and recall@10 % exact.

Usage (from the repository root; ASReview via ``benchmarks/setup_asreview.sh``)::

    .venv/bin/python benchmarks/screening_simulation.py run --tool asreview --seeds 0 1 2 3 4
    .venv/bin/python benchmarks/screening_simulation.py run --tool ours --seeds 0 1 2 3 4
    .venv/bin/python benchmarks/screening_simulation.py timing
    .venv/bin/python benchmarks/screening_simulation.py table

``run`` accepts ``--sets NAME ...`` (default: all) and skips runs whose result file exists, so it
can be split across background jobs and resumed. Results: ``benchmarks/work/screening/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from review.screening.ranking import DEFAULT_MODEL, Ranker  # noqa: E402
from review.screening.simulate import (  # noqa: E402
    LabelOracle,
    read_labelled_set,
    recall_at,
    simulate,
    wss,
)
from review.screening.stopping import evaluate_rules, parse_rule  # noqa: E402

SHARED = REPO.parent / "shared" / "benchmarks" / "screening"
WORK = REPO / "benchmarks" / "work" / "screening"
ASREVIEW = REPO / "benchmarks" / "work" / "venv-asreview" / "bin" / "asreview"
#: Both tools run single-threaded (2 shared cores; the comparison is per process).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def discover_sets() -> dict[str, Path]:
    """Every labelled CSV under the shared screening folder, by a short name."""
    sets: dict[str, Path] = {}
    for path in sorted(SHARED.rglob("*.csv")):
        if path.name == "index.csv":
            continue
        name = path.stem.replace("_from_xlsx", "")
        if path.parent.name.startswith("Cohen"):
            name = f"Cohen_{name}"
        sets[name] = path
    return sets


def result_path(tool: str, name: str, seed: int) -> Path:
    return WORK / tool / f"{name}__seed{seed}.json"


def run_ours(path: Path, seed: int, model: str, batch_fraction: float = 0.0) -> dict:
    """``review simulate`` as a separate process, timed like ASReview's (wall and CPU seconds).

    ``model`` ``variant:SPEC`` runs a feature-set candidate of ``screening_model_variants.py``
    in-process instead (only its WSS and recall are comparable, not its time).
    """
    if model.startswith("variant:"):
        return _run_variant(path, seed, model.split(":", 1)[1])
    review = REPO / ".venv" / "bin" / "review"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "order.csv"
        cmd = [str(review), "simulate", str(path), "-o", str(out), "--seed", str(seed)]
        cmd += ["--model", model, "--batch-fraction", str(batch_fraction)]
        cmd += ["--stopping-rule", "none"]  # rules are replayed below, as for ASReview
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            cmd, check=True, capture_output=True, text=True, env={**os.environ, **ONE_THREAD}
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - start
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    screened = int(done.stdout.split("screened ", 1)[1].split(" ", 1)[0])
    retrainings = int(done.stdout.split("retrainings: ", 1)[1].split(",", 1)[0])
    return {
        "labels": [int(r["label"]) for r in rows],
        "order": [int(r["row"]) for r in rows],
        "n_screened_by_tool": screened,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "n_retrains": retrainings,
        "mean_retrain_seconds": wall / max(1, screened - 2),
    }


def _run_variant(path: Path, seed: int, spec: str) -> dict:
    from screening_model_variants import block, parse

    data = read_labelled_set(path)
    start, cpu0 = time.perf_counter(), time.process_time()
    blocks = [(block(name, path.stem, data.texts)[0], w) for name, w in parse(spec)]
    ranker = Ranker.from_blocks(blocks, seed=seed)
    result = simulate(data.texts, LabelOracle(data.labels), seed=seed, scorer=ranker.scores)
    wall = time.perf_counter() - start
    return {
        "labels": result.labels,
        "order": result.order,
        "n_screened_by_tool": result.n_screened,
        "wall_seconds": wall,
        "cpu_seconds": time.process_time() - cpu0,
        "mean_retrain_seconds": float(np.mean(result.train_seconds)),
    }


def run_asreview(path: Path, seed: int) -> dict:
    data = read_labelled_set(path)
    prior = LabelOracle(data.labels).prior_rows(seed)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim.asreview"
        cmd = [
            str(ASREVIEW),
            "simulate",
            str(path),
            "--prior-idx",
            *(str(r) for r in prior),
            "--seed",
            str(seed),
            "-o",
            str(out),
        ]
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, **ONE_THREAD})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - start
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with zipfile.ZipFile(out) as zf:
            zf.extract("results.db", tmp)
        con = sqlite3.connect(Path(tmp) / "results.db")
        to_row = dict(con.execute("SELECT record_id, dataset_row FROM record").fetchall())
        screened = con.execute("SELECT record_id, label FROM results ORDER BY rowid").fetchall()
        con.close()
    order = [int(to_row[r]) for r, _ in screened]
    labels = [int(lab) for _, lab in screened]
    assert sorted(order[:2]) == sorted(prior), "ASReview did not start from our prior rows"
    seen = set(order)
    rest = [r for r in range(data.n) if r not in seen]
    assert int(data.labels[rest].sum()) == 0, "ASReview stopped before the last relevant"
    return {
        "labels": labels + [0] * len(rest),
        "order": order + rest,
        "n_screened_by_tool": len(order),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        # One retraining per screened record after the priors, plus one-off feature extraction.
        "mean_retrain_seconds": wall / max(1, len(order) - 2),
    }


def summarise(run: dict) -> dict:
    labels = run["labels"]
    out = {
        "wss95": wss(labels, 0.95),
        "recall10": recall_at(labels, 0.10),
        "n": len(labels),
        "n_relevant": int(sum(labels)),
        "wall_seconds": run["wall_seconds"],
        "cpu_seconds": run.get("cpu_seconds"),
        "mean_retrain_seconds": run["mean_retrain_seconds"],
    }
    out["stopping"] = evaluate_rules(labels)
    return out


def cmd_run(args: argparse.Namespace) -> None:
    """Run one tool, or with ``--tool both`` the two alternately per (set, seed) (``paired``)."""
    sets = discover_sets()
    names = args.sets or list(sets)
    tools = ["asreview", "ours"] if args.tool == "both" else [args.tool]
    for name in names:
        for seed in args.seeds:
            for tool in tools:
                _run_one(args, tool, name, sets[name], seed)


def _run_one(args: argparse.Namespace, tool: str, name: str, path: Path, seed: int) -> None:
    tool_dir = tool
    if tool == "ours" and args.model != DEFAULT_MODEL:
        tool_dir = f"ours-{args.model.replace(':', '-')}"  # variants measured beside the default
    if tool == "ours" and args.batch_fraction != 0.0:
        tool_dir = f"{tool_dir}-bf{args.batch_fraction:g}"
    if args.tool == "both":
        # A new --paired name gives ASReview fresh runs beside ours (same load, same session).
        tool_dir = f"{args.paired}-{tool_dir}"
    out = result_path(tool_dir, name, seed)
    if out.exists():
        return
    if tool == "ours":
        run = run_ours(path, seed, args.model, args.batch_fraction)
    else:
        run = run_asreview(path, seed)
    summary = summarise(run)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"set": name, "seed": seed, **summary, "order": run["order"]}))
    print(
        f"{tool_dir} {name} seed={seed} WSS@95={summary['wss95']:.3f} "
        f"R@10={summary['recall10']:.3f} wall={summary['wall_seconds']:.1f}s "
        f"cpu={summary['cpu_seconds']:.1f}s",
        flush=True,
    )


def cmd_timing(args: argparse.Namespace) -> None:
    """Time one retraining (fit on labelled rows + score all rows) at 10k real records.

    The 10k are the first sets in name order, with their real labels; a random subset of
    them is "screened" (so prevalence among the labelled is the sets' own, about 6 %).
    "from scratch" is a fresh model (what one `review screen` run pays: the Gram matrix of the
    labelled rows is built first); "one more label" is the next retraining after one more
    decision (what a simulation pays per record).
    """
    texts: list[str] = []
    truth: list[int] = []
    for path in discover_sets().values():
        data = read_labelled_set(path)
        texts.extend(data.texts)
        truth.extend(int(v) for v in data.labels)
        if len(texts) >= args.n:
            break
    texts, truth = texts[: args.n], truth[: args.n]
    rng = np.random.default_rng(0)
    start = time.process_time()
    x = Ranker(texts, model=args.model, seed=0).features
    vec = time.process_time() - start
    lines = [
        f"records={len(texts)} (relevant {sum(truth)}) model={args.model} "
        f"vectorise_once={vec:.2f}s CPU"
    ]
    for n_labelled in (100, 1000, 5000, 9000):
        rows = rng.choice(len(texts), n_labelled + 1, replace=False)
        labels = {int(r): truth[r] for r in rows[:-1]}  # real labels of a random screened subset
        fresh, more = [], []
        for _ in range(3):
            ranker = Ranker.from_blocks([(x, 1.0)], seed=0)
            t0 = time.process_time()
            ranker.scores(labels)
            fresh.append(time.process_time() - t0)
            t0 = time.process_time()
            ranker.scores({**labels, int(rows[-1]): truth[rows[-1]]})
            more.append(time.process_time() - t0)
        lines.append(
            f"labelled={n_labelled} ({sum(labels.values())} relevant): from scratch median "
            f"{statistics.median(fresh):.3f}s, one more label median {statistics.median(more):.3f}s"
            " (CPU)"
        )
    text = "\n".join(lines)
    print(text)
    (WORK / f"timing_{args.model}.txt").parent.mkdir(parents=True, exist_ok=True)
    (WORK / f"timing_{args.model}.txt").write_text(text + "\n")


def _runs(tool: str, name: str) -> list[dict]:
    """The runs of one set in a results folder, or in several joined by ``+`` (e.g. the seeds of
    a paired run and of an unpaired one; a seed found twice is counted once, first folder first).
    """
    runs: dict[int, dict] = {}
    for folder in tool.split("+"):
        for p in sorted((WORK / folder).glob(f"{name}__seed*.json")):
            if p.stem.rsplit("seed", 1)[1].isdigit():
                run = json.loads(p.read_text())
                runs.setdefault(run["seed"], run)
    return [runs[s] for s in sorted(runs)]


def cmd_table(args: argparse.Namespace) -> None:
    """Per set, mean over the seeds both tools ran: WSS@95, recall@10 %, CPU and wall seconds."""
    head = (
        "| set | records | relevant | WSS@95 ours | WSS@95 ASReview | diff | recall@10% ours | "
        "recall@10% ASReview | CPU s ours | CPU s ASReview | CPU ASReview / ours | "
        "wall s ours | wall s ASReview | seeds |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    print(head)
    tot: dict[str, list[float]] = {}
    for name in discover_sets():
        ours, asr = _runs(args.ours, name), _runs(args.asreview, name)
        seeds = sorted({r["seed"] for r in ours} & {r["seed"] for r in asr})
        if not seeds:
            continue
        o = [r for r in ours if r["seed"] in seeds]
        a = [r for r in asr if r["seed"] in seeds]

        def mean(rs: list[dict], key: str) -> float:
            return statistics.mean(r[key] for r in rs)

        cells = {
            "wo": 100 * mean(o, "wss95"),
            "wa": 100 * mean(a, "wss95"),
            "ro": 100 * mean(o, "recall10"),
            "ra": 100 * mean(a, "recall10"),
            "co": mean(o, "cpu_seconds"),
            "ca": mean(a, "cpu_seconds"),
            "to": mean(o, "wall_seconds"),
            "ta": mean(a, "wall_seconds"),
        }
        for k, v in cells.items():
            tot.setdefault(k, []).append(v)
        tot.setdefault("cpu_o_sum", []).append(sum(r["cpu_seconds"] for r in o))
        tot.setdefault("cpu_a_sum", []).append(sum(r["cpu_seconds"] for r in a))
        c = cells
        print(
            f"| {name} | {o[0]['n']} | {o[0]['n_relevant']} | {c['wo']:.1f} | {c['wa']:.1f} | "
            f"{c['wo'] - c['wa']:+.1f} | {c['ro']:.1f} | {c['ra']:.1f} | {c['co']:.1f} | "
            f"{c['ca']:.1f} | {c['ca'] / c['co']:.1f}x | {c['to']:.1f} | {c['ta']:.1f} | "
            f"{len(seeds)} |"
        )
    if tot:
        m = {k: statistics.mean(v) for k, v in tot.items()}
        print(
            f"| **mean over {len(tot['wo'])} sets** | | | {m['wo']:.1f} | {m['wa']:.1f} | "
            f"{m['wo'] - m['wa']:+.1f} | {m['ro']:.1f} | {m['ra']:.1f} | {m['co']:.1f} | "
            f"{m['ca']:.1f} | | {m['to']:.1f} | {m['ta']:.1f} | |"
        )
        cpu_o, cpu_a = sum(tot["cpu_o_sum"]), sum(tot["cpu_a_sum"])
        print(
            f"\nCPU seconds, all runs: ours {cpu_o:.0f}, ASReview {cpu_a:.0f} "
            f"(ratio {cpu_a / cpu_o:.1f}x)"
        )
    print()
    variants_table()
    print()
    stop_table(args.ours, args.rules)


def _mean_wss(tool_dir: str, name: str) -> tuple[float, int] | None:
    runs = [json.loads(p.read_text()) for p in sorted((WORK / tool_dir).glob(f"{name}__seed*"))]
    if not runs:
        return None
    return statistics.mean(r["wss95"] for r in runs), len(runs)


def variants_table() -> None:
    """WSS@95 of every model variant run (``run --tool ours --model M``) beside the default."""
    dirs = ["asreview", "ours", *sorted(p.name for p in WORK.glob("ours-*") if p.is_dir())]
    print("| set | " + " | ".join(f"WSS@95 {d}" for d in dirs) + " |")
    print("|---|" + "---|" * len(dirs))
    for name in discover_sets():
        cells = [_mean_wss(d, name) for d in dirs]
        if all(c is None for c in cells):
            continue
        print(
            f"| {name} | "
            + " | ".join("-" if c is None else f"{100 * c[0]:.1f} ({c[1]})" for c in cells)
            + " |"
        )


def stop_table(tool: str = "ours", rules: list[str] | None = None) -> None:
    """Where each stopping rule would have stopped our screening order (mean over seeds).

    ``rules`` (``parse_rule`` syntax) replays the stored orders with those rules instead of the
    ones the runs were scored with.
    """
    by_rule: dict[str, dict[str, list[float]]] = {}
    per_set: dict[str, dict[str, tuple[float, float]]] = {}
    sets = discover_sets()
    for name in sets:
        runs = _runs(tool, name)
        if not runs:
            continue
        if rules:
            truth = read_labelled_set(sets[name]).labels
            specs = [parse_rule(r) for r in rules]
            for r in runs:
                r["stopping"] = evaluate_rules([int(truth[i]) for i in r["order"]], specs)
        for rule in [r["rule"] for r in runs[0]["stopping"]]:
            rec = [next(x for x in r["stopping"] if x["rule"] == rule)["recall"] for r in runs]
            saved = [
                next(x for x in r["stopping"] if x["rule"] == rule)["work_saved"] for r in runs
            ]
            agg = by_rule.setdefault(rule, {"recall": [], "saved": [], "min": []})
            agg["recall"].append(statistics.mean(rec))
            agg["saved"].append(statistics.mean(saved))
            agg["min"].append(min(rec))
            per_set.setdefault(name, {})[rule] = (statistics.mean(rec), statistics.mean(saved))
    rules = list(by_rule)
    print("| set | " + " | ".join(f"{r}: recall / work saved" for r in rules) + " |")
    print("|---|" + "---|" * len(rules))
    for name, cells in per_set.items():
        print(
            f"| {name} | "
            + " | ".join(f"{100 * cells[r][0]:.0f} / {100 * cells[r][1]:.0f}" for r in rules)
            + " |"
        )
    print(
        f"| **mean over {len(per_set)} sets** | "
        + " | ".join(
            f"{100 * statistics.mean(by_rule[r]['recall']):.0f} / "
            f"{100 * statistics.mean(by_rule[r]['saved']):.0f} "
            f"(worst run recall {100 * min(by_rule[r]['min']):.0f})"
            for r in rules
        )
        + " |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--tool", choices=("ours", "asreview", "both"), required=True)
    p.add_argument("--sets", nargs="*")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--batch-fraction", type=float, default=0.0)
    p.add_argument(
        "--paired",
        default="paired",
        help="with --tool both: folder prefix (NAME-asreview, NAME-ours-MODEL); a new name "
        "reruns ASReview beside ours instead of reusing an earlier session's paired runs",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("timing")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.set_defaults(func=cmd_timing)
    p = sub.add_parser("table")
    p.add_argument(
        "--ours", default="ours", help="our results folder(s), e.g. ours-svm_char or A+B"
    )
    p.add_argument("--asreview", default="asreview", help="ASReview's folder, e.g. paired-asreview")
    p.add_argument("--rules", nargs="*", help="replay the orders with these stopping rules")
    p.set_defaults(func=cmd_table)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

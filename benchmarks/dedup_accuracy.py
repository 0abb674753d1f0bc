"""Accuracy of ``review.dedup`` on every labelled set, beside bib-dedupe run in the same session.

Usage (from the repository root)::

    bash benchmarks/setup_bibdedupe.sh          # once: bib-dedupe in its own venv
    .venv/bin/python benchmarks/dedup_accuracy.py [--sets a,b] [--no-bibdedupe] [--cases DIR]

Prints markdown tables (both counting conventions, F1, runtime, and the time ratio) and writes
``benchmarks/work/dedup_accuracy.json``. ``--cases DIR`` writes each set's false merges and
missed duplicates for inspection. Also measures the UMKM website corpus against its work_key.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_metrics import convention_a, convention_b, groups, pairwise
from dedup_sets import ROOT, BenchSet, load_sets, to_bibdedupe_csv

from review.dedup import deduplicate
from review.sources.corpus_csv import read_collection

WORK = ROOT / "benchmarks" / "work"
BIBDEDUPE = WORK / "venv-bibdedupe" / "bin" / "python"
UMKM = ROOT / "data" / "raw" / "websites" / "umkm_web" / "2026-11-collection" / "records.csv"
#: Documented errors of the published truth (evidence in each row), set aside in a second score.
TRUTH_NOTES = ROOT / "benchmarks" / "dedup_truth_notes.csv"


def truth_errors(name: str) -> set[str]:
    """Benchmark ids of the records a documented truth error involves, for one set.

    The pooled set inherits its parts' notes (ids prefixed by the part's name).
    """
    out: set[str] = set()
    with TRUTH_NOTES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] != "truth_error":
                continue
            ids = row["record_ids"].split(";")
            if row["set"] == name:
                out.update(ids)
            elif name == "pooled" and row["set"] != "respiratory_xml":
                out.update(f"{row['set']}/{i}" for i in ids)
    return out


def run_ours(bench: BenchSet) -> tuple[dict[str, str], float, object, float]:
    cpu0 = time.process_time()
    start = time.perf_counter()
    result = deduplicate(bench.records)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    pred = {bench.bench_id[c["record_id"]]: c["study_id"] for c in result.clusters}
    return pred, elapsed, result, cpu


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_bibdedupe(bench: BenchSet) -> tuple[dict[str, str], float, float, float]:
    src = to_bibdedupe_csv(bench, WORK / "bibdedupe_in" / f"{bench.name}.csv")
    out = WORK / "bibdedupe_out" / f"{bench.name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIBDEDUPE), str(ROOT / "benchmarks" / "bibdedupe_run.py"), str(src), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu0  # the whole process, reading and imports included
    inner = float(proc.stdout.strip().splitlines()[-1])
    pred = {
        bench.bench_id[r.record_id]: f"single:{bench.bench_id[r.record_id]}" for r in bench.records
    }
    with out.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pred[row["ID"]] = f"cluster:{row['cluster']}"
    return pred, inner, wall, cpu


def _this_prepare():
    """This checkout's ``review.dedup.prepare``, whatever ``review`` is imported: a run of an
    older engine (``PYTHONPATH=old/src``) then scores against the same notices-apart truth."""
    spec = importlib.util.spec_from_file_location(
        "_bench_prepare", ROOT / "src" / "review" / "dedup" / "prepare.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def notices_apart(bench: BenchSet) -> list[list[str]]:
    """The set's clusters under our errata convention: notices split from the paper.

    A notice (erratum, correction, reply, comment; :mod:`review.dedup.prepare` decides) that a
    set's truth joins to the paper it concerns becomes its own work, together with the other
    notices of that cluster. Reported beside the set's own truth, never instead of it.
    """
    ids = [bench.bench_id[r.record_id] for r in bench.records]
    notice = dict(zip(ids, _this_prepare().build_features(bench.records).notice, strict=True))
    out: list[list[str]] = []
    for c in bench.clusters or []:
        parts = [[i for i in c if notice[i]], [i for i in c if not notice[i]]]
        out += [p for p in parts if len(p) > 1]
    return out


def _counts(pred: dict[str, str], clusters: list[list[str]]) -> tuple[int, int]:
    """(false merges, missed sets): predicted studies mixing two works; works split apart."""
    truth = {i: f"s:{i}" for i in pred}
    for k, c in enumerate(clusters):
        for i in c:
            truth[i] = f"c:{k}"
    false = sum(len({truth[i] for i in g}) > 1 for g in groups(pred))
    missed = sum(len({pred[i] for i in g}) > 1 for g in groups(truth))
    return false, missed


def score(bench: BenchSet, pred: dict[str, str]) -> dict:
    order = {bench.bench_id[r.record_id]: k for k, r in enumerate(bench.records)}
    out: dict = {}
    if bench.flagged is not None:
        out["a"] = convention_a(pred, bench.flagged)
    if bench.clusters is not None:
        out["b"] = convention_b(pred, bench.clusters, order)
        truth = {i: f"s:{i}" for i in pred}
        for k, c in enumerate(bench.clusters):
            for i in c:
                truth[i] = f"c:{k}"
        out["pairs"] = pairwise(pred, truth)
        out["false_merges"], out["missed_sets"] = _counts(pred, bench.clusters)
        apart = notices_apart(bench)
        out["b_notices_apart"] = convention_b(pred, apart, order)
        out["fm_notices_apart"], out["ms_notices_apart"] = _counts(pred, apart)
    aside = truth_errors(bench.name)
    if aside:
        kept = {i: p for i, p in pred.items() if i not in aside}
        if bench.flagged is not None:
            out["a_aside"] = convention_a(kept, bench.flagged - aside)
        if bench.clusters is not None:
            rest = [[i for i in c if i not in aside] for c in bench.clusters]
            out["b_aside"] = convention_b(kept, [c for c in rest if len(c) > 1], order)
            out["fm_aside"], out["ms_aside"] = _counts(kept, [c for c in rest if len(c) > 1])
        out["aside_records"] = len(aside & set(pred))
    return out


def write_cases(bench: BenchSet, pred: dict[str, str], result, folder: Path) -> None:
    """False merges and missed duplicates, with the fields a reader needs to judge them."""
    if bench.clusters is None:
        return
    truth = {i: f"s:{i}" for i in pred}
    for k, c in enumerate(bench.clusters):
        for i in c:
            truth[i] = f"c:{k}"
    by_id = {bench.bench_id[r.record_id]: r for r in bench.records}
    rows = []
    for g in groups(pred):
        labs = {truth[i] for i in g}
        if len(labs) > 1:
            rows.append(("FALSE_MERGE", g))
    for g in groups(truth):
        labs = {pred[i] for i in g}
        if len(labs) > 1:
            rows.append(("MISSED", g))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{bench.name}.txt").open("w", encoding="utf-8") as fh:
        for kind, g in rows:
            fh.write(f"== {kind}\n")
            for i in g:
                r = by_id[i]
                fh.write(
                    f"  {i} [{pred[i][-6:]}] {r.year} | {r.title[:110]} | "
                    f"{'; '.join(r.authors)[:60]} | {r.venue[:40]} | {r.volume} | "
                    f"{r.pages} | {r.doi}\n"
                )


def fmt(m: dict | None) -> str:
    if not m:
        return "n/a"
    spec = f"{m['specificity']:.4f}" if "specificity" in m else "-"
    return (
        f"{m['TP']}/{m['FN']}/{m.get('TN', '-')}/{m['FP']} | {m['sensitivity']:.4f} | "
        f"{spec} | {m['f1']:.4f}"
    )


def umkm() -> dict:
    """Pairwise figures and cluster counts on the UMKM website corpus (truth: work_key)."""
    records = read_collection(UMKM, source_id="umkm_web")
    with UMKM.open(encoding="utf-8") as fh:
        key = {f"umkm_web:{row['sighting_id']}": row["work_key"] for row in csv.DictReader(fh)}
    start = time.perf_counter()
    result = deduplicate(records)
    elapsed = time.perf_counter() - start
    pred = {c["record_id"]: c["study_id"] for c in result.clusters}
    m = pairwise(pred, key)
    truth_groups = groups(key)
    return {
        "records": len(records),
        "studies": len(result.studies),
        "works": len(truth_groups),
        "true_multi": sum(len(g) > 1 for g in truth_groups),
        "pred_multi": sum(s["n_records"] > 1 for s in result.studies),
        "exact_clusters": len(
            {frozenset(g) for g in groups(pred)} & {frozenset(g) for g in truth_groups}
        ),
        "pairs": m,
        "seconds": elapsed,
        "rules": {
            r: sum(1 for x in result.links if x["rule"] == r)
            for r in {x["rule"] for x in result.links}
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=None)
    ap.add_argument("--no-bibdedupe", action="store_true")
    ap.add_argument("--cases", type=Path, default=None)
    args = ap.parse_args()
    names = args.sets.split(",") if args.sets else None
    report: dict = {"sets": {}}
    print(
        "| set | n | tool | (a) TP/FN/TN/FP | sens | spec | F1 "
        "| (b) TP/FN/TN/FP | sens | spec | F1 | false merges | missed sets "
        "| (b) notices apart: sens | spec | false merges | missed sets | seconds | CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for bench in load_sets(names):
        pred, secs, result, cpu = run_ours(bench)
        entry = {"n": len(bench.records), "ours": {**score(bench, pred), "seconds": secs}}
        entry["ours"]["cpu"] = cpu
        if args.cases:
            write_cases(bench, pred, result, args.cases)
        rows = [("review.dedup", entry["ours"], secs)]
        if not args.no_bibdedupe and BIBDEDUPE.exists():
            bpred, inner, wall, bcpu = run_bibdedupe(bench)
            entry["bibdedupe"] = {**score(bench, bpred), "seconds": inner, "wall": wall}
            entry["bibdedupe"]["cpu"] = bcpu
            entry["time_ratio"] = inner / secs
            entry["cpu_ratio"] = bcpu / cpu
            rows.append(("bib-dedupe", entry["bibdedupe"], inner))
        for tool, m, s in rows:
            nb = m.get("b_notices_apart")
            apart = (
                f"{nb['sensitivity']:.4f} | {nb['specificity']:.4f} | "
                f"{m['fm_notices_apart']} | {m['ms_notices_apart']}"
                if nb
                else "n/a | | |"
            )
            print(
                f"| {bench.name} | {len(bench.records)} | {tool} | {fmt(m.get('a'))} | "
                f"{fmt(m.get('b'))} | {m.get('false_merges', 'n/a')} | "
                f"{m.get('missed_sets', 'n/a')} | {apart} | {s:.2f} | {m['cpu']:.2f} |",
                flush=True,
            )
        for tool, m, _s in rows:
            if "aside_records" in m:
                a, b = m.get("a_aside"), m.get("b_aside")
                print(
                    f"| {bench.name} | | {tool}, {m['aside_records']} records of documented "
                    f"truth errors set aside | (a) {fmt(a)} | (b) {fmt(b)} | false merges "
                    f"{m.get('fm_aside', 'n/a')} | missed sets {m.get('ms_aside', 'n/a')} |",
                    flush=True,
                )
        if "time_ratio" in entry:
            print(
                f"| {bench.name} | | bib-dedupe / review.dedup | time {entry['time_ratio']:.0f}x "
                f"| CPU {entry['cpu_ratio']:.0f}x (bib-dedupe CPU includes its process start) |",
                flush=True,
            )
        report["sets"][bench.name] = entry
    if names is None or "umkm" in names:
        u = umkm()
        report["umkm"] = u
        p = u["pairs"]
        print(
            f"\nUMKM corpus: {u['records']} sightings -> {u['studies']} studies "
            f"(truth {u['works']} works; multi-record studies {u['pred_multi']} vs "
            f"{u['true_multi']}; identical clusters {u['exact_clusters']}); pairwise "
            f"TP {p['TP']} FP {p['FP']} FN {p['FN']} precision {p['precision']:.4f} "
            f"recall {p['sensitivity']:.4f} F1 {p['f1']:.4f}; {u['seconds']:.2f} s; "
            f"rules {u['rules']}"
        )
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "dedup_accuracy.json").write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

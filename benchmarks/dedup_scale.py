"""Speed and memory of ``review.dedup`` at 10k, 100k and 1M records, with known truth.

Usage (from the repository root)::

    .venv/bin/python benchmarks/dedup_scale.py --sizes 10000,100000,1000000 [--workers 2]

The inputs are built from the real records of the labelled sets in ../shared/benchmarks/dedup
and the UMKM corpus. Each *work* takes a real title with each word replaced, with probability
one half, by a word of the pooled title vocabulary (so that hundreds of thousands of works stay
distinct while their titles keep the length, shape and words of real titles), real author
names, a venue, year, volume, pages and (for 40 %) a DOI. Each work then appears 1-5 times
(65/25/7/2/1 %, mean 1.49) as *records*, each perturbed the way databases disagree: case,
punctuation, a typo or two,
a truncated title, "Surname, Given" vs "Given Surname" vs initials, an abbreviated venue, a
year one off (online first), dropped DOI / year / pages / venue / authors. The work id is the
truth. Every size runs in a fresh process (``--one``) pinned to ``--workers`` cores, so that
peak RSS (``ru_maxrss``) belongs to that size alone. Results go to
``benchmarks/work/dedup_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"


def _pool():
    from dedup_sets import load_sets

    from review.sources.corpus_csv import read_collection

    recs = [r for b in load_sets() for r in b.records]
    umkm = ROOT / "data" / "raw" / "websites" / "umkm_web" / "2026-11-collection" / "records.csv"
    recs += read_collection(umkm, source_id="umkm_web")
    titles = sorted({r.title for r in recs if len(r.title) > 25})
    authors = sorted({a for r in recs for a in r.authors if "," in a and len(a) < 40})
    venues = sorted({r.venue for r in recs if r.venue and len(r.venue) < 80})
    vocab = sorted({w for t in titles for w in t.split() if w.isalpha() and len(w) > 3})
    return titles, authors, venues, vocab


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 10:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.33:
        return text[:i] + text[i + 1 :]
    if op < 0.66:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstn") + text[i:]


def _author_form(rng: random.Random, name: str, form: int) -> str:
    surname, _, given = name.partition(",")
    surname, given = surname.strip(), given.strip()
    if form == 1:
        return f"{given} {surname}".strip()
    if form == 2:
        initials = " ".join(g[0] + "." for g in given.replace(".", " ").split() if g)
        return f"{surname}, {initials}".strip(", ")
    if form == 3:
        return surname.upper() + (f", {given}" if given else "")
    return name


def _abbrev(venue: str) -> str:
    return " ".join(w[:4] + "." if len(w) > 5 else w for w in venue.split())


def build(n: int, seed: int = 20261129):
    """``n`` records and their truth (record id -> work id)."""
    from review.records import Record

    titles, authors, venues, vocab = _pool()
    rng = random.Random(seed)
    records: list[Record] = []
    truth: dict[str, str] = {}
    w = 0
    while len(records) < n:
        w += 1
        words = [x if rng.random() < 0.5 else rng.choice(vocab) for x in rng.choice(titles).split()]
        title = " ".join(words)
        names = [rng.choice(authors) for _ in range(rng.randint(1, 6))]
        year = rng.randint(1995, 2025)
        venue = rng.choice(venues)
        volume = str(rng.randint(1, 300))
        start = rng.randint(1, 3000)
        pages = f"{start}-{start + rng.randint(2, 20)}"
        doi = f"10.9999/syn.{w}" if rng.random() < 0.4 else ""
        copies = rng.choices((1, 2, 3, 4, 5), weights=(65, 25, 7, 2, 1))[0]
        form = rng.randrange(4)
        for c in range(copies):
            if len(records) >= n:
                break
            t, a, y, v, p, d = title, list(names), year, venue, pages, doi
            if c:  # a second sighting: perturb like another database would
                if rng.random() < 0.3:
                    t = t.upper() if rng.random() < 0.3 else t.lower()
                if rng.random() < 0.3:
                    t = t.replace(",", "").replace(":", " -")
                if rng.random() < 0.2:
                    t = _typo(rng, t)
                if rng.random() < 0.05 and len(t) > 60:
                    t = t[: rng.randint(45, 60)]
                form = rng.randrange(4)
                a = [_author_form(rng, x, form) for x in a]
                if rng.random() < 0.1:
                    a = [*a[:1], "et al."]
                if rng.random() < 0.3:
                    v = _abbrev(v)
                if rng.random() < 0.05:
                    y = y + 1
                if rng.random() < 0.4:
                    d = ""
                if rng.random() < 0.1:
                    y = None
                if rng.random() < 0.3:
                    p = ""
                if rng.random() < 0.15:
                    v = ""
                if rng.random() < 0.05:
                    a = []
            rid = f"syn:{len(records) + 1}"
            records.append(
                Record(
                    rid,
                    "syn",
                    "database",
                    title=t,
                    authors=a,
                    year=y,
                    venue=v,
                    volume=volume,
                    pages=p,
                    doi=d,
                    run_id="r1",
                )
            )
            truth[rid] = f"w{w}"
    return records, truth


def bibdedupe(records, truth: dict[str, str], n: int) -> dict:
    """bib-dedupe (own venv) on the same synthetic records: its time and pairwise accuracy."""
    import csv

    from dedup_metrics import pairwise

    venv = WORK / "venv-bibdedupe" / "bin" / "python"
    src, out = WORK / f"scale_{n}_bibdedupe_in.csv", WORK / f"scale_{n}_bibdedupe_out.csv"
    cols = ["ID", "ENTRYTYPE", "title", "author", "year", "journal", "volume", "pages", "doi"]
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in records:
            w.writerow(
                [
                    r.record_id,
                    "article",
                    r.title,
                    " and ".join(r.authors),
                    r.year or "",
                    r.venue,
                    r.volume,
                    r.pages,
                    r.doi,
                ]
            )
    proc = subprocess.run(
        [str(venv), str(ROOT / "benchmarks" / "bibdedupe_run.py"), str(src), str(out), "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = float(proc.stdout.strip().splitlines()[-1])
    pred = {r.record_id: f"s:{r.record_id}" for r in records}
    with out.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pred[row["ID"]] = f"c:{row['cluster']}"
    return {"seconds": seconds, "pairwise": pairwise(pred, truth)}


def one(n: int, workers: int, with_bibdedupe: bool = False) -> dict:
    """Build, then time one deduplication of ``n`` records (in this process)."""
    from dedup_metrics import pairwise

    from review.dedup import deduplicate

    os.sched_setaffinity(0, set(range(workers)))
    t0 = time.perf_counter()
    records, truth = build(n)
    built = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = deduplicate(records, workers=workers)
    elapsed = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pred = {c["record_id"]: c["study_id"] for c in result.clusters}
    m = pairwise(pred, truth)
    peer = bibdedupe(records, truth, n) if with_bibdedupe else None
    return {
        "bibdedupe": peer,
        "records": n,
        "works": len(set(truth.values())),
        "studies": len(result.studies),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "records_per_second": n / elapsed,
        "load_average": os.getloadavg()[0],
        "build_seconds": built,
        "peak_rss_mb": peak,
        "rss_before_dedup_mb": rss_before,
        "candidate_pairs": result.n_candidates,
        "oversized_blocks": result.oversized_blocks,
        "pairwise": m,
        "workers": workers,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument(
        "--bibdedupe-up-to",
        type=int,
        default=0,
        help="also run bib-dedupe (own venv) on the sizes up to this many records",
    )
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.workers, args.bibdedupe_up_to >= args.one)))
        return 0
    results = []
    print(
        "| records | works | studies | dedup s (wall) | CPU s | records/s | peak RSS MB "
        "| candidate pairs | pairwise precision | recall | F1 | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in (int(x) for x in args.sizes.split(",")):
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--workers",
                str(args.workers),
                "--bibdedupe-up-to",
                str(args.bibdedupe_up_to),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        p = r["pairwise"]
        print(
            f"| {n} | {r['works']} | {r['studies']} | {r['seconds']:.1f} | "
            f"{r['cpu_seconds']:.1f} | {r['records_per_second']:.0f} | {r['peak_rss_mb']:.0f} "
            f"| {r['candidate_pairs']} | {p['precision']:.4f} | {p['sensitivity']:.4f} "
            f"| {p['f1']:.4f} | {r['load_average']:.1f} |",
            flush=True,
        )
        if r["bibdedupe"]:
            b, q = r["bibdedupe"], r["bibdedupe"]["pairwise"]
            print(
                f"| {n} bib-dedupe | | | {b['seconds']:.1f} | | {n / b['seconds']:.0f} | | "
                f"| {q['precision']:.4f} | {q['sensitivity']:.4f} | {q['f1']:.4f} | |",
                flush=True,
            )
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "dedup_scale.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The audit view at scale: render it for synthetic reviews of 1k / 10k / 50k studies and open
it in headless Chromium. Run by hand::

    .venv/bin/python benchmarks/audit_scale.py [--sizes 1000 10000 50000] [--runs 3]
        [--work benchmarks/work/audit_scale] [--previous SRC]

For each size it writes a synthetic project (the default protocol; records, studies, dedup links,
screening state, events and conflicts shaped like the default review's: 1.17 records a study,
two title/abstract reviewers with 10 % conflicts settled by an adjudicator, 2 % changed minds,
one full-text reviewer), then measures:

- render: reading the stage outputs (``load_inputs``) and writing the audit view
  (``review.audit.pages.write_audit``), seconds;
- files, total size, largest file;
- in Chromium (``/usr/bin/chromium`` through Selenium), from opening the page: the first
  result of a filter given in the address (``?stage=full_text&decision=exclude``), every chunk
  read, then a text filter typed over all rows (time to the new list), and opening
  ``audit.html#<the last study>`` until its page is shown; best of ``--runs``.

With ``--previous SRC`` (the ``src/`` of a checkout whose ``render_report`` still writes the
single-table ``audit.html``: main before issue 21, e.g. commit 5b2d792), that page is rendered
from the same data beside it, for the sizes where that is practical (up to 10k).

Synthetic records are labelled so in every title; no real record or decision is involved.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORDS = (
    "digital literacy training community mentoring village programme small business online "
    "marketing e-commerce payment cooperative women youth volunteers clinic platform adoption "
    "empowerment rural urban capacity social media strategy evaluation case study region "
    "district province sustainability innovation network partnership university service"
).split()
REVIEWERS = ("ai-reviewer-1", "ai-reviewer-2")
ADJUDICATOR = "ai-adjudicator"


def title(rng: random.Random, i: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 14)))
    return f"Synthetic study {i}: {words}".capitalize()[:140]


def note(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18))).capitalize() + "."


def stamp(day: int, second: int) -> str:
    """A UTC time stamp ``day`` days into 2026 (28-day months), ``second`` seconds after 0h."""
    hours, minutes, seconds = second // 3600 % 24, second // 60 % 60, second % 60
    return f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def synthesise(root: Path, n: int, seed: int = 1) -> dict[str, int]:
    """A project folder with ``n`` synthetic studies; returns the row counts."""
    from review.protocol import load_protocol
    from review.tables import contract, write_json, write_table

    rng = random.Random(seed)
    (root / "config").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "protocol.yaml", root / "config" / "protocol.yaml")
    protocol = load_protocol(root / "config" / "protocol.yaml")
    ta_codes = [c["code"] for c in protocol.criteria if c["stage"] == "title_abstract"]
    ft_codes = [
        c["code"] for c in protocol.criteria if c["stage"] == "full_text" and not c.get("retired")
    ] or ta_codes
    auto_codes = [c["code"] for c in protocol.criteria if c["stage"] == "automatic"]
    records, studies, links, screening, events, conflicts = [], [], [], [], [], []
    r = 0
    for i in range(n):
        k = 1 if rng.random() < 0.85 else (2 if rng.random() < 0.87 else 3)
        t = title(rng, i)
        year = rng.randint(2010, 2025)
        ids = []
        for j in range(k):
            r += 1
            web = j > 0 or rng.random() < 0.6
            rid = f"{'syn_web' if web else 'syn_db'}:R{r:07d}"
            ids.append(rid)
            records.append(
                {
                    "record_id": rid,
                    "source_id": "syn_web" if web else "syn_db",
                    "title": t if j == 0 else t.upper(),
                    "authors": "Author, A.; Writer, B.",
                    "year": year,
                    "venue": "Synthetic Journal of Examples",
                    "doi": f"10.9999/syn.{r}" if rng.random() < 0.4 else "",
                    "found_at": f"https://example.org/synthetic/{r}" if web else "",
                    "summary": note(rng) + " " + note(rng) if web else "",
                    "prov_file": "data/raw/synthetic/records.csv",
                    "prov_position": r,
                    "run_id": "synthetic-1",
                }
            )
        sid = "st-" + hashlib.sha1(ids[0].encode()).hexdigest()[:10]  # noqa: S324 - an id
        fingerprint = f"title:{t.lower()}|{year}"
        studies.append(
            {
                "study_id": sid,
                "record_ids": "; ".join(ids),
                "n_records": k,
                "source_ids": "; ".join(sorted({x.split(":")[0] for x in ids})),
                "title": t,
                "authors": "Author, A.; Writer, B.",
                "year": year,
                "venue": "Synthetic Journal of Examples",
                "fingerprint": fingerprint,
            }
        )
        for a, b in itertools.pairwise(ids):
            links.append(
                {
                    "record_id_a": a,
                    "record_id_b": b,
                    "rule": "title_year",
                    "score_title": 0.98,
                    "score_year": 1,
                    "score_total": 0.95,
                    "study_id": sid,
                }
            )
        row: dict[str, Any] = {"study_id": sid, "fingerprint": fingerprint}
        base = {"study_id": sid, "fingerprint": fingerprint, "attached_by": "id"}
        day = rng.randint(0, 300)
        if rng.random() < 0.03:
            code = rng.choice(auto_codes)
            row.update(state="excluded_auto", auto_reason=code)
            events.append(
                {
                    **base,
                    "stage": "automatic",
                    "reviewer": "automation",
                    "decision": "exclude",
                    "reason": code,
                    "attached_by": "criteria",
                }
            )
            screening.append(row)
            continue
        if rng.random() < 0.01:
            row["state"] = "to_screen"
            screening.append(row)
            continue
        include = rng.random() < 0.19
        decisions = {}
        for n_rev, who in enumerate(REVIEWERS):
            d = "include" if include else "exclude"
            if rng.random() < 0.1:
                d = rng.choice(["include", "exclude", "maybe"])
            decisions[who] = d
            ledger = f"data/decisions/screening/title_abstract/{who}.csv"
            if rng.random() < 0.02:  # a changed mind: an earlier row, superseded
                events.append(
                    {
                        **base,
                        "stage": "title_abstract",
                        "reviewer": who,
                        "decision": "maybe",
                        "timestamp": stamp(day, 100 + n_rev),
                        "source": ledger,
                        "row": 2 * i + 1,
                    }
                )
            events.append(
                {
                    **base,
                    "stage": "title_abstract",
                    "reviewer": who,
                    "decision": d,
                    "reason": rng.choice(ta_codes) if d == "exclude" else "",
                    "note": note(rng),
                    "timestamp": stamp(day, 1000 + n_rev),
                    "source": ledger,
                    "row": 2 * i + 2,
                }
            )
        outcome = decisions[REVIEWERS[0]]
        reason = ""
        if len(set(decisions.values())) > 1:
            outcome = "include" if include else "exclude"
            reason = rng.choice(ta_codes) if outcome == "exclude" else ""
            row["conflict"] = f"title_abstract: resolved by {ADJUDICATOR}"
            events.append(
                {
                    **base,
                    "stage": "title_abstract",
                    "reviewer": ADJUDICATOR,
                    "resolver": ADJUDICATOR,
                    "decision": outcome,
                    "reason": reason,
                    "note": note(rng),
                    "timestamp": stamp(day + 1, 50),
                    "source": "data/decisions/screening/title_abstract/_resolutions.csv",
                    "row": i,
                }
            )
            conflicts.append(
                {
                    "stage": "title_abstract",
                    "study_id": sid,
                    "resolved": "yes",
                    "decisions": "; ".join(f"{w}={d}" for w, d in decisions.items()),
                    "resolution": outcome,
                    "resolver": ADJUDICATOR,
                }
            )
        elif outcome == "exclude":
            reason = next(e["reason"] for e in reversed(events) if e.get("decision") == "exclude")
        if outcome == "maybe":
            row.update(state="maybe_ta", ta_decision="maybe")
        elif outcome == "exclude":
            row.update(state="excluded_ta", ta_decision="exclude", ta_reason=reason)
        else:
            row.update(ta_decision="include")
            ft = "include" if rng.random() < 0.5 else "exclude"
            ft_reason = rng.choice(ft_codes) if ft == "exclude" else ""
            events.append(
                {
                    **base,
                    "stage": "full_text",
                    "reviewer": REVIEWERS[0],
                    "decision": ft,
                    "reason": ft_reason,
                    "note": note(rng),
                    "timestamp": stamp(day + 30, 10),
                    "source": "data/decisions/screening/full_text/ai-reviewer-1.csv",
                    "row": i,
                }
            )
            row.update(
                state="included_ft" if ft == "include" else "excluded_ft",
                ft_decision=ft,
                ft_reason=ft_reason,
                ft_reviewers=REVIEWERS[0],
            )
        row["ta_reviewers"] = "; ".join(REVIEWERS)
        screening.append(row)
    interim = root / "data" / "interim"
    write_table(interim / "records.csv", records, contract("records"))
    write_table(interim / "studies.csv", studies, contract("studies"))
    write_table(interim / "dedup_links.csv", links, contract("dedup_links"))
    write_table(interim / "screening.csv", screening, contract("screening"))
    write_table(interim / "screening_events.csv", events, contract("screening_events"))
    write_table(interim / "screening_conflicts.csv", conflicts, contract("screening_conflicts"))
    write_json(
        interim / "screening_agreement.json",
        {"excluded_by_automation": 0, "carried_forward_studies": 0, "unmatched_decisions": 0},
        contract("screening_agreement"),
    )
    return {"records": len(records), "studies": n, "links": len(links), "events": len(events)}


def render(root: Path) -> dict[str, Any]:
    from review.audit.pages import write_audit
    from review.protocol import load_protocol
    from review.report.inputs import ReportPaths, load_inputs

    start = time.perf_counter()
    inputs = load_inputs(load_protocol(root / "config/protocol.yaml"), ReportPaths.in_project(root))
    loaded = time.perf_counter()
    written = write_audit(
        inputs,
        index=root / "reports" / "audit.html",
        folder=root / "reports" / "audit",
        generated_at="benchmark",
    )
    done = time.perf_counter()
    return {
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "read_s": loaded - start,
        "render_s": done - loaded,
        "files": written.files,
        "bytes": written.bytes,
        "largest": (Path(written.largest[0]).relative_to(root).as_posix(), written.largest[1]),
        "chunks": written.chunks,
    }


def render_previous(root: Path, src: Path) -> dict[str, Any] | None:
    """The previous audit page (one static table) from the code in ``src``, in its own
    process."""
    code = (
        "import sys, time; from pathlib import Path; "
        "from review.protocol import load_protocol; "
        "from review.report.inputs import ReportPaths; "
        "from review.report.render import ReportOutputs, render_report; "
        f"root = Path({str(root)!r}); out = root / 'previous-report'; "
        "t = time.perf_counter(); "
        "render_report(load_protocol(root / 'config/protocol.yaml'), "
        "paths=ReportPaths.in_project(root), outputs=ReportOutputs.in_folder(out)); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    audit = root / "previous-report" / "audit.html"
    if done.returncode != 0 or not audit.is_file():
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return {"render_s": float(done.stdout.strip().splitlines()[-1]), "bytes": audit.stat().st_size}


def old_in_chromium(drv: Any, root: Path) -> dict[str, float]:
    """The previous single-table audit page: load time, and one text filter over every row."""
    drv.get("about:blank")
    from selenium.webdriver.support.ui import WebDriverWait

    drv.get((root / "previous-report" / "audit.html").as_uri())
    navigation = "return performance.getEntriesByType('navigation')[0].loadEventEnd"
    WebDriverWait(drv, 300).until(lambda d: d.execute_script(navigation) > 0)
    loaded = drv.execute_script(navigation)
    typed = drv.execute_script(
        "var box = document.getElementById('filter-text'); box.value = 'village women';"
        "var t = performance.now(); box.dispatchEvent(new Event('input'));"
        "document.body.offsetHeight; return performance.now() - t;"
    )
    return {"loaded_ms": float(loaded), "typed_ms": float(typed)}


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1300,1000",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def in_chromium(drv: Any, root: Path) -> dict[str, float]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    index = (root / "reports" / "audit.html").as_uri()
    drv.get("about:blank")
    drv.get(index + "?stage=full_text&decision=exclude")
    page = drv.find_element(By.ID, "audit-index")
    WebDriverWait(drv, 120).until(lambda d: page.get_attribute("data-loaded-ms"))
    first = float(page.get_attribute("data-first-result-ms"))
    loaded = float(page.get_attribute("data-loaded-ms"))
    typed = drv.execute_script(
        "var box = document.getElementById('filter-text'); box.value = 'village women';"
        "var t = performance.now(); box.dispatchEvent(new Event('input'));"
        "return performance.now() - t;"
    )
    shown = drv.find_element(By.ID, "filter-count").text
    assert drv.execute_script("return document.querySelector('#results code') !== null")
    sid = json.loads(
        (root / "reports/audit/data")
        .joinpath(sorted(p.name for p in (root / "reports/audit/data").glob("chunk-*.js"))[-1])
        .read_text(encoding="utf-8")
        .split(",", 1)[1]
        .rsplit(")", 1)[0]
    )[-1][0]
    drv.get("about:blank")
    start = time.perf_counter()
    drv.get(index + "#" + sid)
    WebDriverWait(drv, 120).until(lambda d: "/studies/" in d.current_url)
    WebDriverWait(drv, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    opened = time.perf_counter() - start
    return {
        "first_ms": first,
        "loaded_ms": loaded,
        "typed_ms": float(typed),
        "hash_s": opened,
        "shown": shown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks/work/audit_scale")
    parser.add_argument(
        "--previous", type=Path, default=None, help="src/ of a checkout with the old page"
    )
    args = parser.parse_args()
    drv = browser()
    results = []
    try:
        for n in args.sizes:
            root = args.work / f"n{n}"
            if root.exists():
                shutil.rmtree(root)
            counts = synthesise(root, n)
            rendered = [render(root) for _ in range(max(1, min(args.runs, 2)))]
            best = min(rendered, key=lambda x: x["read_s"] + x["render_s"])
            runs = [in_chromium(drv, root) for _ in range(args.runs)]
            old = render_previous(root, args.previous) if args.previous and n <= 10000 else None
            if old is not None:
                old_runs = [old_in_chromium(drv, root) for _ in range(args.runs)]
                old["loaded_ms"] = min(x["loaded_ms"] for x in old_runs)
                old["typed_ms"] = min(x["typed_ms"] for x in old_runs)
            row = {"n": n, **counts, **best, "chromium": runs, "previous": old}
            results.append(row)
            print(json.dumps(row, default=str), flush=True)
    finally:
        drv.quit()
    print()
    print(
        "| studies | records | events | read (s) | render (s) | files | total MB | largest file "
        "(MB) | first filter result (ms) | all rows read (ms) | text filter over all (ms) | "
        "audit.html#id → study page (s) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in results:
        c = r["chromium"]
        print(
            f"| {r['n']:,} | {r['records']:,} | {r['events']:,} | {r['read_s']:.1f} | "
            f"{r['render_s']:.1f} | {r['files']:,} | {r['bytes'] / 1e6:.1f} | "
            f"{r['largest'][0]} ({r['largest'][1] / 1e6:.2f}) | "
            f"{min(x['first_ms'] for x in c):.0f} "
            f"(median {statistics.median(x['first_ms'] for x in c):.0f}) | "
            f"{min(x['loaded_ms'] for x in c):.0f} | {min(x['typed_ms'] for x in c):.0f} | "
            f"{min(x['hash_s'] for x in c):.2f} |"
        )
    for r in results:
        print(f"peak memory of the benchmark process after {r['n']:,}: {r['max_rss_mb']:.0f} MB")
    for r in results:
        old = r["previous"]
        if old:
            print(
                f"previous audit.html at {r['n']:,}: {old['bytes'] / 1e6:.1f} MB in one file, "
                f"render_report {old['render_s']:.1f} s, loaded in Chromium in "
                f"{old['loaded_ms']:.0f} ms, text filter {old['typed_ms']:.0f} ms"
            )


if __name__ == "__main__":
    main()

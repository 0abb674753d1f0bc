"""Render time of the full report: on the default review, and on a 2,000-study synthetic review
with every evidence table (directions, appraisal, findings, linked reports, narrative).

Run by hand::

    .venv/bin/python benchmarks/report_render.py [--default PROJECT] [--studies 2000] [--repeat 3]

Without ``--default`` the default review is built first in a temporary copy of this project
(``review run``, as a user runs it). The synthetic review uses the protocol of the
quantitative test fixture (``tests/fixtures/report_evidence/quantitative``) and tables
generated here, written with the tables' contracts; nothing is real and nothing is kept. For
each review it prints the input sizes, the first render in a fresh process (``review report``
as a command: starting Python, importing, compiling the templates, reading, rendering,
writing), the first and best of N renders inside one process
(:func:`review.report.render.render_report`), and the size of every output.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from review.protocol import load_protocol
from review.report.paths import ReportOutputs, ReportPaths
from review.report.render import render_report
from review.tables import contract, write_table

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "report_evidence" / "quantitative"
DESIGNS = ("rct", "cluster_rct", "pre_post", "cross_sectional")
PROGRAMMES = ("active_lessons", "recess", "after_school")
DOMAINS = ("fitness", "bmi", "attainment")
DIRECTIONS = ("improved", "improved", "improved", "no_change_or_mixed", "worsened", "not_measured")
TYPES = ("quantitative_measure", "pre_post", "qualitative_account", "author_claim")
CATEGORY = {
    "rct": ("randomized", ("2.1", "2.2", "2.3")),
    "cluster_rct": ("randomized", ("2.1", "2.2", "2.3")),
    "pre_post": ("non_randomized", ("3.1", "3.2", "3.3")),
    "cross_sectional": ("quantitative_descriptive", ("4.1", "4.2")),
}


def build_default(dest: Path) -> Path:
    """A copy of this project's review, run through the whole workflow."""
    for name in ("Snakefile", "workflow", "profiles", "config", "data/raw", "data/decisions"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    review = Path(sys.executable).parent / "review"
    subprocess.run([str(review), "run", "-d", str(dest), "--cores", "2"], check=True)
    return dest


def build_synthetic(dest: Path, n: int, seed: int = 20261130) -> Path:
    """A review of ``n`` included studies (plus a companion report for every tenth, and half as
    many excluded), with the quantitative fixture's protocol and evidence tables."""
    rng = random.Random(seed)
    shutil.copytree(FIXTURE / "config", dest / "config")
    shutil.copytree(FIXTURE / "tools", dest / "tools")
    synthesis = dest / "data" / "decisions" / "synthesis"
    (synthesis / "groups").mkdir(parents=True)
    records, studies, screening, events, groups = [], [], [], [], []
    coded, outcomes, appraisal, summary = [], [], [], []
    included: list[str] = []
    total = n + n // 10 + n // 2
    for i in range(total):
        sid = f"st-{i:08x}"
        kind = "main" if i < n else "companion" if i < n + n // 10 else "excluded"
        title = f"Synthetic study {i}: programme {PROGRAMMES[i % 3]} in school {i % 97}"
        year = "" if i % 50 == 0 else str(2010 + i % 15)
        authors = f"Author{i % 311}, A.; Author{(i * 7) % 101}, B."
        fp = f"title:synthetic study {i}|{year}"
        records.append(
            {
                "record_id": f"trials_export:{i}",
                "source_id": "trials_export",
                "source_kind": "file",
                "title": title,
                "authors": authors,
                "year": year,
                "run_id": "synthetic",
            }
        )
        studies.append(
            {
                "study_id": sid,
                "record_ids": f"trials_export:{i}",
                "n_records": "1",
                "source_ids": "trials_export",
                "title": title,
                "authors": authors,
                "year": year,
                "fingerprint": fp,
            }
        )
        state = "excluded_ta" if kind == "excluded" else "included_ft"
        row = {"study_id": sid, "fingerprint": fp, "state": state, "ta_reviewers": "r1; r2"}
        row["ta_decision"] = "exclude" if kind == "excluded" else "include"
        row["ta_reason"] = "E2-population" if kind == "excluded" else ""
        if kind != "excluded":
            row.update({"ft_decision": "include", "ft_reviewers": "r1; r2"})
            included.append(sid)
        screening.append(row)
        for stage in ("title_abstract",) if kind == "excluded" else ("title_abstract", "full_text"):
            for reviewer in ("r1", "r2"):
                events.append(
                    {
                        "study_id": sid,
                        "stage": stage,
                        "reviewer": reviewer,
                        "decision": row["ta_decision"] if stage == "title_abstract" else "include",
                        "reason": row["ta_reason"] if stage == "title_abstract" else "",
                        "timestamp": "2024-05-02T10:00:00Z",
                        "fingerprint": fp,
                    }
                )
        main = f"st-{(i - n) * 10:08x}" if kind == "companion" else sid
        groups.append(
            {
                "study_id": sid,
                "main_study_id": main,
                "is_main": "yes" if main == sid else "no",
                "included": "no" if kind == "excluded" else "yes",
            }
        )
        if kind != "main":
            continue
        design = DESIGNS[rng.randrange(4)]
        programme = "; ".join(sorted(rng.sample(PROGRAMMES, rng.choice((1, 1, 2)))))
        coded.append(
            {
                "study_id": sid,
                "status": "included",
                "screening_state": state,
                "coders": "r1; r2",
                "programme": programme,
                "design": design,
                "country": f"Country {i % 40}",
                "evidence": "p. 3",
            }
        )
        for domain in DOMAINS:
            if rng.random() < 0.2:
                continue
            direction = rng.choice(DIRECTIONS)
            kind_of = "proposal_only" if direction == "not_measured" else rng.choice(TYPES)
            size = str(rng.choice((20, 45, 120, 280, 600, 1500))) if rng.random() < 0.8 else ""
            outcomes.append(
                {
                    "study_id": sid,
                    "domain": domain,
                    "direction": direction,
                    "evidence_type": kind_of,
                    "sample_size": size,
                    "evidence": "p. 5",
                    "coders": "r1; r2",
                    "status": "agreed",
                }
            )
        if i % 20 == 19:
            continue  # not appraised yet
        category, items = CATEGORY[design]
        answers = [rng.choice(("yes", "yes", "no", "cant_tell")) for _ in range(len(items) + 2)]
        for item, answer in zip(("S1", "S2", *items), answers, strict=True):
            appraisal.append(
                {
                    "study_id": sid,
                    "category": category,
                    "item_id": item,
                    "answer": answer,
                    "appraisers": "r1; r2",
                    "status": "agreed",
                }
            )
        given = answers[2:]
        summary.append(
            {
                "study_id": sid,
                "category": category,
                "n_yes": str(given.count("yes")),
                "n_no": str(given.count("no")),
                "n_cant_tell": str(given.count("cant_tell")),
                "overall": ("low", "some", "high")[given.count("no")]
                if given.count("no") < 3
                else "high",
                "overall_justification": "Synthetic.",
                "status": "agreed",
            }
        )
    findings, judged = [], []
    for k in range(20):
        members = rng.sample(included[:n], 25)
        findings.append(
            {
                "finding_id": f"F{k + 1}",
                "group": PROGRAMMES[k % 3],
                "statement": f"Synthetic finding {k + 1}.",
                "studies": "; ".join(members),
                "approach": "cerqual",
                "confidence": ("high", "moderate", "low", "very_low")[k % 4],
                "n_studies": "25",
                "n_reports": "25",
            }
        )
        judged.append(
            {
                "id": f"F{k + 1}",
                "statement": f"Synthetic finding {k + 1}.",
                "studies": members,
                "approach": "cerqual",
                "components": {
                    c: {"concerns": "minor", "explanation": "Synthetic."}
                    for c in ("methodological_limitations", "coherence", "adequacy", "relevance")
                },
                "confidence": ("high", "moderate", "low", "very_low")[k % 4],
                "explanation": "Synthetic.",
                "assessed_by": ["r1", "r2"],
            }
        )
    write_table(dest / "data/interim/records.csv", records, contract("records"))
    write_table(dest / "data/interim/studies.csv", studies, contract("studies"))
    write_table(dest / "data/interim/screening.csv", screening, contract("screening"))
    write_table(dest / "data/interim/screening_events.csv", events, contract("screening_events"))
    write_table(dest / "data/interim/study_groups.csv", groups, contract("study_groups"))
    columns = [*contract("coded").names[:4], "programme", "design", "country", "evidence"]
    columns += list(contract("coded").names[4:])
    write_table(dest / "data/extracted/coded.csv", coded, contract("coded"), columns=columns)
    write_table(dest / "data/extracted/outcomes.csv", outcomes, contract("outcomes"))
    write_table(dest / "data/extracted/appraisal.csv", appraisal, contract("appraisal"))
    write_table(
        dest / "data/extracted/appraisal_summary.csv", summary, contract("appraisal_summary")
    )
    write_table(dest / "data/extracted/findings.csv", findings, contract("findings"))
    (synthesis / "findings.yaml").write_text(yaml.safe_dump({"findings": judged}), encoding="utf-8")
    for k, programme in enumerate(PROGRAMMES):
        cited = "; ".join(f"@{s}" for s in included[k * 40 : k * 40 + 40])
        (synthesis / "groups" / f"{programme}.md").write_text(
            f"# {programme}\n\nSynthetic narrative [{cited}].\n", encoding="utf-8"
        )
    return dest


def rows(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1


def measure(root: Path, repeat: int, label: str) -> None:
    print(f"\n## {label}: {root}")
    for path in sorted((root / "data").rglob("*.csv")):
        if "decisions" not in path.parts:
            print(f"  {path.relative_to(root)}: {rows(path)} rows")
    review = Path(sys.executable).parent / "review"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                str(review),
                "report",
                "--protocol",
                "config/protocol.yaml",
                "--html",
                f"{tmp}/r.html",
                "--markdown",
                f"{tmp}/r.md",
                "--audit",
                f"{tmp}/a.html",
                "--search-log-copy",
                f"{tmp}/s.csv",
                "--figures-dir",
                f"{tmp}/figures",
            ],
            cwd=root,
            check=True,
            capture_output=True,
        )
        print(f"  `review report` in a fresh process: {time.perf_counter() - start:.2f} s")
        protocol = load_protocol(root / "config" / "protocol.yaml")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            written = render_report(
                protocol,
                paths=ReportPaths.in_project(root),
                outputs=ReportOutputs.in_folder(Path(tmp) / "in-process"),
            )
            times.append(time.perf_counter() - start)
        print(
            f"  render_report in one process: first {times[0]:.2f} s, "
            f"best of {repeat} {min(times):.2f} s"
        )
        for name, path in sorted(written.items()):
            print(f"  {name}: {path.stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--default", type=Path, default=None, help="a built default review")
    parser.add_argument("--studies", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        default = args.default or build_default(Path(tmp) / "default")
        measure(default, args.repeat, "Default review")
        synthetic = build_synthetic(Path(tmp) / "synthetic", args.studies)
        measure(synthetic, args.repeat, f"Synthetic review, {args.studies} included studies")


if __name__ == "__main__":
    main()

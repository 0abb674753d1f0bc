"""Soak test of decision safety (issue 20): import, kill, rerun and merge for a fixed number of
rounds, and count the decisions lost. Run by hand:

    .venv/bin/python benchmarks/decision_soak.py [--rounds 12] [--studies 5000] [--rows 1000]

A throw-away project (in a temporary folder) holds ``--studies`` records, deduplicated by the
real ``review dedup``. Each round:

1. three imports start at once, each a sheet of ``--rows`` decisions with a note unique to it:
   two into reviewer r1's ledger, one into r2's; one of the three (chosen at random) is killed
   (SIGKILL) at a random moment of its run;
2. the ledgers are read and validated (a torn ledger would stop here); every import that ended
   must have all its rows in its ledger; the killed one all or none of them;
3. the killed import is rerun, as its user would, and must then be complete;
4. ``review screen state`` is started and, every other round, killed at a random moment, then
   rerun: its outputs must read back whole;
5. every third round, reviewers merge pairs of studies (overrides; ``review dedup`` reruns), so
   decisions made on a merged-away study must re-attach through its anchor record.

At the end every decision ever imported must be a row of its ledger, and every ledger row must
be attached to a study in ``screening_events.csv`` (none unmatched). The counts are printed as
a Markdown table; the random seed makes a run repeatable.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from screening_helpers import FIXTURES, write_sheet

from review.atomic import is_transient
from review.protocol import load_protocol
from review.records import Record, write_records
from review.screening.ledger import read_ledgers

REVIEW = [sys.executable, "-m", "review.cli"]
RUN = "2026-01-10T080000Z"
T0 = "2026-11-30T00:00:00Z"


@dataclass
class Import:
    reviewer: str
    sheet: Path
    note: str
    rows: int


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*REVIEW, *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"review {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*REVIEW, *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _kill_after(proc: subprocess.Popen[str], delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds unless it ended first; whether it was killed."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    if proc.poll() is not None:
        return False
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def _ledger_notes(root: Path) -> Counter[str]:
    """Rows per note in every ledger, read and validated as the pipeline reads them."""
    protocol = load_protocol(root / "config" / "protocol.yaml")
    ledgers = read_ledgers(root / "data" / "decisions" / "screening", protocol)
    return Counter(r.note for r in ledgers.all_rows())


def _studies(root: Path) -> list[str]:
    with (root / "data" / "interim" / "studies.csv").open(encoding="utf-8", newline="") as fh:
        return [r["study_id"] for r in csv.DictReader(fh)]


def _transients(root: Path) -> int:
    return sum(1 for p in (root / "data" / "decisions").rglob(".*") if is_transient(p))


def _setup(root: Path, n: int) -> None:
    (root / "config").mkdir(parents=True)
    (root / "config" / "protocol.yaml").write_text(
        (FIXTURES / "protocol.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "decisions" / "screening").mkdir(parents=True)
    write_records(
        root / "data" / "interim" / "records.csv",
        (
            Record(
                record_id=f"src:{i}",
                source_id="src",
                source_kind="database",
                title=f"Record {i} of the soak test",
                doi=f"10.1/soak.{i}",
                year=2020,
                language="en",
                run_id=RUN,
            )
            for i in range(n)
        ),
    )
    (root / "data" / "decisions" / "dedup_overrides.csv").write_text(
        "record_id_a,record_id_b,action,reviewer,note,timestamp\n", encoding="utf-8"
    )
    _dedup(root)


def _dedup(root: Path) -> None:
    _run(
        root,
        "dedup",
        "--records",
        "data/interim/records.csv",
        "--overrides",
        "data/decisions/dedup_overrides.csv",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--studies", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--merges", type=int, default=20, help="pairs merged every third round")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        started = time.perf_counter()
        _setup(root, args.studies)
        imported: list[Import] = []
        totals = Counter[str]()
        print(
            "| round | killed import | its rows then | torn ledgers | temporaries left | "
            "state killed | merged pairs | rows lost |"
        )
        print("| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |")
        for rnd in range(1, args.rounds + 1):
            studies = _studies(root)
            batch = []
            for k, reviewer in enumerate(("r1", "r1", "r2")):
                ids = rng.sample(studies, min(args.rows, len(studies)))
                decision = rng.choice(["include", "exclude"])
                note = f"round {rnd} sheet {k}"
                sheet = write_sheet(
                    Path(tmp) / f"{rnd}-{k}.csv",
                    ids,
                    decision,
                    "E3-not-indonesia" if decision == "exclude" else "",
                    note,
                )
                batch.append(Import(reviewer, sheet, note, len(ids)))
            victim = rng.randrange(len(batch))
            procs = [
                _start(root, "screen", "import", str(b.sheet), "--reviewer", b.reviewer)
                for b in batch
            ]
            killed = _kill_after(procs[victim], rng.uniform(0.2, 4.0))
            for i, proc in enumerate(procs):
                if i != victim or not killed:
                    _out, err = proc.communicate()
                    if proc.returncode != 0:
                        raise SystemExit(f"import {batch[i].note} failed:\n{err[-3000:]}")
                elif proc.stderr is not None:
                    proc.stderr.close()
            try:
                notes = _ledger_notes(root)
                torn = 0
            except Exception as exc:
                print(f"round {rnd}: a ledger does not read: {exc}", file=sys.stderr)
                notes, torn = Counter(), 1
            landed = notes.get(batch[victim].note, 0)
            partial = int(landed not in (0, batch[victim].rows))
            left = _transients(root)
            if killed and landed == 0:  # its user runs it again
                b = batch[victim]
                _run(root, "screen", "import", str(b.sheet), "--reviewer", b.reviewer)
            imported.extend(batch)
            state_killed = False
            if rnd % 2 == 0:
                state_killed = _kill_after(_start(root, "screen", "state"), rng.uniform(0.1, 3.0))
            _run(root, "screen", "state")
            merged = 0
            if rnd % 3 == 0:
                pairs = [rng.sample(studies, 2) for _ in range(args.merges)]
                anchors: dict[str, str] = {}  # a record of each study (overrides name records)
                with (root / "data" / "interim" / "clusters.csv").open(
                    encoding="utf-8", newline=""
                ) as fh:
                    for row in csv.DictReader(fh):
                        anchors.setdefault(row["study_id"], row["record_id"])
                with (root / "data" / "decisions" / "dedup_overrides.csv").open(
                    "a", encoding="utf-8", newline=""
                ) as fh:
                    writer = csv.writer(fh, lineterminator="\n")
                    for a, b in pairs:
                        writer.writerow([anchors[a], anchors[b], "merge", "r1", "soak", T0])
                merged = len(pairs)
                _dedup(root)
                _run(root, "screen", "state")
            notes = _ledger_notes(root)
            lost = sum(max(0, b.rows - notes.get(b.note, 0)) for b in imported)
            totals.update(
                killed=int(killed),
                landed_before_kill=int(killed and landed == batch[victim].rows),
                partial=partial,
                torn=torn,
                temporaries=left,
                state_killed=int(state_killed),
                merged=merged,
            )
            print(
                f"| {rnd} | {'yes' if killed else 'ended first'} | {landed} | {torn} | {left} | "
                f"{'yes' if state_killed else 'no'} | {merged} | {lost} |"
            )
        events = _count_rows(root / "data" / "interim" / "screening_events.csv", ledger=True)
        unmatched = _count_rows(root / "data" / "interim" / "screening_unmatched.csv")
        conflicts = _count_rows(root / "data" / "interim" / "screening_conflicts.csv")
        notes = _ledger_notes(root)
        expected = sum(b.rows for b in imported)
        found = sum(notes.get(b.note, 0) for b in imported)
        print()
        print(
            f"rounds: {args.rounds}; studies at the start: {args.studies}; rows per sheet: "
            f"{args.rows}; seed {args.seed}"
        )
        print(
            f"imports: {len(imported)}; killed mid-run: {totals['killed']} "
            f"({totals['landed_before_kill']} had already appended, all rows); partial "
            f"appends: {totals['partial']}; torn ledgers: {totals['torn']}"
        )
        print(
            f"state builds killed mid-run: {totals['state_killed']}; merged pairs: "
            f"{totals['merged']}; temporaries seen right after a kill: {totals['temporaries']}"
            f"; left at the end: {_transients(root)}"
        )
        print(
            f"decisions imported: {expected}; rows in the ledgers: {found}; lost: "
            f"{expected - found}"
        )
        print(
            f"ledger rows attached to a study in screening_events.csv: {events}; unmatched: "
            f"{unmatched}; conflicts (incl. merged studies decided differently): {conflicts}"
        )
        print(f"wall time: {time.perf_counter() - started:.0f} s")


def _count_rows(path: Path, *, ledger: bool = False) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return sum(1 for r in rows if r.get("source")) if ledger else len(rows)


if __name__ == "__main__":
    main()

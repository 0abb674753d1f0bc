"""Verification of screening decisions: a second person re-decides a random sample, blind.

A common way to audit a stage screened by one reviewer (and a check on any stage): draw a
reproducible random sample of the stage's decisions, let a *checker* decide those studies again
without seeing the original decisions, and report how often the two agree (percent agreement
with Wilson's interval, Cohen's kappa with its confidence interval).

- The draw is reproducible without depending on Python's random generator: each study's place
  in the draw is the sha256 of the seed and its study id, and the sample is the studies with
  the smallest keys (within each stratum, when stratified by decision, with a proportional
  allocation). The same seed and population give the same sample on any machine and version;
  a study keeps its key when others join the population.
- The sheet (CSV and XLSX, like a screening sheet) shows what a screener reads, never the
  original decision or the stratum, in the order of the draw.
- Its import validates every row like a screening import, refuses studies the checker decided
  at that stage, and appends to ``data/decisions/verification/<stage>/<checker>.csv`` (contract
  ``verification_ledger``). Verification rows never change a study's state.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from review.agreement import cohen_kappa_interval, wilson_interval
from review.decisions import append_csv, check_person, now_utc, parse_timestamp
from review.errors import DecisionError
from review.protocol import Protocol
from review.records import split_list
from review.screening.ledger import LedgerRow, stage_reasons, validate_numbered
from review.screening.sheets import read_sheet, study_cells, write_sheet
from review.states import DECISIONS, STAGES
from review.tables import contract, read_cells, unquote_cell

SHEET = contract("verification_sheet")
LEDGER = contract("verification_ledger")
#: What a sample may be stratified by.
STRATA = ("decision",)
#: The columns of ``screening.csv`` holding each stage's outcome (``<col>_decision`` …).
STAGE_COLUMN = {"title_abstract": "ta", "full_text": "ft"}
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def check_checker(name: str) -> str:
    """The checker's name if it can name a decision file (the shared rule of
    :func:`review.decisions.check_person`, matched in full); else a clear error."""
    return check_person(name, what="checker")


def _stage(stage: str) -> str:
    if stage not in STAGES:
        raise DecisionError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    return stage


# ---------------------------------------------------------------------------------------------
# The draw
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """How a sample was drawn: enough to draw it again and to describe it in the methods."""

    stage: str
    n: int
    seed: str
    stratify: str
    population: int
    population_strata: dict[str, int]
    drawn: dict[str, int]
    drawn_at: str

    def describe(self) -> str:
        """One line, copied into every sheet row and ledger row."""
        how = (
            f"; stratified by {self.stratify} ("
            + ", ".join(f"{k} {v} of {self.population_strata[k]}" for k, v in self.drawn.items())
            + ")"
            if self.stratify
            else ""
        )
        return (
            f"random sample of {self.n} of {self.population} {self.stage} decisions; "
            f"seed {self.seed}{how}; drawn {self.drawn_at}"
        )


def population(
    screening: Sequence[Mapping[str, str]], stage: str, *, checker: str = ""
) -> list[tuple[str, str]]:
    """``(study_id, decision)`` of every study with a decision at ``stage`` (the outcome
    ``screening.csv`` records: include, exclude or maybe; an unresolved conflict is not a
    decision), less those the checker decided there, in study-id order."""
    col = STAGE_COLUMN[_stage(stage)]
    out = []
    for row in screening:
        decision = row.get(f"{col}_decision", "")
        if decision not in DECISIONS:
            continue
        if checker and checker in split_list(row.get(f"{col}_reviewers", "")):
            continue
        out.append((row["study_id"], decision))
    return sorted(out)


def draw_key(seed: str, study_id: str) -> str:
    """A study's place in the draw of ``seed``: the same on every machine and Python version."""
    return hashlib.sha256(f"{seed}\x00{study_id}".encode()).hexdigest()


def allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """``n`` split across strata in proportion to their sizes (largest remainder), each
    non-empty stratum getting at least one when ``n`` allows: a rare decision (the few
    inclusions among many exclusions) is then checked too."""
    total = sum(sizes.values())
    keys = [k for k in sizes if sizes[k] > 0]
    share = {k: n * sizes[k] / total for k in keys}
    out = {k: int(share[k]) for k in keys}
    for k in sorted(keys, key=lambda k: (-(share[k] - out[k]), k))[: n - sum(out.values())]:
        out[k] += 1
    if n >= len(keys):
        for k in keys:
            while out[k] == 0:
                donor = max(keys, key=lambda d: (out[d] - share[d], out[d]))
                out[donor] -= 1
                out[k] += 1
    return {k: out[k] for k in keys}


def draw(
    units: Sequence[tuple[str, str]],
    n: int,
    *,
    stage: str,
    seed: str,
    stratify: str = "",
    drawn_at: str = "",
) -> tuple[list[str], Draw]:
    """The sample's study ids, in the order of the draw, and how it was drawn."""
    if stratify and stratify not in STRATA:
        raise DecisionError(f"--stratify {stratify!r}: a sample can be stratified by {STRATA}")
    if n < 1:
        raise DecisionError(f"a sample needs at least one study (asked for {n})")
    if n > len(units):
        raise DecisionError(
            f"asked for {n} studies, but only {len(units)} {stage} decisions can be sampled "
            "(studies with an include, exclude or maybe decision at that stage, less the "
            "checker's own)"
        )
    sizes = dict(sorted(Counter(d for _s, d in units).items()))
    keyed = sorted(units, key=lambda u: draw_key(seed, u[0]))
    if stratify:
        quota = allocate(sizes, n)
        taken: Counter[str] = Counter()
        chosen = []
        for sid, decision in keyed:
            if taken[decision] < quota.get(decision, 0):
                taken[decision] += 1
                chosen.append(sid)
        drawn = dict(quota)
    else:
        chosen = [sid for sid, _d in keyed[:n]]
        drawn = {}
    how = Draw(
        stage=stage,
        n=n,
        seed=seed,
        stratify=stratify,
        population=len(units),
        population_strata=sizes,
        drawn=drawn,
        drawn_at=drawn_at or now_utc(),
    )
    return chosen, how


def sheet_rows(
    studies: Sequence[Mapping[str, str]], chosen: Sequence[str], how: Draw
) -> list[dict[str, Any]]:
    """The sheet's rows: what a screener reads of each study, nothing of its decision."""
    by_id = {s["study_id"]: s for s in studies}
    missing = [sid for sid in chosen if sid not in by_id]
    if missing:
        raise DecisionError(
            f"studies of screening.csv missing from studies.csv: {', '.join(missing[:5])}; "
            "were they built by different runs?"
        )
    sample = how.describe()
    return [{**study_cells(by_id[sid]), "sample": sample} for sid in chosen]


def write_verification_sheet(
    rows: Sequence[Mapping[str, Any]],
    csv_path: Path,
    xlsx_path: Path,
    *,
    protocol: Protocol,
    stage: str,
    checker: str,
) -> None:
    reasons = stage_reasons(protocol, stage)
    write_sheet(
        rows,
        csv_path,
        xlsx_path,
        reasons=reasons,
        stage=stage,
        reviewer=checker,
        # the checker decides with the screeners' wording: the same criteria and definitions
        criteria=[c for c in protocol.criteria if c["code"] in reasons],
        definitions=protocol.definitions,
        table=SHEET,
        how=(
            "decide each study as a screener would (include/exclude/maybe, a criterion code "
            "for an exclusion, a note), without looking up its original decision; then run "
            f"`review audit import FILE --checker {checker} --stage {stage}`"
        ),
    )


# ---------------------------------------------------------------------------------------------
# The checker's decisions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One row of a verification ledger."""

    stage: str
    checker: str
    study_id: str
    decision: str
    reasons: tuple[str, ...]
    note: str
    timestamp: str
    sample: str
    source: str
    row: int


def _checks(rows: Iterable[LedgerRow], samples: Mapping[int, str]) -> list[Check]:
    return [
        Check(
            stage=r.stage,
            checker=r.reviewer,
            study_id=r.study_id,
            decision=r.decision,
            reasons=tuple(r.reasons),
            note=r.note,
            timestamp=r.timestamp,
            sample=samples.get(r.row, ""),
            source=r.source,
            row=r.row,
        )
        for r in rows
    ]


def rows_from_sheet(
    path: Path,
    *,
    stage: str,
    checker: str,
    protocol: Protocol,
    screening: Sequence[Mapping[str, str]],
) -> list[tuple[LedgerRow, str]]:
    """The filled rows of a verification sheet, each checked (every problem listed at once);
    rows without a decision are skipped (not decided yet)."""
    _stage(stage)
    check_checker(checker)
    header, rows = read_sheet(path)
    if "decision" not in header:
        raise DecisionError(
            f"{path}, row 1: no 'decision' column (columns: {', '.join(header) or 'none'}); "
            "expected a verification sheet"
        )
    known = {r["study_id"]: r.get("fingerprint", "") for r in screening}
    col = STAGE_COLUMN[stage]
    own = {r["study_id"] for r in screening if checker in split_list(r.get(f"{col}_reviewers", ""))}
    filled = [(n, row) for n, row in rows if unquote_cell(row.get("decision"))]
    problems = [
        f"{path}, row {n}, field 'study_id': {checker} decided {row.get('study_id')} at "
        f"{stage} as a screener; a check must be made by someone else"
        for n, row in filled
        if unquote_cell(row.get("study_id")) in own
    ]
    checked = validate_numbered(
        filled,
        source=str(path),
        stage=stage,
        reviewer=checker,
        reasons=stage_reasons(protocol, stage),
        known_studies=known,
        fill_timestamp=now_utc(),
        problems=problems,
    )
    samples = {n: unquote_cell(row.get("sample")) for n, row in filled}
    return [(r, samples.get(r.row, "")) for r in checked]


def ledger_path(folder: Path, stage: str, checker: str) -> Path:
    return Path(folder) / _stage(stage) / f"{check_checker(checker)}.csv"


def append_checks(
    folder: Path,
    stage: str,
    checker: str,
    rows: Sequence[tuple[LedgerRow, str]],
    *,
    protocol: Protocol,
) -> tuple[int, Path]:
    """Append the rows that change the checker's current decision (a re-import adds nothing)
    to their ledger, whose existing bytes are kept exactly; returns how many and where."""
    path = ledger_path(folder, stage, checker)
    existing = read_ledger(path, stage=stage, protocol=protocol) if path.is_file() else []
    latest = {c.study_id: c for c in existing}
    new: list[dict[str, str]] = []
    for row, sample in rows:
        now = latest.get(row.study_id)
        if now and (now.decision, "; ".join(now.reasons), now.note) == (
            row.decision,
            row.reason,
            row.note,
        ):
            continue
        new.append({**row.to_ledger(), "sample": sample})
    if new:
        append_csv(path, new, LEDGER.names)
    return len(new), path


def read_ledger(path: Path, *, stage: str, protocol: Protocol) -> list[Check]:
    """One verification ledger, every row checked (all problems listed at once), oldest first."""
    path = Path(path)
    _header, cells = read_cells(path, LEDGER)
    rows = validate_numbered(
        cells,
        source=str(path),
        stage=stage,
        reviewer=check_checker(path.stem),
        reasons=stage_reasons(protocol, stage),
    )
    return _checks(rows, {n: unquote_cell(row.get("sample")) for n, row in cells})


def read_verification(folder: Path, protocol: Protocol) -> list[Check]:
    """Every verification ledger below ``folder`` (``<stage>/<checker>.csv``); an absent folder
    means nobody has checked a sample yet."""
    folder = Path(folder)
    out: list[Check] = []
    for stage in STAGES:
        for path in sorted((folder / stage).glob("*.csv")) if (folder / stage).is_dir() else []:
            out.extend(read_ledger(path, stage=stage, protocol=protocol))
    return out


def latest_checks(checks: Iterable[Check]) -> list[Check]:
    """Each checker's current decision per study and stage (their latest row)."""
    latest: dict[tuple[str, str, str], Check] = {}
    for c in sorted(
        checks, key=lambda c: (parse_timestamp(c.timestamp) or _EARLIEST, c.source, c.row)
    ):
        latest[(c.stage, c.checker, c.study_id)] = c
    return sorted(latest.values(), key=lambda c: (c.stage, c.checker, c.study_id))


# ---------------------------------------------------------------------------------------------
# The agreement of the check
# ---------------------------------------------------------------------------------------------


@dataclass
class Agreement:
    """How one checker's decisions compare with one stage's decisions."""

    stage: str
    checker: str
    compared: list[tuple[str, str, str]] = field(default_factory=list)  # study, original, check
    not_comparable: list[str] = field(default_factory=list)
    changed_after: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.compared)

    @property
    def agreed(self) -> int:
        return sum(1 for _s, a, b in self.compared if a == b)

    @property
    def disagreements(self) -> list[tuple[str, str, str]]:
        return [c for c in self.compared if c[1] != c[2]]

    @property
    def percent(self) -> tuple[float, float, float] | None:
        """Percent agreement with its 95 % Wilson interval."""
        return wilson_interval(self.agreed, self.n)

    @property
    def kappa(self) -> tuple[float, float, float] | None:
        """Cohen's kappa with its 95 % interval (``None`` when undefined: one category only)."""
        if not self.compared:
            return None
        return cohen_kappa_interval([c[1] for c in self.compared], [c[2] for c in self.compared])

    @property
    def table(self) -> list[tuple[str, str, int]]:
        """``(original, check, n)`` for every pair that occurs."""
        counts = Counter((a, b) for _s, a, b in self.compared)
        return [(a, b, counts[(a, b)]) for a in DECISIONS for b in DECISIONS if counts[(a, b)]]


def agreement(
    checks: Iterable[Check],
    screening: Sequence[Mapping[str, str]],
    events: Iterable[Mapping[str, str]] = (),
) -> list[Agreement]:
    """Each (stage, checker): the checker's current decisions against the stage's decisions
    now (``screening.csv``). A study whose stage decision is no longer a decision (an open
    conflict) is not comparable; one whose decision was changed after the check is counted
    and named, since the check then verified an earlier decision."""
    state = {r["study_id"]: r for r in screening}
    last_row: dict[tuple[str, str], datetime] = {}
    for e in events:
        when = parse_timestamp(e.get("timestamp", ""))
        if e.get("decision") in DECISIONS and e.get("stage") in STAGES and when is not None:
            key = (e["study_id"], e["stage"])
            last_row[key] = max(when, last_row.get(key, when))
    out: dict[tuple[str, str], Agreement] = {}
    for c in latest_checks(checks):
        a = out.setdefault((c.stage, c.checker), Agreement(c.stage, c.checker))
        if c.sample and c.sample not in a.samples:
            a.samples.append(c.sample)
        original = state.get(c.study_id, {}).get(f"{STAGE_COLUMN[c.stage]}_decision", "")
        if original not in DECISIONS:
            a.not_comparable.append(c.study_id)
            continue
        a.compared.append((c.study_id, original, c.decision))
        changed = last_row.get((c.study_id, c.stage))
        checked_at = parse_timestamp(c.timestamp)
        if changed is not None and checked_at is not None and changed > checked_at:
            a.changed_after.append(c.study_id)
    return list(out.values())


def by_study(checks: Iterable[Check]) -> dict[str, list[Check]]:
    """The current checks of each study."""
    out: dict[str, list[Check]] = defaultdict(list)
    for c in latest_checks(checks):
        out[c.study_id].append(c)
    return out

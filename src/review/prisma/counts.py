"""PRISMA 2020 flow counts, derived from the screening state table and checked.

The numbers in a PRISMA diagram are the review's main claim about its own selection, so they are
computed from the pipeline's tables alone (records per source from ``records.csv``, studies from
``studies.csv``, every later box from the state column of ``screening.csv``) and checked before
anything is drawn: each box must follow from the one above it by the arithmetic the template
implies, and every exclusion must carry a criterion code of the protocol. A failure stops the run
with the arithmetic that did not add up, never a diagram that quietly disagrees with its tables.

Records from every source are deduplicated and screened together, so the diagram draws the
identification boxes of both PRISMA arms (databases and registers; other methods) above one
combined screening flow. For the PRISMA2020 R package's CSV, studies are attributed to the
databases arm when any of their records came from a database or register, else to other methods.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from review.errors import ReviewError
from review.records import split_list
from review.states import HAS_FULL_TEXT, SOUGHT, FullTextBasis, NotRetrievedReason
from review.states import ScreeningState as S

if TYPE_CHECKING:
    from review.prisma.update import UpdateCounts

#: Source kinds that PRISMA 2020 counts under "databases and registers".
DBR_KINDS = ("database", "register", "file")
OTHER_KINDS = ("websites", "organisations", "citations")
#: The two identification arms of the PRISMA 2020 template: databases and registers, other
#: methods (the keys of :data:`PrismaCounts.arms`).
ARMS = ("dbr", "other")
#: What the per-arm numbers are called in the diagram.
ARM_LABELS = {"dbr": "databases and registers", "other": "other methods"}

#: How the diagram names each reason a report was not retrieved.
NOT_RETRIEVED_LABELS = {
    NotRetrievedReason.NOT_ATTEMPTED: "retrieval not attempted",
    NotRetrievedReason.NO_OA_COPY: "no open-access copy found",
    NotRetrievedReason.PAYWALLED: "paywalled, or a landing page only",
    NotRetrievedReason.BROKEN_LINK: "broken link",
    NotRetrievedReason.NOT_FULL_TEXT: "not a full text",
    NotRetrievedReason.TOO_LARGE: "over the size limit",
}
#: How the diagram and the methods name each basis of assessment.
BASIS_LABELS = {
    FullTextBasis.FULL_TEXT: "on the full text",
    FullTextBasis.RECORD_AND_SUMMARY: "on the record and summary (declared deviation)",
}


class PrismaError(ReviewError):
    """The counts of the flow diagram do not add up, or an exclusion has no valid reason."""


@dataclass
class Identification:
    """Records identified per source, split by PRISMA box."""

    databases: list[tuple[str, int]] = field(default_factory=list)
    registers: list[tuple[str, int]] = field(default_factory=list)
    websites: list[tuple[str, int]] = field(default_factory=list)
    organisations: list[tuple[str, int]] = field(default_factory=list)
    citations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def dbr_total(self) -> int:
        return sum(n for _, n in self.databases + self.registers)

    @property
    def other_total(self) -> int:
        return sum(n for _, n in self.websites + self.organisations + self.citations)


class ScreeningNumbers(NamedTuple):
    """The boxes that screening decides, as whole numbers (once screening has run)."""

    studies: int
    duplicates: int
    excluded_auto: int
    awaiting_screening: int
    screened: int
    excluded_ta: int
    excluded_ta_automation: int
    undecided_ta: int
    sought: int
    not_retrieved: int
    awaiting_ft: int
    assessed: int
    excluded_ft: int
    included: int


@dataclass
class PrismaCounts:
    """Every number of the diagram. ``None`` means the stage that decides it has not run."""

    identification: Identification
    identified: int
    studies: int | None = None
    duplicates: int | None = None
    excluded_auto: int | None = None
    auto_reasons: list[tuple[str, int]] = field(default_factory=list)
    awaiting_screening: int | None = None
    screened: int | None = None
    excluded_ta: int | None = None
    excluded_ta_automation: int | None = None
    ta_reasons: list[tuple[str, int]] = field(default_factory=list)
    undecided_ta: int | None = None
    sought: int | None = None
    not_retrieved: int | None = None
    awaiting_ft: int | None = None
    assessed: int | None = None
    excluded_ft: int | None = None
    ft_reasons: list[tuple[str, int]] = field(default_factory=list)
    included: int | None = None
    #: Included studies when reviewers linked several reports of one study (report_links):
    #: ``included`` counts reports; ``None`` when no report is linked to another.
    included_studies: int | None = None
    #: per-arm numbers (the R package's CSV draws each arm's boxes apart):
    #: {"dbr"|"other": {"records": n, "studies": n, "duplicates": n, "screened": n, ...}}
    arms: dict[str, dict[str, int]] = field(default_factory=dict)
    arm_ft_reasons: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    reason_labels: dict[str, str] = field(default_factory=dict)
    #: The protocol's assessment basis (``None``: not declared) and why it deviates.
    basis: str | None = None
    deviation_reason: str = ""
    #: Whether screening.csv carries the retrieval status (review fulltext ran).
    retrieval_known: bool = False
    not_retrieved_reasons: list[tuple[str, int]] = field(default_factory=list)
    #: Assessed reports by basis (full_text / record_and_summary / "" not stated).
    assessed_by_basis: dict[str, int] = field(default_factory=dict)
    #: Sought reports at hand still waiting for a decision, and assessed ones not at hand.
    awaiting_with_text: int = 0
    assessed_without_text: int = 0
    #: An updated review: the previous version and the flow of the records new since it
    #: (:mod:`review.prisma.update`); ``None`` for a first version.
    update: UpdateCounts | None = None

    def basis_items(self) -> list[str]:
        """``["on the full text: n = 0", "on the record and summary (…): n = 41"]``."""
        if self.basis is None:
            return []
        return [
            f"{label}: n = {self.assessed_by_basis.get(key, 0)}"
            for key, label in BASIS_LABELS.items()
            if key == self.basis
            or key == FullTextBasis.FULL_TEXT
            or self.assessed_by_basis.get(key)
        ]

    @property
    def deduplicated(self) -> bool:
        return self.studies is not None

    @property
    def screening_run(self) -> bool:
        return self.screened is not None

    @property
    def studies_included(self) -> int | None:
        """Included studies: reports linked into one study count once (``included`` counts
        reports; without links the two are the same)."""
        return self.included if self.included_studies is None else self.included_studies

    def screening_numbers(self) -> ScreeningNumbers:
        """The screening boxes; every one is set once screening has run."""
        values = {name: getattr(self, name) for name in ScreeningNumbers._fields}
        unset = [name for name, value in values.items() if value is None]
        if unset:
            raise PrismaError(f"screening has not run: no count for {', '.join(unset)}")
        return ScreeningNumbers(**values)


def source_kind(protocol_sources: dict[str, dict], source_id: str, fallback: str) -> str:
    src = protocol_sources.get(source_id)
    return str(src["kind"]) if src else (fallback or "file")


def _first_reason(raw: str) -> str:
    reasons = split_list(raw)
    return reasons[0] if reasons else ""


def compute_counts(
    *,
    records: Sequence,
    studies: Sequence[dict[str, str]] | None,
    screening: Sequence[dict[str, str]] | None,
    sources: Sequence[dict],
    criteria: Sequence[dict],
    basis: str | None = None,
    deviation_reason: str = "",
) -> PrismaCounts:
    """Count every box from the tables, checking that the tables agree with one another.

    ``records`` are :class:`review.records.Record` objects; ``studies`` and ``screening`` the rows
    of ``studies.csv`` and ``screening.csv`` (``None`` when that stage has not run).
    """
    by_source = {s["id"]: s for s in sources}
    labels = {s["id"]: s.get("label") or s["id"] for s in sources}
    per_source = Counter(r.source_id for r in records)
    kinds = {r.source_id: source_kind(by_source, r.source_id, r.source_kind) for r in records}
    ident = Identification()
    box_of_kind = {
        "database": ident.databases,
        "file": ident.databases,
        "register": ident.registers,
        "websites": ident.websites,
        "organisations": ident.organisations,
        "citations": ident.citations,
    }
    ordered = [s["id"] for s in sources] + sorted(set(per_source) - set(by_source))
    for sid in ordered:
        kind = kinds.get(sid) or source_kind(by_source, sid, "file")
        box = box_of_kind.get(kind)
        if box is None:
            raise PrismaError(
                f"source {sid!r}: kind {kind!r} has no PRISMA box; expected one of "
                f"{', '.join(box_of_kind)}"
            )
        box.append((labels.get(sid, sid), per_source.get(sid, 0)))
    counts = PrismaCounts(
        identification=ident,
        identified=len(records),
        basis=basis,
        deviation_reason=" ".join(deviation_reason.split()),
    )
    counts.reason_labels = {c["code"]: c.get("label", c["code"]) for c in criteria}
    if studies is None:
        return counts

    record_ids = {r.record_id for r in records}
    seen: dict[str, str] = {}
    n_members = 0
    for s in studies:
        members = split_list(s.get("record_ids", ""))
        n_members += len(members)
        for rid in members:
            if rid not in record_ids:
                raise PrismaError(
                    f"studies.csv: study {s['study_id']} lists record {rid!r}, which is not in "
                    "records.csv; rerun deduplication on the current records"
                )
            if rid in seen:
                raise PrismaError(
                    f"studies.csv: record {rid!r} belongs to two studies "
                    f"({seen[rid]} and {s['study_id']})"
                )
            seen[rid] = s["study_id"]
    orphans = sorted(record_ids - set(seen))
    if orphans:
        raise PrismaError(
            f"studies.csv: {len(orphans)} record(s) of records.csv belong to no study "
            f"(first: {', '.join(orphans[:3])}); rerun deduplication on the current records"
        )
    # Duplicates come from the stage's own n_records column; the check then confirms that
    # identified - duplicates = studies, i.e. that dedup's counts agree with records.csv.
    declared = 0
    for i, s in enumerate(studies, start=2):
        raw = s.get("n_records", "")
        if not raw.isdigit():
            raise PrismaError(
                f"studies.csv, line {i}: field 'n_records' is {raw!r}; expected a whole number"
            )
        declared += int(raw)
    counts.studies = len(studies)
    counts.duplicates = declared - len(studies)
    _count_arms(counts, studies, records, kinds)
    if screening is None:
        return counts

    _count_screening(counts, studies, screening, records, kinds)
    return counts


def _count_screening(
    counts: PrismaCounts,
    studies: Sequence[dict[str, str]],
    screening: Sequence[dict[str, str]],
    records: Sequence,
    kinds: dict[str, str],
) -> None:
    study_ids = {s["study_id"] for s in studies}
    screen_ids = [r["study_id"] for r in screening]
    dupes = [sid for sid, n in Counter(screen_ids).items() if n > 1]
    if dupes:
        raise PrismaError(
            f"screening.csv: study {dupes[0]} has {Counter(screen_ids)[dupes[0]]} rows"
        )
    missing = sorted(study_ids - set(screen_ids))
    extra = sorted(set(screen_ids) - study_ids)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} study(ies) of studies.csv have no state ({missing[0]}…)")
        if extra:
            parts.append(f"{len(extra)} state row(s) name unknown studies ({extra[0]}…)")
        raise PrismaError("screening.csv does not match studies.csv: " + "; ".join(parts))

    states = Counter(r["state"] for r in screening)
    known = set(counts.reason_labels)

    def reason_of(row: dict[str, str], column: str, box: str) -> str:
        reason = _first_reason(row.get(column, ""))
        if not reason:
            raise PrismaError(
                f"screening.csv: study {row['study_id']} is in '{box}' (state {row['state']}) "
                f"but has no reason in '{column}'; every exclusion needs a criterion code"
            )
        if known and reason not in known:
            raise PrismaError(
                f"screening.csv: study {row['study_id']}: reason {reason!r} in '{column}' is not "
                f"a criterion code of the protocol ({', '.join(sorted(known))})"
            )
        return reason

    auto: Counter[str] = Counter()
    ta: Counter[str] = Counter()
    ft: Counter[str] = Counter()
    ta_auto = 0
    for row in screening:
        state = row["state"]
        if state == S.EXCLUDED_AUTO:
            auto[reason_of(row, "auto_reason", "excluded by automation")] += 1
        elif state == S.EXCLUDED_TA:
            ta[reason_of(row, "ta_reason", "excluded at title/abstract")] += 1
            if split_list(row.get("ta_reviewers", "")) == ["automation"]:
                ta_auto += 1
        elif state == S.EXCLUDED_FT:
            ft[reason_of(row, "ft_reason", "excluded at full text")] += 1

    counts.excluded_auto = states[S.EXCLUDED_AUTO]
    counts.auto_reasons = sorted(auto.items())
    counts.awaiting_screening = states[S.TO_SCREEN]
    counts.excluded_ta = states[S.EXCLUDED_TA]
    counts.excluded_ta_automation = ta_auto
    counts.ta_reasons = sorted(ta.items())
    counts.undecided_ta = states[S.MAYBE_TA]
    counts.awaiting_ft = states[S.INCLUDED_TA]
    _count_retrieval(counts, screening)
    counts.excluded_ft = states[S.EXCLUDED_FT]
    counts.ft_reasons = sorted(ft.items())
    counts.included = states[S.INCLUDED_FT]
    # Boxes that sum their successors: each is then checked against the box above it.
    counts.assessed = counts.excluded_ft + counts.included
    counts.sought = sum(states[k] for k in SOUGHT)
    counts.screened = counts.sought + counts.excluded_ta + counts.undecided_ta

    arm_of = _arms(studies, records, kinds)
    arms: dict[str, Counter] = {arm: Counter(counts.arms.get(arm, {})) for arm in ARMS}
    arm_reasons: dict[str, Counter] = {arm: Counter() for arm in ARMS}
    for row in screening:
        arm = arm_of[row["study_id"]]
        state = row["state"]
        for key in _ARM_STATES.get(state, ()):
            arms[arm][key] += 1
        away = _not_at_hand(row, counts.retrieval_known)
        if away:
            arms[arm]["not_retrieved"] += 1
        if state == S.INCLUDED_TA and not away:
            arms[arm]["awaiting_with_text"] += 1
        if state in (S.EXCLUDED_FT, S.INCLUDED_FT) and away:
            arms[arm]["assessed_without_text"] += 1
        if state == S.EXCLUDED_FT:
            arm_reasons[arm][_first_reason(row["ft_reason"])] += 1
    counts.arms = {k: dict(v) for k, v in arms.items()}
    counts.arm_ft_reasons = {k: sorted(v.items()) for k, v in arm_reasons.items()}


#: The per-arm boxes each screening state counts in (see :data:`PrismaCounts.arms`); the
#: reports not at hand are counted from the retrieval status (:func:`_not_at_hand`).
_ARM_STATES: dict[str, tuple[str, ...]] = {
    S.EXCLUDED_AUTO: ("excluded_auto",),
    S.TO_SCREEN: ("awaiting_screening",),
    S.EXCLUDED_TA: ("screened", "excluded_ta"),
    S.MAYBE_TA: ("screened", "undecided_ta"),
    S.INCLUDED_TA: ("screened", "sought", "awaiting_ft"),
    S.NOT_RETRIEVED: ("screened", "sought"),
    S.EXCLUDED_FT: ("screened", "sought", "assessed", "excluded"),
    S.INCLUDED_FT: ("screened", "sought", "assessed", "included"),
}


def _count_arms(
    counts: PrismaCounts,
    studies: Sequence[dict[str, str]],
    records: Sequence,
    kinds: dict[str, str],
) -> None:
    """Records, studies and duplicates per PRISMA arm.

    A study belongs to the databases-and-registers arm when any of its records came from a
    database or register, else to other methods; a record belongs to the arm of its source. So
    an arm's duplicates are its records that did not become a study of that arm: for the
    databases arm, database records of the same study; for other methods, also the website
    (or citation) records of a study a database found. The two arms' duplicates add up to the
    diagram's duplicates.
    """
    arm_of = _arms(studies, records, kinds)
    n_records = Counter("dbr" if kinds.get(r.source_id) in DBR_KINDS else "other" for r in records)
    n_studies = Counter(arm_of.values())
    counts.arms = {
        arm: {
            "records": n_records[arm],
            "studies": n_studies[arm],
            "duplicates": n_records[arm] - n_studies[arm],
        }
        for arm in ARMS
    }


def _not_at_hand(row: dict[str, str], known: bool) -> bool:
    """Is this study's report sought and not at hand? From its retrieval status when
    screening.csv carries one; else only the not_retrieved state says so."""
    if row["state"] not in SOUGHT:
        return False
    if known:
        return row.get("ft_retrieval", "") not in HAS_FULL_TEXT
    return row["state"] == S.NOT_RETRIEVED


def _count_retrieval(counts: PrismaCounts, screening: Sequence[dict[str, str]]) -> None:
    """The not-retrieved box (from the retrieval status) and the assessed box by basis."""
    known = any(r.get("ft_retrieval") for r in screening)
    counts.retrieval_known = known
    missing = [r for r in screening if _not_at_hand(r, known)]
    counts.not_retrieved = len(missing)
    why = Counter(r.get("ft_retrieval_reason") or "" for r in missing)
    counts.not_retrieved_reasons = sorted((k, n) for k, n in why.items() if k)
    assessed = [r for r in screening if r["state"] in (S.EXCLUDED_FT, S.INCLUDED_FT)]
    counts.assessed_by_basis = dict(Counter(r.get("ft_basis", "") for r in assessed))
    at_hand = {id(r) for r in screening if r["state"] in SOUGHT and not _not_at_hand(r, known)}
    counts.awaiting_with_text = sum(
        1 for r in screening if r["state"] == S.INCLUDED_TA and id(r) in at_hand
    )
    counts.assessed_without_text = sum(1 for r in assessed if id(r) not in at_hand)


def _arms(studies: Iterable[dict[str, str]], records: Sequence, kinds: dict[str, str]) -> dict:
    source_of = {r.record_id: r.source_id for r in records}
    out = {}
    for s in studies:
        members = split_list(s.get("record_ids", ""))
        dbr = any(kinds.get(source_of.get(rid, ""), "") in DBR_KINDS for rid in members)
        out[s["study_id"]] = "dbr" if dbr else "other"
    return out


# ----------------------------------------------------------------------------------------------
# Checking
# ----------------------------------------------------------------------------------------------


def check_counts(c: PrismaCounts) -> None:
    """Raise :class:`PrismaError` with the arithmetic that fails, if any box does not add up."""
    failures: list[str] = []

    def expect(ok: bool, text: str) -> None:
        if not ok:
            failures.append(text)

    ident_sum = c.identification.dbr_total + c.identification.other_total
    expect(
        ident_sum == c.identified,
        f"records per source add up to {ident_sum}, but {c.identified} records were identified",
    )
    if c.studies is not None and c.duplicates is not None:
        expect(
            c.identified - c.duplicates == c.studies,
            f"identified {c.identified} - duplicates {c.duplicates} = "
            f"{c.identified - c.duplicates}, but there are {c.studies} studies",
        )
    if c.duplicates is not None and c.arms:
        split = sum(a.get("duplicates", 0) for a in c.arms.values())
        expect(
            split == c.duplicates,
            f"duplicates: databases arm + other arm = {split}, but the flow has {c.duplicates}",
        )
    if c.screening_run:
        n = c.screening_numbers()
        left = n.studies - n.excluded_auto
        expect(
            left == n.screened + n.awaiting_screening,
            f"identified {c.identified} - duplicates {n.duplicates} - automation exclusions "
            f"{n.excluded_auto} = {left}, but screened {n.screened} + awaiting screening "
            f"{n.awaiting_screening} = {n.screened + n.awaiting_screening}",
        )
        after_ta = n.screened - n.excluded_ta - n.undecided_ta
        expect(
            after_ta == n.sought,
            f"screened {n.screened} - excluded at title/abstract {n.excluded_ta} - undecided "
            f"{n.undecided_ta} = {after_ta}, but {n.sought} reports were sought",
        )
        # Reports at hand are assessed or waiting; reports not at hand are counted as not
        # retrieved, and those assessed on another basis (a declared deviation) are added back.
        after_nr = n.sought - n.not_retrieved - c.awaiting_with_text + c.assessed_without_text
        expect(
            after_nr == n.assessed,
            f"sought {n.sought} - not retrieved {n.not_retrieved} - awaiting full-text "
            f"assessment with the report at hand {c.awaiting_with_text} + assessed without the "
            f"full text {c.assessed_without_text} = {after_nr}, but {n.assessed} reports were "
            "assessed",
        )
        if c.basis == FullTextBasis.FULL_TEXT:
            expect(
                c.assessed_without_text == 0,
                f"{c.assessed_without_text} report(s) were assessed without their full text, "
                "but the protocol's assessment basis is the full text",
            )
        by_basis = sum(c.assessed_by_basis.values())
        expect(
            by_basis == n.assessed,
            f"assessed by basis add up to {by_basis}, but {n.assessed} reports were assessed",
        )
        expect(
            n.assessed - n.excluded_ft == n.included,
            f"assessed {n.assessed} - excluded at full text {n.excluded_ft} = "
            f"{n.assessed - n.excluded_ft}, but {n.included} studies are included",
        )
        for name, total, reasons in (
            ("automation exclusions", n.excluded_auto, c.auto_reasons),
            ("title/abstract exclusions", n.excluded_ta, c.ta_reasons),
            ("full-text exclusions", n.excluded_ft, c.ft_reasons),
        ):
            by_reason = sum(n for _, n in reasons)
            expect(
                by_reason == total,
                f"{name}: reasons account for {by_reason} studies, but {total} were excluded",
            )
            blank = [r for r, _ in reasons if not r]
            expect(not blank, f"{name}: some exclusions have no reason")
        for key, arm_total in _arm_totals(c, n):
            split = sum(a.get(key, 0) for a in c.arms.values())
            expect(
                split == arm_total,
                f"{key}: databases arm + other arm = {split}, but the flow has {arm_total}",
            )
        for arm, a in c.arms.items():
            _check_arm(ARM_LABELS.get(arm, arm), a, expect)
    if failures:
        raise PrismaError("PRISMA counts do not add up: " + "; ".join(failures))


def _arm_totals(c: PrismaCounts, n: ScreeningNumbers) -> list[tuple[str, int]]:
    """Each per-arm box and the flow's total it splits."""
    return [
        ("excluded_auto", n.excluded_auto),
        ("awaiting_screening", n.awaiting_screening),
        ("screened", n.screened),
        ("excluded_ta", n.excluded_ta),
        ("undecided_ta", n.undecided_ta),
        ("sought", n.sought),
        ("not_retrieved", n.not_retrieved),
        ("awaiting_ft", n.awaiting_ft),
        ("awaiting_with_text", c.awaiting_with_text),
        ("assessed_without_text", c.assessed_without_text),
        ("assessed", n.assessed),
        ("excluded", n.excluded_ft),
        ("included", n.included),
    ]


def _check_arm(label: str, a: dict[str, int], expect: Callable[[bool, str], None]) -> None:
    """One arm's boxes follow from one another as the flow's do."""

    def g(key: str) -> int:
        return a.get(key, 0)

    left = g("records") - g("duplicates") - g("excluded_auto")
    expect(
        left == g("screened") + g("awaiting_screening"),
        f"{label}: records {g('records')} - duplicates {g('duplicates')} - automation "
        f"exclusions {g('excluded_auto')} = {left}, but screened {g('screened')} + awaiting "
        f"screening {g('awaiting_screening')} = {g('screened') + g('awaiting_screening')}",
    )
    after_ta = g("screened") - g("excluded_ta") - g("undecided_ta")
    expect(
        after_ta == g("sought"),
        f"{label}: screened {g('screened')} - excluded {g('excluded_ta')} - undecided "
        f"{g('undecided_ta')} = {after_ta}, but {g('sought')} reports were sought",
    )
    after_nr = (
        g("sought") - g("not_retrieved") - g("awaiting_with_text") + g("assessed_without_text")
    )
    expect(
        after_nr == g("assessed"),
        f"{label}: sought {g('sought')} - not retrieved {g('not_retrieved')} - awaiting with "
        f"the report at hand {g('awaiting_with_text')} + assessed without the full text "
        f"{g('assessed_without_text')} = {after_nr}, but {g('assessed')} reports were assessed",
    )
    expect(
        g("assessed") - g("excluded") == g("included"),
        f"{label}: assessed {g('assessed')} - excluded {g('excluded')} = "
        f"{g('assessed') - g('excluded')}, but {g('included')} studies are included",
    )

"""PRISMA 2020 flow counts, derived from the screening state table, checked, then drawn.

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

import csv
import io
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from review import atomic
from review.errors import ReviewError
from review.records import split_list
from review.spreadsheet import safe_row

#: Source kinds that PRISMA 2020 counts under "databases and registers".
DBR_KINDS = ("database", "register", "file")
OTHER_KINDS = ("websites", "organisations", "citations")
FT_UNAVAILABLE = "E8-full-text-unavailable"


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
    #: per-arm numbers for the R package's CSV: {"dbr"|"other": {"sought": n, ...}}
    arms: dict[str, dict[str, int]] = field(default_factory=dict)
    arm_ft_reasons: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    reason_labels: dict[str, str] = field(default_factory=dict)

    @property
    def deduplicated(self) -> bool:
        return self.studies is not None

    @property
    def screening_run(self) -> bool:
        return self.screened is not None


# ----------------------------------------------------------------------------------------------
# Counting
# ----------------------------------------------------------------------------------------------


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
    counts = PrismaCounts(identification=ident, identified=len(records))
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

    auto, ta, ft = Counter(), Counter(), Counter()
    ta_auto = 0
    for row in screening:
        state = row["state"]
        if state == "excluded_auto":
            auto[reason_of(row, "auto_reason", "excluded by automation")] += 1
        elif state == "excluded_ta":
            ta[reason_of(row, "ta_reason", "excluded at title/abstract")] += 1
            if split_list(row.get("ta_reviewers", "")) == ["automation"]:
                ta_auto += 1
        elif state == "excluded_ft":
            reason = reason_of(row, "ft_reason", "excluded at full text")
            if reason == FT_UNAVAILABLE:
                raise PrismaError(
                    f"screening.csv: study {row['study_id']} is 'excluded_ft' with reason "
                    f"{FT_UNAVAILABLE}; that reason means state 'not_retrieved'"
                )
            ft[reason] += 1
        elif state == "not_retrieved":
            reason_of(row, "ft_reason", "reports not retrieved")

    counts.excluded_auto = states["excluded_auto"]
    counts.auto_reasons = sorted(auto.items())
    counts.awaiting_screening = states["to_screen"]
    counts.excluded_ta = states["excluded_ta"]
    counts.excluded_ta_automation = ta_auto
    counts.ta_reasons = sorted(ta.items())
    counts.undecided_ta = states["maybe_ta"]
    counts.awaiting_ft = states["included_ta"]
    counts.not_retrieved = states["not_retrieved"]
    counts.excluded_ft = states["excluded_ft"]
    counts.ft_reasons = sorted(ft.items())
    counts.included = states["included_ft"]
    # Boxes that sum their successors: each is then checked against the box above it.
    counts.assessed = counts.excluded_ft + counts.included
    counts.sought = counts.assessed + counts.not_retrieved + counts.awaiting_ft
    counts.screened = counts.sought + counts.excluded_ta + counts.undecided_ta

    arm_of = _arms(studies, records, kinds)
    arms: dict[str, Counter] = {"dbr": Counter(), "other": Counter()}
    arm_reasons: dict[str, Counter] = {"dbr": Counter(), "other": Counter()}
    for row in screening:
        arm = arm_of[row["study_id"]]
        state = row["state"]
        if state in ("included_ta", "excluded_ft", "not_retrieved", "included_ft"):
            arms[arm]["sought"] += 1
        if state == "not_retrieved":
            arms[arm]["not_retrieved"] += 1
        if state in ("excluded_ft", "included_ft"):
            arms[arm]["assessed"] += 1
        if state == "excluded_ft":
            arms[arm]["excluded"] += 1
            arm_reasons[arm][_first_reason(row["ft_reason"])] += 1
        if state == "included_ft":
            arms[arm]["included"] += 1
    counts.arms = {k: dict(v) for k, v in arms.items()}
    counts.arm_ft_reasons = {k: sorted(v.items()) for k, v in arm_reasons.items()}


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
    if c.screened is not None:
        left = c.studies - c.excluded_auto
        expect(
            left == c.screened + c.awaiting_screening,
            f"identified {c.identified} - duplicates {c.duplicates} - automation exclusions "
            f"{c.excluded_auto} = {left}, but screened {c.screened} + awaiting screening "
            f"{c.awaiting_screening} = {c.screened + c.awaiting_screening}",
        )
        after_ta = c.screened - c.excluded_ta - c.undecided_ta
        expect(
            after_ta == c.sought,
            f"screened {c.screened} - excluded at title/abstract {c.excluded_ta} - undecided "
            f"{c.undecided_ta} = {after_ta}, but {c.sought} reports were sought",
        )
        after_nr = c.sought - c.not_retrieved - c.awaiting_ft
        expect(
            after_nr == c.assessed,
            f"sought {c.sought} - not retrieved {c.not_retrieved} - awaiting full-text "
            f"assessment {c.awaiting_ft} = {after_nr}, but {c.assessed} reports were assessed",
        )
        expect(
            c.assessed - c.excluded_ft == c.included,
            f"assessed {c.assessed} - excluded at full text {c.excluded_ft} = "
            f"{c.assessed - c.excluded_ft}, but {c.included} studies are included",
        )
        for name, total, reasons in (
            ("automation exclusions", c.excluded_auto, c.auto_reasons),
            ("title/abstract exclusions", c.excluded_ta, c.ta_reasons),
            ("full-text exclusions", c.excluded_ft, c.ft_reasons),
        ):
            by_reason = sum(n for _, n in reasons)
            expect(
                by_reason == total,
                f"{name}: reasons account for {by_reason} studies, but {total} were excluded",
            )
            blank = [r for r, _ in reasons if not r]
            expect(not blank, f"{name}: some exclusions have no reason")
        for arm_total, key in ((c.sought, "sought"), (c.included, "included")):
            split = sum(a.get(key, 0) for a in c.arms.values())
            expect(
                split == arm_total,
                f"{key}: databases arm + other arm = {split}, but the flow has {arm_total}",
            )
    if failures:
        raise PrismaError("PRISMA counts do not add up: " + "; ".join(failures))


# ----------------------------------------------------------------------------------------------
# The PRISMA2020 R package's CSV (inst/extdata/PRISMA.csv: long format, one row per data item)
# ----------------------------------------------------------------------------------------------

PRISMA_CSV_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

_R_ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # data, node, box, description, boxtext
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
    ),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from each database",
        "Databases",
    ),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from each register",
        "Registers",
    ),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    (
        "organisation_results",
        "NA",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
    ),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records"),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        "Reports excluded (databases and registers)",
        "Reports excluded",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
    ),
    ("other_excluded", "node21", "box15", "Reports excluded (other)", "Reports excluded"),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
    ),
)


def _pairs(items: Iterable[tuple[str, int]]) -> str:
    return "; ".join(f"{name.replace(',', ' ').replace(';', ' ')}, {n}" for name, n in items)


def prisma_data(c: PrismaCounts) -> dict[str, str]:
    """The R package's data items; stages that have not run are ``NA``."""
    na = "NA"

    def n(value: int | None) -> str:
        return na if value is None else str(value)

    ident = c.identification
    arms = c.arms
    screened = c.screening_run

    def arm(key: str, name: str) -> str:
        return str(arms.get(key, {}).get(name, 0)) if screened else na

    def reasons(key: str) -> str:
        if not screened:
            return na
        found = c.arm_ft_reasons.get(key, [])
        # The R package fails on a single reason (its issue #70); pad as CoLRev does.
        return _pairs(found) if len(found) > 1 else _pairs([*found, ("Other", 0)])

    reports = c.included
    return {
        "previous_studies": "0",
        "previous_reports": "0",
        "database_results": str(ident.dbr_total - sum(x for _, x in ident.registers)),
        "database_specific_results": _pairs(ident.databases),
        "register_results": str(sum(x for _, x in ident.registers)),
        "register_specific_results": _pairs(ident.registers),
        "website_results": str(sum(x for _, x in ident.websites)),
        "organisation_results": str(sum(x for _, x in ident.organisations)),
        "citations_results": str(sum(x for _, x in ident.citations)),
        "duplicates": n(c.duplicates),
        "excluded_automatic": n(c.excluded_auto),
        "excluded_other": "0" if c.deduplicated else na,
        "records_screened": n(c.screened),
        "records_excluded": n(c.excluded_ta),
        "dbr_sought_reports": arm("dbr", "sought"),
        "dbr_notretrieved_reports": arm("dbr", "not_retrieved"),
        "other_sought_reports": arm("other", "sought"),
        "other_notretrieved_reports": arm("other", "not_retrieved"),
        "dbr_assessed": arm("dbr", "assessed"),
        "dbr_excluded": reasons("dbr"),
        "other_assessed": arm("other", "assessed"),
        "other_excluded": reasons("other"),
        "new_studies": n(c.included),
        "new_reports": n(reports),
        "total_studies": n(c.included),
        "total_reports": n(reports),
    }


def prisma_csv(c: PrismaCounts) -> str:
    data = prisma_data(c)
    rows = [
        {
            "data": key,
            "node": node,
            "box": box,
            "description": description,
            "boxtext": boxtext,
            "tooltips": description if node != "NA" else "NA",
            "url": f"{key}.html" if node != "NA" else "NA",
            "n": data[key],
        }
        for key, node, box, description, boxtext in _R_ROWS
    ]
    return atomic.csv_text([safe_row(r) for r in rows], PRISMA_CSV_COLUMNS)


def read_prisma_csv(text: str) -> dict[str, str]:
    """``data`` → ``n`` from a PRISMA2020-format CSV (used by tests and by redraws)."""
    return {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(text))}


# ----------------------------------------------------------------------------------------------
# The diagram (hand-built SVG, PRISMA 2020 template for new reviews)
# ----------------------------------------------------------------------------------------------

FONT = 12.5
LINE = 16.5
CHAR_W = 6.9  # average advance of the sans-serif at FONT px, for wrapping
PAD = 9


@dataclass
class _Box:
    x: float
    y: float
    w: float
    lines: list[tuple[str, str, float]]  # (text, css class, indent in px)
    kind: str = "main"

    @property
    def h(self) -> float:
        return len(self.lines) * LINE + 2 * PAD - 3


SUB = "\t"  #: an item starting with this is a sub-item (e.g. a reason under its count)
INDENT = 11.0  # px per level: items wrap under themselves, sub-items under their parent


def _wrap(text: str, width: float, cls: str = "", level: int = 0) -> list[tuple[str, str, float]]:
    """Lines of ``text`` that fit ``width``; continuation lines are indented one level more."""
    advance = CHAR_W * (1.1 if cls == "head" else 1.0)  # bold text runs wider
    text = text.replace("n = ", "n\u00a0=\u00a0")  # keep counts whole when a line wraps
    first = textwrap.wrap(
        text, max(12, int((width - 2 * PAD - level * INDENT) / advance)), break_on_hyphens=False
    )
    if not first:
        return [("", cls, level * INDENT)]
    rest = " ".join(first[1:])
    out = [(first[0], cls, level * INDENT)]
    if rest and cls != "head":
        narrower = max(12, int((width - 2 * PAD - (level + 1) * INDENT) / advance))
        for line in textwrap.wrap(rest, narrower, break_on_hyphens=False):
            out.append((line, cls, (level + 1) * INDENT))
    elif rest:
        out.extend(
            (line, cls, 0.0) for line in textwrap.wrap(rest, int((width - 2 * PAD) / advance))
        )
    return out


def _lines(w: float, head: str, items: Iterable[str] = (), tail: str = "") -> list:
    out = _wrap(head, w, "head")
    for item in items:
        level = 1 if item.startswith(SUB) else 0
        out.extend(_wrap(item.lstrip(SUB), w, "item", level))
    if tail:
        out.extend(_wrap(tail, w, "note"))
    return out


def _reason_items(reasons: list[tuple[str, int]], labels: dict[str, str]) -> list[str]:
    return [f"{labels.get(code, code)} ({code}): n = {n}" for code, n in reasons]


def _num(value: int | None, missing: str) -> str:
    return f"n = {value}" if value is not None else missing


class _Layout:
    """Three columns of boxes (pending | main flow | exclusions) and the arrows between them."""

    LEFT_X, MID_X, RIGHT_X = 18.0, 352.0, 612.0
    LEFT_W, MID_W, RIGHT_W = 294.0, 240.0, 300.0

    def __init__(self) -> None:
        self.boxes: list[_Box] = []
        self.arrows: list[tuple[float, float, float, float]] = []

    def add(self, x: float, y: float, w: float, lines: list, kind: str) -> _Box:
        box = _Box(x, y, w, lines, kind)
        self.boxes.append(box)
        return box

    def main(self, y: float, head: str, items: Iterable[str] = (), kind: str = "main") -> _Box:
        return self.add(self.MID_X, y, self.MID_W, _lines(self.MID_W, head, items), kind)

    def side(self, y: float, head: str, items: Iterable[str], main: _Box) -> _Box:
        box = self.add(self.RIGHT_X, y, self.RIGHT_W, _lines(self.RIGHT_W, head, items), "side")
        mid = y + main.h / 2
        self.arrows.append((main.x + main.w, mid, box.x, mid))
        return box

    def pending(self, y: float, head: str, items: Iterable[str] = ()) -> _Box:
        return self.add(self.LEFT_X, y, self.LEFT_W, _lines(self.LEFT_W, head, items), "pending")

    def down(self, upper: _Box, lower: _Box, dx: float = 0.0) -> None:
        start = (upper.x + upper.w / 2, upper.y + upper.h)
        self.arrows.append((*start, lower.x + lower.w / 2 + dx, lower.y))

    @staticmethod
    def below(*row: _Box, gap: float = 26) -> float:
        return max(b.y + b.h for b in row) + gap


def render_svg(c: PrismaCounts) -> str:
    """The flow diagram as a standalone SVG document (also valid inline in HTML)."""
    labels = c.reason_labels
    ident = c.identification
    lay = _Layout()
    width = lay.RIGHT_X + lay.RIGHT_W + 16
    bands: list[tuple[str, float, float]] = []

    # Identification: databases and registers | other methods, above one combined flow.
    db_items = [f"{name}: n = {n}" for name, n in ident.databases + ident.registers]
    other_items = [
        f"{kind}: {name}: n = {n}"
        for kind, group in (
            ("Websites", ident.websites),
            ("Organisations", ident.organisations),
            ("Citation searching", ident.citations),
        )
        for name, n in group
    ]
    y = 52.0
    db_w, oth_w = lay.MID_W + 110, lay.RIGHT_W
    db_box = lay.add(
        lay.MID_X - 110,
        y,
        db_w,
        _lines(
            db_w,
            f"Records identified from databases and registers (n = {ident.dbr_total})",
            db_items or ["none searched in this run"],
        ),
        "main",
    )
    oth_box = lay.add(
        lay.RIGHT_X,
        y,
        oth_w,
        _lines(
            oth_w,
            f"Records identified from other methods (n = {ident.other_total})",
            other_items or ["none"],
        ),
        "other",
    )
    headers = [
        (db_box.x, db_box.w, "Identification of studies via databases and registers", "hdr-db"),
        (oth_box.x, oth_box.w, "Identification of studies via other methods", "hdr-other"),
    ]
    y = lay.below(db_box, oth_box, gap=30)
    total = lay.main(y, f"Records identified in total (n = {c.identified})")
    lay.down(db_box, total)
    lay.down(oth_box, total, dx=total.w / 2 - 20)  # into the box's right shoulder
    removed_items = [f"Duplicate records: {_num(c.duplicates, 'not deduplicated yet')}"]
    if c.screening_run:
        removed_items.append(
            f"Records marked as ineligible by automation tools: n = {c.excluded_auto}"
        )
        removed_items += [SUB + t for t in _reason_items(c.auto_reasons, labels)]
    elif c.deduplicated:
        removed_items.append("Marked ineligible by automation tools: not screened yet")
    removed = lay.side(y, "Records removed before screening", removed_items, total)
    y = lay.below(total, removed, gap=28)
    bands.append(("Identification", 40.0, y - 14))

    screen_top = y
    if not c.screening_run:
        text = (
            f"Records screened: not screened yet ({c.studies} studies after deduplication)"
            if c.studies is not None
            else f"Records screened: not deduplicated or screened yet ({c.identified} records)"
        )
        screened = lay.main(y, text, kind="pending")
        lay.down(total, screened)
        y = lay.below(screened, gap=16)
        bands.append(("Screening", screen_top, y - 6))
    else:
        screened = lay.main(y, f"Records screened (n = {c.screened})")
        lay.down(total, screened)
        excl_items = [f"by reviewers: n = {c.excluded_ta - c.excluded_ta_automation}"]
        if c.excluded_ta_automation:
            excl_items.append(f"by automation (stopping rule): n = {c.excluded_ta_automation}")
        if c.ta_reasons:
            excl_items.append("reasons:")
            excl_items += [SUB + t for t in _reason_items(c.ta_reasons, labels)]
        excl = lay.side(y, f"Records excluded (n = {c.excluded_ta})", excl_items, screened)
        waits = []
        if c.awaiting_screening:
            waits.append(f"Awaiting screening: n = {c.awaiting_screening}")
        if c.undecided_ta:
            waits.append(
                f"Undecided (maybe / conflict) at title and abstract: n = {c.undecided_ta}"
            )
        if waits:
            lay.pending(y, "Not yet decided", waits)
        y = lay.below(screened, excl)

        sought = lay.main(y, f"Reports sought for retrieval (n = {c.sought})")
        lay.down(screened, sought)
        nr = lay.side(y, f"Reports not retrieved (n = {c.not_retrieved})", (), sought)
        if c.awaiting_ft:
            lay.pending(y, f"Awaiting full-text assessment: n = {c.awaiting_ft}")
        y = lay.below(sought, nr)

        assessed = lay.main(y, f"Reports assessed for eligibility (n = {c.assessed})")
        lay.down(sought, assessed)
        ft_items = _reason_items(c.ft_reasons, labels) or ["none"]
        fx = lay.side(y, f"Reports excluded (n = {c.excluded_ft})", ft_items, assessed)
        y = lay.below(assessed, fx, gap=28)
        bands.append(("Screening", screen_top, y - 14))

        inc_top = y
        inc = lay.main(
            y,
            f"Studies included in review (n = {c.included})",
            [f"Reports of included studies: n = {c.included}"],
            kind="included",
        )
        lay.down(assessed, inc)
        y = lay.below(inc, gap=16)
        bands.append(("Included", inc_top, y - 6))
    boxes, arrows = lay.boxes, lay.arrows

    height = y + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" class="prisma" '
        'aria-labelledby="prisma-title">',
        '<title id="prisma-title">PRISMA 2020 flow diagram</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#44546a"/></marker></defs>',
        "<style>"
        ".prisma text{font-family:'Inter','Segoe UI',system-ui,-apple-system,sans-serif;"
        f"font-size:{FONT}px;fill:#1d2733}}"
        ".prisma .head{font-weight:600}.prisma .hdr{font-weight:600;font-size:11px}"
        ".prisma .note{font-style:italic;fill:#555}"
        ".prisma .item{fill:#2f3b48}"
        ".prisma .b-main{fill:#fff;stroke:#44546a;stroke-width:1.2}"
        ".prisma .b-side{fill:#f7f9fb;stroke:#44546a;stroke-width:1.2}"
        ".prisma .b-other{fill:#fff;stroke:#7a7a7a;stroke-width:1.2}"
        ".prisma .b-included{fill:#eef7ee;stroke:#2e7d32;stroke-width:1.6}"
        ".prisma .b-pending{fill:#fffaf0;stroke:#b26a00;stroke-width:1.2;stroke-dasharray:5 3}"
        ".prisma .band{fill:#dce8f5}.prisma .band-t{font-weight:600;fill:#1f3b5a}"
        ".prisma .hdr-db{fill:#f6d860}.prisma .hdr-other{fill:#d9d9d9}"
        ".prisma .arrow{stroke:#44546a;stroke-width:1.3;fill:none}"
        "</style>",
    ]
    for x, w, text, cls in headers:
        out.append(f'<rect class="{cls}" x="{x:.1f}" y="8" width="{w:.1f}" height="30" rx="4"/>')
        cx = x + w / 2
        out.append(
            f'<text class="hdr" x="{cx:.1f}" y="27" text-anchor="middle">{escape(text)}</text>'
        )
    for label, top, bottom in bands:
        height_ = bottom - top
        out.append(
            f'<rect class="band" x="8" y="{top:.1f}" width="26" height="{height_:.1f}" rx="4"/>'
        )
        cy = (top + bottom) / 2
        out.append(
            f'<text class="band-t" x="21" y="{cy:.1f}" text-anchor="middle" '
            f'dominant-baseline="middle" transform="rotate(-90 21 {cy:.1f})">{escape(label)}</text>'
        )
    for x1, y1, x2, y2 in arrows:
        out.append(
            f'<path class="arrow" d="M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}" '
            'marker-end="url(#arrow)"/>'
        )
    for b in boxes:
        out.append(
            f'<rect class="b-{b.kind}" x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" '
            f'height="{b.h:.1f}" rx="3"/>'
        )
        for i, (text, cls, indent) in enumerate(b.lines):
            ty = b.y + PAD + 12 + i * LINE
            attr = f' class="{cls}"' if cls else ""
            tx = b.x + PAD + indent
            out.append(f'<text{attr} x="{tx:.1f}" y="{ty:.1f}">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_outputs(c: PrismaCounts, *, svg_path: str, csv_path: str) -> None:
    """Check the counts, then write the diagram and the R package's CSV atomically."""
    check_counts(c)
    atomic.write_text(svg_path, render_svg(c))
    atomic.write_text(csv_path, prisma_csv(c))

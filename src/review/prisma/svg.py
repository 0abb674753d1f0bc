"""The PRISMA 2020 flow diagram (template for new reviews) as a hand-built SVG: no plotting
library, nothing to fetch, valid standalone and inline in HTML. Every text it places is escaped.
Stages that have not run are drawn as pending boxes, never filled in."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from review.prisma.counts import ARM_LABELS, ARMS, NOT_RETRIEVED_LABELS, PrismaCounts
from review.states import NotRetrievedReason

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


def _not_retrieved_items(c: PrismaCounts) -> list[str]:
    """Why reports were not retrieved, and how many of them were assessed all the same on
    the record (a declared deviation)."""
    items = [
        f"{NOT_RETRIEVED_LABELS.get(NotRetrievedReason(k), k)}: n = {n}"
        for k, n in c.not_retrieved_reasons
    ]
    if c.assessed_without_text:
        items.append(
            f"assessed instead on the record and summary (declared deviation): "
            f"n = {c.assessed_without_text}"
        )
    return items


def _num(value: int | None, missing: str) -> str:
    return f"n = {value}" if value is not None else missing


class _Layout:
    """Columns of boxes (pending | main flow | exclusions, and for an updated review the
    previous version's studies at the left) and the arrows between them."""

    LEFT_W, MID_W, RIGHT_W = 294.0, 240.0, 300.0
    PREV_X, PREV_W = 44.0, 220.0  # right of the stage bands

    def __init__(self, *, shift: float = 0.0) -> None:
        self.LEFT_X = 18.0 + shift
        self.MID_X = 352.0 + shift
        self.RIGHT_X = 612.0 + shift
        self.boxes: list[_Box] = []
        self.arrows: list[list[tuple[float, float]]] = []

    def add(self, x: float, y: float, w: float, lines: list, kind: str) -> _Box:
        box = _Box(x, y, w, lines, kind)
        self.boxes.append(box)
        return box

    def main(self, y: float, head: str, items: Iterable[str] = (), kind: str = "main") -> _Box:
        return self.add(self.MID_X, y, self.MID_W, _lines(self.MID_W, head, items), kind)

    def side(self, y: float, head: str, items: Iterable[str], main: _Box) -> _Box:
        box = self.add(self.RIGHT_X, y, self.RIGHT_W, _lines(self.RIGHT_W, head, items), "side")
        mid = y + main.h / 2
        self.arrows.append([(main.x + main.w, mid), (box.x, mid)])
        return box

    def pending(self, y: float, head: str, items: Iterable[str] = ()) -> _Box:
        return self.add(self.LEFT_X, y, self.LEFT_W, _lines(self.LEFT_W, head, items), "pending")

    def down(self, upper: _Box, lower: _Box, dx: float = 0.0) -> None:
        start = (upper.x + upper.w / 2, upper.y + upper.h)
        self.arrows.append([start, (lower.x + lower.w / 2 + dx, lower.y)])

    @staticmethod
    def below(*row: _Box, gap: float = 26) -> float:
        return max(b.y + b.h for b in row) + gap


def _arm_items(c: PrismaCounts, key: str) -> list[str]:
    """The box's number per identification arm, when both arms found records (the R
    package's CSV draws the arms apart: these are its numbers)."""
    if not all(c.arms.get(arm, {}).get("records", 0) for arm in ARMS):
        return []
    return [SUB + f"{ARM_LABELS[arm]}: n = {c.arms[arm].get(key, 0)}" for arm in ARMS]


def render_svg(c: PrismaCounts) -> str:
    """The flow diagram as a standalone SVG document (also valid inline in HTML): the PRISMA
    2020 template for new reviews, or for updated reviews when ``c.update`` is set (the
    previous version's studies at the left, the flow of the records new since it, and the
    total)."""
    update = c.update
    flow = update.flow if update is not None else c
    labels = flow.reason_labels
    ident = flow.identification
    lay = _Layout(shift=_Layout.PREV_X + _Layout.PREV_W if update is not None else 0.0)
    width = lay.RIGHT_X + lay.RIGHT_W + 16
    bands: list[tuple[str, float, float]] = []
    new = "new " if update is not None else ""
    since = f" since version {update.previous_name}" if update is not None else ""

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
            f"Records identified{since} from databases and registers (n = {ident.dbr_total})",
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
            f"Records identified{since} from other methods (n = {ident.other_total})",
            other_items or ["none"],
        ),
        "other",
    )
    headers = [
        (
            db_box.x,
            db_box.w,
            f"Identification of {new}studies via databases and registers",
            "hdr-db",
        ),
        (oth_box.x, oth_box.w, f"Identification of {new}studies via other methods", "hdr-other"),
    ]
    prev_box = None
    if update is not None:
        headers.insert(0, (lay.PREV_X, lay.PREV_W, "Previous studies", "hdr-other"))
        prev_box = lay.add(
            lay.PREV_X,
            y,
            lay.PREV_W,
            _lines(
                lay.PREV_W,
                f"Studies included in previous version of review (n = {update.previous_studies})",
                [
                    "Reports of studies included in previous version of review "
                    f"(n = {update.previous_reports})",
                    f"version {update.previous_name}, {update.previous_date}",
                ],
            ),
            "other",
        )
    y = lay.below(db_box, oth_box, gap=30)
    total = lay.main(y, f"Records identified{since} in total (n = {flow.identified})")
    lay.down(db_box, total)
    lay.down(oth_box, total, dx=total.w / 2 - 20)  # into the box's right shoulder
    removed_items = [f"Duplicate records: {_num(flow.duplicates, 'not deduplicated yet')}"]
    removed_items += _arm_items(flow, "duplicates")
    if update is not None and flow.deduplicated:
        removed_items.append(SUB + f"of studies identified before: n = {update.joined_earlier}")
    if flow.screening_run:
        removed_items.append(
            f"Records marked as ineligible by automation tools: n = {flow.excluded_auto}"
        )
        removed_items += [SUB + t for t in _reason_items(flow.auto_reasons, labels)]
    elif flow.deduplicated:
        removed_items.append("Marked ineligible by automation tools: not screened yet")
    removed = lay.side(y, "Records removed before screening", removed_items, total)
    y = lay.below(total, removed, gap=28)
    bands.append(("Identification", 40.0, y - 14))

    screen_top = y
    if not flow.screening_run:
        text = (
            f"Records screened: not screened yet ({flow.studies} studies after deduplication)"
            if flow.studies is not None
            else f"Records screened: not deduplicated or screened yet ({flow.identified} records)"
        )
        screened = lay.main(y, text, kind="pending")
        lay.down(total, screened)
        y = lay.below(screened, gap=16)
        bands.append(("Screening", screen_top, y - 6))
    else:
        screened = lay.main(
            y, f"Records screened (n = {flow.screened})", _arm_items(flow, "screened")
        )
        lay.down(total, screened)
        n = flow.screening_numbers()
        excl_items = [f"by reviewers: n = {n.excluded_ta - n.excluded_ta_automation}"]
        if flow.excluded_ta_automation:
            excl_items.append(f"by automation (stopping rule): n = {flow.excluded_ta_automation}")
        excl_items += _arm_items(flow, "excluded_ta")
        if flow.ta_reasons:
            excl_items.append("reasons:")
            excl_items += [SUB + t for t in _reason_items(flow.ta_reasons, labels)]
        excl = lay.side(y, f"Records excluded (n = {flow.excluded_ta})", excl_items, screened)
        waits = []
        if flow.awaiting_screening:
            waits.append(f"Awaiting screening: n = {flow.awaiting_screening}")
        if flow.undecided_ta:
            waits.append(
                f"Undecided (maybe / conflict) at title and abstract: n = {flow.undecided_ta}"
            )
        if waits:
            lay.pending(y, "Not yet decided", waits)
        y = lay.below(screened, excl)

        sought = lay.main(
            y, f"Reports sought for retrieval (n = {flow.sought})", _arm_items(flow, "sought")
        )
        lay.down(screened, sought)
        nr = lay.side(
            y,
            f"Reports not retrieved (n = {flow.not_retrieved})",
            _not_retrieved_items(flow) + _arm_items(flow, "not_retrieved"),
            sought,
        )
        if flow.awaiting_ft:
            lay.pending(y, f"Awaiting full-text assessment: n = {flow.awaiting_ft}")
        y = lay.below(sought, nr)

        assessed = lay.main(
            y,
            f"Reports assessed for eligibility (n = {flow.assessed})",
            flow.basis_items() + _arm_items(flow, "assessed"),
        )
        lay.down(sought, assessed)
        ft_items = _reason_items(flow.ft_reasons, labels) or ["none"]
        ft_items += _arm_items(flow, "excluded")
        fx = lay.side(y, f"Reports excluded (n = {flow.excluded_ft})", ft_items, assessed)
        y = lay.below(assessed, fx, gap=28)
        bands.append(("Screening", screen_top, y - 14))

        inc_top = y
        if update is None:
            inc = lay.main(
                y,
                f"Studies included in review (n = {flow.studies_included})",
                [f"Reports of included studies: n = {flow.included}"],
                kind="included",
            )
            lay.down(assessed, inc)
            y = lay.below(inc, gap=16)
        else:
            inc = lay.main(
                y,
                f"New studies included in review (n = {update.new_studies})",
                [f"Reports of new included studies: n = {update.new_reports}"],
            )
            lay.down(assessed, inc)
            y = lay.below(inc, gap=26)
            tot = lay.main(
                y,
                f"Total studies included in review (n = {update.total_studies})",
                [
                    f"Reports of total included studies: n = {update.total_reports}",
                    f"from version {update.previous_name}, still included: "
                    f"n = {update.still_included}",
                    f"from earlier searches, newly included: n = {update.newly_included}",
                    f"new since version {update.previous_name}: n = {update.new_reports}",
                ],
                kind="included",
            )
            lay.down(inc, tot)
            last = [tot]
            if prev_box is not None:  # previous studies run down the left into the total
                x = prev_box.x + prev_box.w / 2
                mid = tot.y + tot.h / 2
                lay.arrows.append([(x, prev_box.y + prev_box.h), (x, mid), (tot.x, mid)])
            if update.no_longer_included:
                gone = f"Previously included, no longer included (n = {update.no_longer_included})"
                last.append(
                    lay.add(
                        lay.PREV_X,
                        tot.y + tot.h + 10,
                        lay.PREV_W,
                        _lines(lay.PREV_W, gone, ["listed under “What changed”"]),
                        "side",
                    )
                )
            y = lay.below(*last, gap=16)
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
    for points in arrows:
        (x1, y1), *rest = points
        d = f"M{x1:.1f},{y1:.1f} " + " ".join(f"L{x:.1f},{y:.1f}" for x, y in rest)
        out.append(f'<path class="arrow" d="{d}" marker-end="url(#arrow)"/>')
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

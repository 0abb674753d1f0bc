"""The sections of the review page, one module each, found here and ordered by ``ORDER``.

A section is a module of this package and its templates ``templates/sections/<module>.html.j2``
and (optionally) ``.md.j2``. The module says where the section goes and what only it shows::

    ORDER = 350                 # place in the page (sections of a chapter sort among themselves)
    TOC = "Risk of bias"        # its entry in the table of contents (top-level sections only)
    PARENT = "methods"          # optional: a subsection, included by that section's template
    ANCHOR = "appraisal"        # optional: the id of its heading (default: the module name)
    PRISMA = ("11",)            # optional: the PRISMA 2020 items it reports (the checklist)
    ABSENT = "the protocol declares no appraisal"   # why it is absent when it does not apply

    def applies(base: dict) -> bool:      # optional: whether the page has the section at all
        return bool(base["p"].get("appraisal"))

    def context(base: dict) -> dict:
        return {"appraisal": ...}   # names its templates use, besides the shared ones

    def gaps(base: dict, own: dict) -> dict[str, str]:   # optional: PRISMA items it cannot
        return {"11": "no study appraised yet"}          # report now, and why

    def late(page: dict) -> dict:         # optional: built after every other section, from
        return {...}                      # the whole page context (the checklist)

A section that does not apply (a protocol key it shows is absent: no published review, no
appraisal) is left out of the page, not shown empty; the PRISMA checklist then says why its
items are not reported. The shared context (:func:`review.report.context.base_context`) holds
the protocol, the PRISMA counts, the included and coded studies and the evidence
(:mod:`review.report.evidence`). Headings are numbered as the page is rendered
(``{{ num.chapter() }}``, ``{{ num.section() }}``), so a new section renumbers the ones after it
by itself. Adding a section is adding a module and its template(s).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _always(base: dict[str, Any]) -> bool:
    return True


def _no_gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Section:
    """One section of the page: where it goes, its templates and its context builder."""

    id: str
    order: int
    build: Callable[[dict[str, Any]], dict[str, Any]]
    toc: str | None = None
    parent: str | None = None
    anchor: str = ""
    prisma: tuple[str, ...] = ()
    absent: str = ""
    applies: Callable[[dict[str, Any]], bool] = _always
    gaps: Callable[[dict[str, Any], dict[str, Any]], dict[str, str]] = _no_gaps
    late: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def html(self) -> str:
        return f"sections/{self.id}.html.j2"

    @property
    def md(self) -> str | None:
        """The Markdown template, if the section has one (some are for the web page only)."""
        name = f"sections/{self.id}.md.j2"
        return name if (TEMPLATES / name).is_file() else None

    @property
    def href(self) -> str:
        return f"#{self.anchor or self.id}"


@dataclass(frozen=True)
class Status:
    """Whether a section is on the page, and which of its PRISMA items it could not report."""

    section: Section
    present: bool
    gaps: dict[str, str] = field(default_factory=dict)


def sections() -> list[Section]:
    """Every section of this package, in page order."""
    out = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out.append(
            Section(
                id=info.name,
                order=int(module.ORDER),
                build=module.context,
                toc=getattr(module, "TOC", None),
                parent=getattr(module, "PARENT", None),
                anchor=getattr(module, "ANCHOR", ""),
                prisma=tuple(getattr(module, "PRISMA", ())),
                absent=getattr(module, "ABSENT", ""),
                applies=getattr(module, "applies", _always),
                gaps=getattr(module, "gaps", _no_gaps),
                late=getattr(module, "late", None),
            )
        )
    return sorted(out, key=lambda s: (s.order, s.id))


def build(base: dict[str, Any], found: list[Section]) -> dict[str, Any]:
    """The base context with every present section's own names added (two sections may not
    share one), and ``page_status``: each section's :class:`Status`, in page order."""
    context = dict(base)
    owner: dict[str, str] = {}
    statuses = []

    def add(section: Section, names: dict[str, Any]) -> None:
        for name, value in names.items():
            if name in context:
                raise ValueError(
                    f"report section {section.id!r} sets {name!r}, which "
                    f"{owner.get(name, 'the shared context')} already sets"
                )
            context[name] = value
            owner[name] = f"section {section.id!r}"

    for section in found:
        if not section.applies(base):
            statuses.append(Status(section, present=False))
            continue
        own = section.build(base)
        add(section, own)
        statuses.append(Status(section, present=True, gaps=section.gaps(base, own)))
    context["page_status"] = statuses
    for section in found:
        if section.late is not None and section.applies(base):
            add(section, section.late(context))
    return context

"""The sections of the review page, one module each, found here and ordered by ``ORDER``.

A section is a module of this package and its templates ``templates/sections/<module>.html.j2``
and (optionally) ``.md.j2``. The module says where the section goes and what only it shows::

    ORDER = 350                 # place in the page (sections of a chapter sort among themselves)
    TOC = "Risk of bias"        # its entry in the table of contents (top-level sections only)
    PARENT = "methods"          # optional: a subsection, included by that section's template

    def context(base: dict) -> dict:
        return {"appraisal": ...}   # names its templates use, besides the shared ones

The shared context (:func:`review.report.context.base_context`) holds the protocol, the PRISMA
counts, the included and coded studies and the themes. Headings are numbered as the page is
rendered (``{{ num.chapter() }}``, ``{{ num.section() }}``), so a new section renumbers the
ones after it by itself. Adding a section is adding a module and its template(s).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Section:
    """One section of the page: where it goes, its templates and its context builder."""

    id: str
    order: int
    build: Callable[[dict[str, Any]], dict[str, Any]]
    toc: str | None = None
    parent: str | None = None

    @property
    def html(self) -> str:
        return f"sections/{self.id}.html.j2"

    @property
    def md(self) -> str | None:
        """The Markdown template, if the section has one (some are for the web page only)."""
        name = f"sections/{self.id}.md.j2"
        return name if (TEMPLATES / name).is_file() else None


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
            )
        )
    return sorted(out, key=lambda s: (s.order, s.id))


def build(base: dict[str, Any], found: list[Section]) -> dict[str, Any]:
    """The base context with every section's own names added (two sections may not share one)."""
    context = dict(base)
    owner: dict[str, str] = {}
    for section in found:
        for name, value in section.build(base).items():
            if name in context:
                raise ValueError(
                    f"report section {section.id!r} sets {name!r}, which "
                    f"{owner.get(name, 'the shared context')} already sets"
                )
            context[name] = value
            owner[name] = f"section {section.id!r}"
    return context

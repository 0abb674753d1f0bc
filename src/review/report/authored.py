"""What people wrote for the evidence side, as the report shows it: the appraisal tool's
definition, the review findings with their certainty judgements (``findings.yaml``) and the
narrative (``data/decisions/synthesis/*.md``).

The evidence-data side reads and checks these files (:mod:`review.appraisal.tool`,
:mod:`review.findings`, :mod:`review.narrative`: tool schema, findings schema, citations and
links by file and line); this module calls it and hands the report's sections the small shapes
they lay out, so the sections depend on one interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.report.markup import trusted


@dataclass(frozen=True)
class Item:
    id: str
    text: str


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    items: tuple[Item, ...]
    components: bool = False


@dataclass(frozen=True)
class Tool:
    """An appraisal tool's definition (``review/appraisal_tools/<id>.yaml`` or a file)."""

    id: str
    name: str
    citation: str
    answers: tuple[tuple[str, str], ...]
    overall_levels: tuple[tuple[str, str], ...]
    screening_items: tuple[Item, ...] = ()
    categories: tuple[Category, ...] = ()
    summary_score: bool = False

    def category(self, cid: str) -> Category | None:
        return next((c for c in self.categories if c.id == cid), None)

    def item_text(self, item_id: str) -> str:
        for item in self.screening_items + tuple(i for c in self.categories for i in c.items):
            if item.id == item_id:
                return item.text
        return ""

    def answer_label(self, answer: str) -> str:
        return dict(self.answers).get(answer, answer)

    def level_label(self, level: str) -> str:
        return dict(self.overall_levels).get(level, level)


def load_tool(protocol: Any) -> Tool | None:
    """The protocol's appraisal tool (:func:`review.appraisal.tool.appraisal_config`), or
    ``None`` when the protocol declares no appraisal."""
    from review.appraisal.tool import appraisal_config

    config = appraisal_config(protocol)
    if config is None:
        return None
    tool = config.tool

    def items(raw: Any) -> tuple[Item, ...]:
        return tuple(Item(i.id, " ".join(i.text.split())) for i in raw)

    return Tool(
        id=tool.id,
        name=tool.name,
        citation=" ".join(tool.citation.split()),
        answers=tuple((a.id, a.label) for a in tool.answers),
        overall_levels=tuple((lvl.id, lvl.label) for lvl in tool.overall_levels),
        screening_items=items(tool.screening_items),
        categories=tuple(
            Category(c.id, c.label, items(c.items), bool(c.components)) for c in tool.categories
        ),
        summary_score=tool.summary_score,
    )


def load_findings(folder: Path | None, protocol: Any, groups: Any) -> dict[str, dict[str, Any]]:
    """The checked findings of ``findings.yaml`` in the synthesis folder, by id (none: ``{}``):
    the reviewers' GRADE-CERQual or GRADE components and explanations the evidence profile
    shows (:func:`review.findings.load_findings`)."""
    from review.findings import load_findings as read_findings

    path = folder / "findings.yaml" if folder is not None else None
    return {str(f["id"]): f for f in read_findings(path, protocol, groups)}


@dataclass(frozen=True)
class Narrative:
    """One authored file rendered to safe HTML, with the studies it cites."""

    name: str
    path: Path
    html: Any
    cited: tuple[str, ...] = field(default=())


def load_narratives(
    folder: Path | None, *, groups: Any, studies: list[Any]
) -> dict[str, Narrative]:
    """Every authored file that exists, rendered and checked
    (:func:`review.narrative.load_narrative`), by its name without ``.md`` (``groups/<id>``,
    ``discussion``, ...); a missing file is absent (the report says "not yet written")."""
    if folder is None:
        return {}
    from review.narrative import citation_labels, load_narrative

    narrative = load_narrative(folder, groups, citation_labels(studies))
    return {
        name.removesuffix(".md"): Narrative(
            name=name.removesuffix(".md"),
            path=f.path,
            html=trusted(f.html),
            cited=tuple(dict.fromkeys(c.study_id for c in f.citations)),
        )
        for name, f in narrative.files.items()
    }

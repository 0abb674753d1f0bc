"""What people wrote for the evidence side, as the report shows it: the appraisal tool's
definition, the review findings with their certainty judgements (``findings.yaml``) and the
narrative (``data/decisions/synthesis/*.md``).

The evidence-data side reads and checks these files (:mod:`review.appraisal.tool`,
:mod:`review.findings`, :mod:`review.narrative`: tool schema, findings schema, citations and
links by file and line); this module calls it and hands the report's sections the small shapes
they lay out, so the sections depend on one interface.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.report.markup import md_escape, trusted

#: "<" that would open raw HTML (a tag, a comment, a declaration) in Markdown.
_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])")
#: An inline code span on one line: shown as is.
_CODE_SPAN = re.compile(r"(`+).+?\1")


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
    """One authored file rendered to safe HTML and to Markdown, with the studies it cites."""

    name: str
    path: Path
    html: Any
    cited: tuple[str, ...] = field(default=())
    markdown: Any = ""


def markdown_of(path: Path, labels: Mapping[str, str], *, audit_href: str = "audit.html") -> str:
    """An authored file as the Markdown page shows it: as written, its headings moved below
    the report's own as on the HTML page, each citation a link to the study's entry in the
    audit view, and raw HTML shown as text (the HTML page renders none). Embedding the HTML
    fragment instead put tags and entities (``&amp;``) on the Markdown page. Code blocks and
    code spans are left as they are (a code span over two lines is not told apart).
    """
    from review.narrative import CITATION, HEADING_OFFSET, markdown

    text = path.read_text(encoding="utf-8-sig")
    lines: list[str | None] = list(text.splitlines())
    code: set[int] = set()
    for token in markdown().parse(text, {"labels": labels, "audit_href": audit_href}):
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
        elif token.type == "heading_open" and token.map:
            start, end = token.map
            hashes = "#" * min(6, int(token.tag[1:]) + HEADING_OFFSET)
            if token.markup.startswith("#"):  # "# Title"
                lines[start] = re.sub(r"^ {0,3}#{1,6}", hashes, str(lines[start]))
            else:  # "Title" underlined with "=" or "-"
                words = " ".join(str(line).strip() for line in lines[start : end - 1])
                lines[start:end] = [f"{hashes} {words}", *[None] * (end - start - 1)]

    def cite(found: re.Match[str]) -> str:
        keys = [k.strip().lstrip("@") for k in found.group(1).split(";")]
        links = (f"[{md_escape(labels.get(k, k))}]({audit_href}#{k})" for k in keys)
        return "(" + "; ".join(links) + ")"

    def prose(part: str) -> str:
        return CITATION.sub(cite, _RAW_HTML.sub(r"\\<", part))

    out = []
    for i, line in enumerate(lines):
        if line is None:
            continue
        if i in code:
            out.append(line)
            continue
        parts, pos = [], 0
        for span in _CODE_SPAN.finditer(line):
            parts += [prose(line[pos : span.start()]), span.group(0)]
            pos = span.end()
        out.append("".join([*parts, prose(line[pos:])]))
    return "\n".join(out)


def load_narratives(
    folder: Path | None, *, groups: Any, studies: list[Any]
) -> dict[str, Narrative]:
    """Every authored file that exists, rendered and checked
    (:func:`review.narrative.load_narrative`), by its name without ``.md`` (``groups/<id>``,
    ``discussion``, ...); a missing file is absent (the report says "not yet written")."""
    if folder is None:
        return {}
    from review.narrative import citation_labels, load_narrative

    labels = citation_labels(studies)
    narrative = load_narrative(folder, groups, labels)
    return {
        name.removesuffix(".md"): Narrative(
            name=name.removesuffix(".md"),
            path=f.path,
            html=trusted(f.html),
            cited=tuple(dict.fromkeys(c.study_id for c in f.citations)),
            markdown=trusted(markdown_of(f.path, labels)),
        )
        for name, f in narrative.files.items()
    }


def unwritten(narratives: Mapping[str, Narrative], files: Mapping[str, str]) -> dict[str, str]:
    """PRISMA item -> why it is not reported, for each item (``files``: item -> authored file
    name without ``.md``) whose file the reviewers have not written: the checklist's reason,
    worded alike by every section that shows an authored file."""
    return {
        item: f"not yet written ({name}.md)"
        for item, name in files.items()
        if name not in narratives
    }

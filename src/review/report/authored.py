"""What people wrote for the evidence side, as the report reads it: the appraisal tool's
definition, the review findings with their certainty judgements (``findings.yaml``) and the
narrative (``data/decisions/synthesis/*.md``).

These readers belong to the evidence-data side (tool definitions, findings validation, the
narrative loader with its citation checks); the functions here are the report's entry points
to them, kept small so that the report's sections depend on one interface. Where that side's
functions exist they are used; the fall-backs below read the same files by the same
documented shapes (docs: the evidence spec) and check what the report relies on.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from review.errors import ReviewError
from review.report.markup import trusted

#: The narrative files besides one per synthesis group (``groups/<group id>.md``).
NARRATIVE_FILES = ("abstract", "discussion", "limitations", "implications", "comparison")
CITATION = re.compile(r"\[(@st-[0-9a-f]+(?:\s*;\s*@st-[0-9a-f]+)*)\]")


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


def _items(raw: Any) -> tuple[Item, ...]:
    return tuple(Item(str(i["id"]), " ".join(str(i.get("text", "")).split())) for i in raw or [])


def _pairs(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a["id"]), str(a.get("label", a["id"]))) for a in raw or [])


def load_tool(spec: str, root: Path) -> Tool:
    """The tool ``spec`` names: a built-in tool id, else a YAML file relative to ``root``."""
    builtin = resources.files("review").joinpath("appraisal_tools", f"{spec}.yaml")
    path = root / spec
    if builtin.is_file():
        text, where = builtin.read_text(encoding="utf-8"), f"built-in tool {spec}"
    elif path.is_file():
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        raise ReviewError(
            f"appraisal.tool: {spec!r} is neither a built-in appraisal tool nor a file under {root}"
        )
    try:
        raw = yaml.safe_load(text)
        return Tool(
            id=str(raw["id"]),
            name=str(raw["name"]),
            citation=" ".join(str(raw.get("citation", "")).split()),
            answers=_pairs(raw["answers"]),
            overall_levels=_pairs(raw["overall_levels"]),
            screening_items=_items(raw.get("screening_items")),
            categories=tuple(
                Category(
                    id=str(c["id"]),
                    label=str(c.get("label", c["id"])),
                    items=_items(c.get("items")),
                    components=bool(c.get("components", False)),
                )
                for c in raw["categories"]
            ),
            summary_score=bool(raw.get("summary_score", False)),
        )
    except (KeyError, TypeError, yaml.YAMLError) as exc:
        raise ReviewError(f"{where}: not an appraisal tool definition ({exc})") from exc


def load_findings(folder: Path | None) -> dict[str, dict[str, Any]]:
    """The findings of ``findings.yaml`` in the synthesis folder, by id (none: ``{}``): the
    reviewers' CERQual/GRADE components and explanations the evidence profile shows."""
    path = folder / "findings.yaml" if folder is not None else None
    if path is None or not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ReviewError(f"{path}: invalid YAML ({exc})") from exc
    items = raw.get("findings") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ReviewError(f"{path}: expected a list under 'findings'")
    out: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("id"):
            raise ReviewError(f"{path}: findings[{i}] has no id")
        out[str(item["id"])] = item
    return out


@dataclass(frozen=True)
class Narrative:
    """One authored file rendered to safe HTML, with the studies it cites."""

    name: str
    path: Path
    html: Any
    cited: tuple[str, ...] = field(default=())


def _inline(text: str, cite: Any) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    return CITATION.sub(cite, out)


def render_markdown(
    path: Path, refs: Mapping[str, Any], included: set[str]
) -> tuple[str, tuple[str, ...]]:
    """A small Markdown (paragraphs, ``#`` headings, ``-`` lists, emphasis) to HTML, every text
    escaped; ``[@st-…]`` citations become links to the audit trail. A citation naming no
    study, or a study that is not included, stops the report with the file and line."""
    cited: list[str] = []
    blocks: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append("<p>" + " ".join(para) + "</p>")
            para.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):

        def cite(m: re.Match[str], number: int = number) -> str:
            links = []
            for sid in (p.strip().lstrip("@") for p in m.group(1).split(";")):
                if sid not in refs:
                    raise ReviewError(f"{path}, line {number}: [@{sid}] names no study")
                if sid not in included:
                    raise ReviewError(
                        f"{path}, line {number}: [@{sid}] is not an included study (any more)"
                    )
                cited.append(sid)
                ref = refs[sid]
                links.append(
                    f'<a class="cite" href="{html.escape(ref.href)}">{html.escape(ref.cite)}</a>'
                )
            return "(" + "; ".join(links) + ")"

        stripped = line.strip()
        if not stripped:
            flush()
        elif m := re.match(r"^(#{1,4})\s+(.*)$", stripped):
            flush()
            level = min(6, len(m.group(1)) + 3)
            blocks.append(f"<h{level}>{_inline(m.group(2), cite)}</h{level}>")
        elif m := re.match(r"^[-*]\s+(.*)$", stripped):
            if para:
                flush()
            items.append(_inline(m.group(1), cite))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + _inline(stripped, cite)
        else:
            if items:
                flush()
            para.append(_inline(stripped, cite))
    flush()
    return "\n".join(blocks), tuple(dict.fromkeys(cited))


def load_narratives(
    folder: Path | None, *, groups: list[str], refs: Mapping[str, Any], included: set[str]
) -> dict[str, Narrative]:
    """Every authored file that exists: ``groups/<id>`` for each group, and the
    :data:`NARRATIVE_FILES`; a missing file is absent (the report says "not yet written")."""
    if folder is None:
        return {}
    wanted = [f"groups/{g}" for g in groups] + list(NARRATIVE_FILES)
    out = {}
    for name in wanted:
        path = folder / f"{name}.md"
        if path.is_file():
            text, cited = render_markdown(path, refs, included)
            out[name] = Narrative(name=name, path=path, html=trusted(text), cited=cited)
    return out

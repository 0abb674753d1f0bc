"""The authored narrative: reviewers' Markdown, its citations checked, rendered to safe HTML.

Reviewers write the narrative synthesis under ``data/decisions/synthesis/`` (``groups/<group
id>.md`` per synthesis group, ``introduction.md`` (the rationale), ``reporting_bias.md`` (the
risk of bias due to missing results), ``discussion.md``, ``limitations.md``, ``implications.md``,
``abstract.md``, ``comparison.md``), citing studies as ``[@st-…]`` or ``[@st-a; @st-b]``. The
pipeline never writes a sentence of it. Here it is parsed with markdown-it-py (CommonMark,
tables and strikethrough; raw HTML off, so any HTML a file holds is shown as text) and:

- every citation must name an included study (a main study id, or another included report of
  one: it counts for its study); a citation that names no study, or a study that is not (or no
  longer) included, is refused with the file and line, and nothing is rendered;
- a link (or image) must be ``http://`` or ``https://``: ``javascript:``, ``data:`` and the rest
  are refused the same way;
- citations become links to the audit page's anchor of each study (``audit.html#<study_id>``),
  labelled with the study's short citation (:func:`review.records.cite_label`);
- included studies the narrative never cites are listed (:func:`uncited`).

A file that does not exist is simply absent: the report says "not yet written".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from review.decisions import MAX_LISTED
from review.errors import DecisionError
from review.records import cite_label
from review.studygroups import StudyGroups
from review.tables import Row, contract, write_table

#: ``[@key]`` or ``[@a; @b]``: what the citation rule recognises (any key, checked later).
CITATION = re.compile(r"\[(@[^\]\s;]+(?:\s*;\s*@[^\]\s;]+)*)\s*\]")
STUDY_ID = re.compile(r"^st-[0-9a-f]+$")
SAFE_SCHEMES = ("http://", "https://")
NARRATIVE_FILES = (
    "abstract.md",
    "introduction.md",
    "reporting_bias.md",
    "discussion.md",
    "limitations.md",
    "implications.md",
    "comparison.md",
)


@dataclass(frozen=True)
class Citation:
    """One study cited at one place."""

    study_id: str
    main_study_id: str
    file: str
    line: int


@dataclass
class NarrativeFile:
    """One authored file: its safe HTML fragment, its citations, and notes worth showing."""

    name: str
    path: Path
    html: str
    citations: list[Citation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Narrative:
    """Every authored file of the folder, by its path relative to the folder (``groups/x.md``)."""

    files: dict[str, NarrativeFile] = field(default_factory=dict)

    def get(self, name: str) -> NarrativeFile | None:
        return self.files.get(name)

    def group(self, group_id: str) -> NarrativeFile | None:
        return self.files.get(f"groups/{group_id}.md")

    def citations(self) -> list[Citation]:
        return [c for f in self.files.values() for c in f.citations]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    m = CITATION.match(state.src, state.pos)
    if m is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": [k.strip().lstrip("@") for k in m.group(1).split(";")]}
        token.content = m.group(0)
    state.pos = m.end()
    return True


def _render_citation(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    labels: Mapping[str, str] = env.get("labels", {})
    href: str = env.get("audit_href", "audit.html")
    parts = [
        f'<a class="cite" href="{html.escape(href)}#{html.escape(sid)}">'
        f"{html.escape(labels.get(sid, sid))}</a>"
        for sid in tokens[idx].meta["keys"]
    ]
    return "(" + "; ".join(parts) + ")"


def markdown() -> MarkdownIt:
    """The parser: CommonMark with tables and strikethrough, raw HTML off, citations on."""
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    # Every link reaches the token stream, so a refused one can be named with its line.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _walk(tokens: Sequence[Token]) -> Iterable[tuple[Token, int]]:
    """Inline tokens with their 1-based line in the file."""
    for block in tokens:
        if block.type != "inline" or not block.map:
            continue
        line = block.map[0] + 1
        for child in block.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield child, line


def render_file(
    path: Path,
    name: str,
    groups: StudyGroups,
    labels: Mapping[str, str],
    *,
    audit_href: str = "audit.html",
    md: MarkdownIt | None = None,
) -> tuple[NarrativeFile, list[str]]:
    """One file rendered, and the problems that refuse it (file and line each)."""
    md = md or markdown()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return NarrativeFile(name, path, ""), [f"{path}: not UTF-8 text (byte {exc.start})"]
    env: dict[str, Any] = {"labels": labels, "audit_href": audit_href}
    tokens = md.parse(text, env)
    included = groups.included_ids
    out = NarrativeFile(name, path, "")
    problems: list[str] = []
    for token, line in _walk(tokens):
        where = f"{path}, line {line}"
        if token.type == "citation":
            for key in token.meta["keys"]:
                if not STUDY_ID.match(key) or key not in groups.main:
                    problems.append(f"{where}: [@{key}] names no study of this review")
                elif key not in included:
                    main = groups.main_of(key)
                    problems.append(
                        f"{where}: [@{key}] is a study that is not included"
                        + (f" (its study is {main})" if main != key else "")
                    )
                else:
                    out.citations.append(Citation(key, groups.main_of(key), name, line))
        elif token.type in ("link_open", "image"):
            target = str(token.attrGet("href") or token.attrGet("src") or "")
            if not target.lower().startswith(SAFE_SCHEMES):
                what = "link" if token.type == "link_open" else "image"
                problems.append(
                    f"{where}: {what} to {target[:60]!r} refused; only http:// and https:// "
                    "addresses may be linked"
                )
    if not text.strip():
        out.problems.append("the file is empty")
    if not problems:
        demote_headings(tokens)
        out.html = md.renderer.render(tokens, md.options, env)
    return out, problems


#: An authored file sits inside a report section (h3); its own headings start below it.
HEADING_OFFSET = 3


def demote_headings(tokens: Sequence[Token]) -> None:
    """Shift the authored headings down (``#`` → h4, ``##`` → h5, deeper → h6), so a file
    that starts with its own title keeps the report's outline (and numbering) intact."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1:])
            token.tag = f"h{min(6, level + HEADING_OFFSET)}"


def narrative_files(folder: str | Path) -> list[tuple[str, Path]]:
    """``(name relative to folder, path)`` of every ``.md`` file below ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [
        (p.relative_to(folder).as_posix(), p)
        for p in sorted(folder.rglob("*.md"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def load_narrative(
    folder: str | Path,
    groups: StudyGroups,
    labels: Mapping[str, str],
    *,
    audit_href: str = "audit.html",
) -> Narrative:
    """Every authored file under ``folder``, rendered; raise (nothing rendered) when any file
    cites what is not an included study or links to a non-http(s) address."""
    md = markdown()
    out = Narrative()
    problems: list[str] = []
    for name, path in narrative_files(folder):
        rendered, found = render_file(path, name, groups, labels, audit_href=audit_href, md=md)
        out.files[name] = rendered
        problems.extend(found)
    if problems:
        listed = "\n".join(problems[:MAX_LISTED])
        more = f"\n(and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise DecisionError(
            f"{len(problems)} problem(s) in the narrative under {folder}; nothing was "
            f"rendered:\n{listed}{more}"
        )
    return out


def uncited(
    narrative: Narrative, groups: StudyGroups, order: Iterable[str] | None = None
) -> list[str]:
    """Included main studies no file cites (a citation of a linked report counts for its study)."""
    cited = {c.main_study_id for c in narrative.citations()}
    return [s for s in groups.included_mains(order) if s not in cited]


def citation_labels(studies: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Study id -> its short citation ("Sari & Putra 2021"), as citations show it."""
    return {
        s["study_id"]: cite_label(s.get("authors", ""), s.get("year", ""), s.get("title", ""))
        for s in studies
    }


def citation_rows(
    narrative: Narrative, groups: StudyGroups, labels: Mapping[str, str], order: Sequence[str]
) -> list[dict[str, str]]:
    """One ``narrative_citations.csv`` row per included main study: where it is cited."""
    where: dict[str, list[str]] = {}
    for c in narrative.citations():
        where.setdefault(c.main_study_id, []).append(f"{c.file}:{c.line}")
    return [
        {
            "study_id": sid,
            "label": labels.get(sid, ""),
            "n_citations": str(len(where.get(sid, []))),
            "cited_in": "; ".join(where.get(sid, [])),
        }
        for sid in groups.included_mains(order)
    ]


def write_citations(path: str | Path, rows: Sequence[Row]) -> Path:
    return write_table(path, rows, contract("narrative_citations"))

"""Render the report files from the stage outputs: review.html, review.md, the figures and a
copy of the search log (the audit view has its own command: :mod:`review.audit.pages`).

All of them are computed first and written only when every one rendered, each atomically, so a
failed check (e.g. PRISMA counts that do not add up) leaves the previous report in place. The
review page is a frame (``templates/review.html.j2``) around its sections
(:mod:`review.report.sections`), each with its own template and context builder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from review import atomic, prisma
from review.protocol import Protocol
from review.report import methods, sections
from review.report.context import base_context, report_counts
from review.report.inputs import ReportInputs, load_inputs
from review.report.markup import md_cell, md_code, md_text, trusted, web_url
from review.report.paths import FIGURES, ReportOutputs, ReportPaths
from review.report.studies import TEAM_SUMMARY_LABEL, value_label
from review.states import ScreeningState
from review.tables import contract, table_text

TEMPLATES = sections.TEMPLATES


class Numbering:
    """Heading numbers as the page is rendered: a section added before others renumbers them."""

    def __init__(self) -> None:
        self.chapter_n = 0
        self.section_n = 0

    def chapter(self) -> str:
        self.chapter_n += 1
        self.section_n = 0
        return f"{self.chapter_n}."

    def section(self) -> str:
        self.section_n += 1
        return f"{self.chapter_n}.{self.section_n}"


def environment(*, markdown: bool = False) -> jinja2.Environment:
    r"""Templates autoescape (a title like ``<script>`` is shown as text), undefined names fail.

    With ``markdown``, every value a template prints is escaped for Markdown instead of HTML
    (``&`` stays ``&``, ``<`` becomes ``\<``): HTML entities in a Markdown file are shown
    literally by many readers (``&amp;``), while Markdown's own escapes keep a title like
    ``<script>`` or ``*bold*`` as text. Markup built by the templates (macros, ``|md``,
    ``|code``) is not escaped twice.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_text if markdown else None,
    )
    env.filters["label"] = value_label
    env.filters["md"] = md_cell
    env.filters["code"] = md_code
    env.filters["web_url"] = web_url
    env.globals["TEAM_SUMMARY_LABEL"] = TEAM_SUMMARY_LABEL
    env.globals["State"] = ScreeningState
    return env


def page_context(inputs: ReportInputs, *, generated_at: str, prisma_svg: str) -> dict[str, Any]:
    """Everything the review page shows: the shared context and every section's own."""
    found = sections.sections()
    context = sections.build(
        base_context(inputs, generated_at=generated_at, prisma_svg=prisma_svg), found
    )
    context["sections"] = [s for s in found if s.parent is None]
    context["children"] = lambda parent: [s for s in found if s.parent == parent]
    return context


def render_report(
    protocol: Protocol,
    *,
    paths: ReportPaths,
    outputs: ReportOutputs,
    prisma_svg: Path | None = None,
    generated_at: str | None = None,
    since_version: str | None = None,
    version_label: str | None = None,
) -> dict[str, Path]:
    """Render the report files; nothing is written unless all of them rendered.

    ``prisma_svg`` is the diagram ``review prisma`` drew from the same tables; without it the
    diagram is drawn here. With published versions (``paths.versions``), the report follows
    ``since_version`` (default: the latest); ``version_label`` names the version the page is
    (``review version`` renders it so), else it is a working draft.
    """
    unknown = [name for name in outputs.figures if name not in FIGURES]
    if unknown:  # before any work: a misnamed output is the caller's mistake
        raise ValueError(f"no figure {unknown[0]!r}; the report draws {', '.join(FIGURES)}")
    inputs = load_inputs(protocol, paths, since_version=since_version, version_label=version_label)
    stamp = generated_at or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if prisma_svg is not None:
        svg = Path(prisma_svg).read_text(encoding="utf-8")
    else:
        svg = prisma.render_svg(report_counts(inputs))
    context = page_context(inputs, generated_at=stamp, prisma_svg=trusted(svg))
    css = trusted((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    texts: dict[Path, str] = {}
    texts[outputs.html] = (
        environment().get_template("review.html.j2").render(**context, num=Numbering(), css=css)
    )
    texts[outputs.markdown] = (
        environment(markdown=True).get_template("review.md.j2").render(**context, num=Numbering())
    )
    log = inputs.search_log or methods.protocol_search_rows(inputs)
    texts[outputs.search_log] = table_text(
        log, contract("search_log"), columns=list(dict.fromkeys(k for row in log for k in row))
    )
    for name, path in outputs.figures.items():
        texts[path] = str(context["figures"][name])
    for path, text in texts.items():
        atomic.write_text(path, text)
    return {p.name: p for p in texts}

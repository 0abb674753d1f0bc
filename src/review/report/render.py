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
from review.errors import ReviewError
from review.protocol import Protocol
from review.report import methods, sections
from review.report.context import base_context, report_counts
from review.report.inputs import ReportInputs, load_inputs
from review.report.markup import md_cell, md_code, md_text, trusted, web_url
from review.report.paths import FIGURES, ReportOutputs, ReportPaths, figure_file
from review.report.studies import TEAM_SUMMARY_LABEL, value_label
from review.states import ScreeningState
from review.tables import contract, table_text

TEMPLATES = sections.TEMPLATES


class Numbering:
    """Heading numbers as the page is rendered: a section added before others renumbers them.

    Each section's template is entered by name (:meth:`enter`) before it is rendered, so the
    first number it takes is recorded: the PRISMA checklist, rendered last, points to it.
    """

    def __init__(self) -> None:
        self.chapter_n = 0
        self.section_n = 0
        self.current = ""
        self.numbers: dict[str, str] = {}

    def enter(self, section_id: str) -> str:
        self.current = section_id
        return ""

    def _record(self, number: str) -> str:
        if self.current and self.current not in self.numbers:
            self.numbers[self.current] = number.rstrip(".")
        return number

    def chapter(self) -> str:
        self.chapter_n += 1
        self.section_n = 0
        return self._record(f"{self.chapter_n}.")

    def section(self) -> str:
        self.section_n += 1
        return self._record(f"{self.chapter_n}.{self.section_n}")

    def of(self, section_id: str) -> str:
        """The number section ``section_id`` took ("" if it has not been rendered)."""
        return self.numbers.get(section_id, "")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, keyed by name and checked against
    the source's checksum by jinja: compiling the page's templates takes longer than rendering
    them, and a process that renders several reports (tests, benchmarks) compiles them once."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledTemplates()
#: The Markdown page's templates compile with a finalizer (``environment(markdown=True)``);
#: jinja keys compiled code by template name only, so they are kept apart from the plain ones.
COMPILED_MARKDOWN = _CompiledTemplates()


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
        bytecode_cache=COMPILED_MARKDOWN if markdown else COMPILED,
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
    present = [st.section for st in context["page_status"] if st.present]
    context["sections"] = [s for s in present if s.parent is None]
    context["children"] = lambda parent: [s for s in present if s.parent == parent]
    return context


#: Why a figure may not be drawn (for the message when one is asked for by name).
FIGURE_WHY = {
    "region": "the protocol has no synthesis.regions",
    "effect_direction": "no direction of effect is coded (coding.outcome_domains, outcomes.csv)",
    "appraisal": "no study is appraised (the protocol's appraisal key, appraisal.csv)",
}


def drawn_figures(context: dict[str, Any]) -> dict[str, Any]:
    """The figures the page drew, by name: every section's ``figure_<name>`` that is set."""
    return {
        key.removeprefix("figure_"): value
        for key, value in context.items()
        if key.startswith("figure_") and value
    }


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
    drawn = drawn_figures(context)
    for name, path in outputs.figures.items():
        if name not in drawn:
            raise ReviewError(
                f"--figure {name}: this review draws no {name} figure (it draws "
                f"{', '.join(drawn) or 'none'}): {FIGURE_WHY.get(name, 'no data for it')}"
            )
        texts[path] = str(drawn[name])
    if outputs.figures_dir is not None:
        for name, svg in drawn.items():
            texts[outputs.figures_dir / figure_file(name)] = str(svg)
    for path, text in texts.items():
        atomic.write_text(path, text)
    if outputs.figures_dir is not None:  # a figure this review no longer draws is not left over
        for name in FIGURES:
            stale = outputs.figures_dir / figure_file(name)
            if name not in drawn and stale.is_file():
                stale.unlink()
    return {p.name: p for p in texts}

"""Render the report files from the stage outputs: review.html, review.md, audit.html,
prisma.svg, prisma.csv and search_log.csv.

All of them are computed first and written only when every one rendered, each atomically, so a
failed check (e.g. PRISMA counts that do not add up) leaves the previous report in place.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from review import atomic, prisma
from review.protocol import Protocol
from review.report import methods, synthesis
from review.report.audit import build_trails, extra_cells, scores
from review.report.figures import bar_chart
from review.report.inputs import Paths, ReportInputs, load_inputs
from review.report.studies import BOXES, TEAM_SUMMARY_LABEL, study_ref, value_label
from review.spreadsheet import safe_row

TEMPLATES = Path(__file__).parent


@dataclass(frozen=True)
class Outputs:
    """Where the report files go; defaults are ``reports/`` under the project root."""

    folder: Path = Path("reports")

    @property
    def html(self) -> Path:
        return self.folder / "review.html"

    @property
    def markdown(self) -> Path:
        return self.folder / "review.md"

    @property
    def audit(self) -> Path:
        return self.folder / "audit.html"

    @property
    def prisma_svg(self) -> Path:
        return self.folder / "prisma.svg"

    @property
    def prisma_csv(self) -> Path:
        return self.folder / "prisma.csv"

    @property
    def search_log(self) -> Path:
        return self.folder / "search_log.csv"

    def figure(self, name: str) -> Path:
        return self.folder / "figures" / f"studies_by_{name}.svg"


def trusted(markup: str) -> Markup:
    """Mark markup built by this package as safe to insert: the SVG builders escape every text
    they place, and the CSS/JS are the package's own files. Nothing from the data passes here
    unescaped."""
    return Markup(markup)  # noqa: S704


def environment() -> jinja2.Environment:
    """Templates autoescape (a title like ``<script>`` is shown as text), undefined names fail."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = value_label
    env.filters["md"] = md_cell
    env.filters["web_url"] = web_url
    env.globals["TEAM_SUMMARY_LABEL"] = TEAM_SUMMARY_LABEL
    return env


def web_url(value: Any) -> str:
    """``value`` if it is an http(s) address, else ``""``: a record's link must never become a
    ``javascript:`` or ``data:`` link on the audit page."""
    text = "" if value is None else str(value).strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") else ""


def md_cell(value: Any) -> str:
    """Text for a Markdown table cell: no line breaks, pipes escaped (HTML is escaped by jinja)."""
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def build_context(inputs: ReportInputs, *, root: Path, generated_at: str) -> dict[str, Any]:
    """Everything the templates show, computed from the inputs."""
    protocol: Protocol = inputs.protocol
    counts = prisma.compute_counts(
        records=inputs.records,
        studies=inputs.studies,
        screening=inputs.screening,
        sources=protocol.sources,
        criteria=protocol.criteria,
    )
    prisma.check_counts(counts)
    studies_by_id = inputs.studies_by_id()
    refs = {sid: study_ref(row) for sid, row in studies_by_id.items()}
    screening = inputs.screening_by_id()
    included_ids = [sid for sid, row in screening.items() if row["state"] == "included_ft"]
    included_refs = sorted(
        (refs[s] for s in included_ids if s in refs), key=lambda r: r.cite.lower()
    )
    criteria = {c["code"]: c for c in protocol.criteria}

    coded = synthesis.coded_studies(
        protocol,
        [
            c
            for c in inputs.coded or []
            if c.get("status", "included") == "included"
            and (not screening or c["study_id"] in included_ids)
        ],
        refs,
        studies_by_id,
    )
    uncoded = [r for r in included_refs if r.study_id not in {c.ref.study_id for c in coded}]
    theme_list = synthesis.themes(protocol, coded)
    theme_field = protocol.data["synthesis"].get("theme_field", "")
    other_theme = [
        s for s in coded if not any(t["id"] in s.get(theme_field) for t in protocol.themes)
    ]

    years = Counter(r.year or "n.d." for r in included_refs)
    figure_basis = "included studies" if included_refs else "studies after deduplication"
    if not included_refs:
        years = Counter(r.year or "n.d." for r in refs.values())
    figures = {
        "year": trusted(
            bar_chart(f"Studies by year ({figure_basis})", sorted(years.items()), label_width=70)
        ),
        "theme": trusted(
            bar_chart(
                "Included studies by theme",
                [(t.label, len(t.studies)) for t in theme_list] if coded else [],
                empty="not coded yet",
            )
        ),
        "region": trusted(
            bar_chart(
                "Included studies by province (coded location)",
                synthesis.regions(coded),
                empty="not coded yet",
            )
        ),
    }

    excluded_ft = []
    ta_reasons: Counter[str] = Counter()
    for sid, row in sorted(screening.items()):
        if row["state"] in ("excluded_ft", "not_retrieved") and sid in refs:
            code = row.get("ft_reason", "")
            first = code.split(";")[0].strip()
            notes = [
                e.get("note", "")
                for e in inputs.screening_events or []
                if e.get("study_id") == sid and e.get("stage") == "full_text" and e.get("note")
            ]
            excluded_ft.append(
                {
                    "ref": refs[sid],
                    "state": row["state"],
                    "reason": code,
                    "label": criteria.get(first, {}).get("label", ""),
                    "reviewers": row.get("ft_reviewers", ""),
                    "notes": notes,
                }
            )
        elif row["state"] == "excluded_ta":
            ta_reasons[row.get("ta_reason", "").split(";")[0].strip()] += 1

    limits = methods.limitations(inputs, included_ids)
    limits["not_retrieved_refs"] = [refs[s] for s in limits["not_retrieved"] if s in refs]
    trails = build_trails(inputs)
    svg = prisma.render_svg(counts)
    dedup = methods.dedup_summary(inputs)
    return {
        "protocol": protocol,
        "p": protocol.data,
        "generated_at": generated_at,
        "git": methods.git_commit(root),
        "software": methods.software_versions(),
        "status": methods.stage_status(inputs, len(included_refs) if inputs.screening else None),
        "sources": methods.sources_table(inputs),
        "search": methods.search_table(inputs),
        "dedup": dedup,
        "screen": methods.screening_summary(inputs),
        "coding": methods.coding_summary(inputs),
        "criteria": protocol.criteria,
        "criteria_by_code": criteria,
        "counts": counts,
        "prisma_svg": trusted(svg),
        "prisma_data": prisma.prisma_data(counts),
        "included": included_refs,
        "coded": coded,
        "uncoded": uncoded,
        "coding_fields": protocol.coding_fields,
        "themes": theme_list,
        "other_theme": other_theme,
        "matrix": synthesis.matrix(protocol, theme_list),
        "conclusions": synthesis.conclusions(protocol, coded),
        "figures": figures,
        "excluded_ft": excluded_ft,
        "limits": limits,
        "ta_reasons": sorted(ta_reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        "trails": trails,
        "boxes": BOXES,
        "box_counts": Counter(t.box for t in trails),
        "scores": scores,
        "extra_cells": extra_cells,
        "files": {k: str(v) for k, v in inputs.files.items()},
        "inputs": inputs,
    }


PARTS = ("prisma", "pages")


def render_report(
    protocol: Protocol,
    *,
    paths: Paths | None = None,
    outputs: Outputs | None = None,
    generated_at: str | None = None,
    only: str | None = None,
) -> dict[str, Path]:
    """Render the report files; nothing is written unless all of them rendered.

    ``only="prisma"`` writes the diagram and its CSV, ``only="pages"`` the HTML and Markdown pages
    and the search log, so that the workflow can give each its own rule.
    """
    if only is not None and only not in PARTS:
        raise ValueError(f"only must be one of {PARTS}, not {only!r}")
    paths = paths or Paths(root=protocol.root)
    outputs = outputs or Outputs(folder=paths.root / "reports")
    inputs = load_inputs(protocol, paths)
    stamp = generated_at or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = build_context(inputs, root=paths.root, generated_at=stamp)
    texts: dict[Path, str] = {}
    if only in (None, "pages"):
        env = environment()
        css = trusted((TEMPLATES / "report.css").read_text(encoding="utf-8"))
        # The audit page runs only its own script: the CSP names that script's hash, so even a
        # record that slipped past escaping could not run code. The review page runs none.
        script = "\n" + (TEMPLATES / "audit.js").read_text(encoding="utf-8") + "\n"
        js = trusted(script)
        script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        texts[outputs.html] = env.get_template("review.html.j2").render(**context, css=css)
        markdown = env.get_template("review.md.j2").render(**context)
        # Quotes cannot open a tag, so Markdown readers get them back; < > & stay escaped.
        texts[outputs.markdown] = markdown.replace("&#34;", '"').replace("&#39;", "'")
        texts[outputs.audit] = env.get_template("audit.html.j2").render(
            **context, css=css, js=js, script_hash=script_hash
        )
        log = inputs.search_log or methods.protocol_search_rows(inputs)
        columns = list(dict.fromkeys(k for row in log for k in row))
        # Queries may start with "+" or "-": keep spreadsheets from running them as formulas.
        texts[outputs.search_log] = atomic.csv_text([safe_row(r) for r in log], columns)
        for name, svg in context["figures"].items():
            texts[outputs.figure(name)] = str(svg)
    if only in (None, "prisma"):
        texts[outputs.prisma_svg] = prisma.render_svg(context["counts"])
        texts[outputs.prisma_csv] = prisma.prisma_csv(context["counts"])
    for path, text in texts.items():
        atomic.write_text(path, text)
    return {p.name: p for p in texts}

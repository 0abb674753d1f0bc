"""Cross-references of the evidence keys (``docs`` of the shapes: the evidence-layer spec):
appraisal, outcome domains, vote counting, sensitivity analyses, the review window, the
conclusions' tests, amendments, full-text basis and registration.

Each check skips itself when its key is absent, so a protocol that does not use appraisal (or
has none of these keys yet) passes untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from review.checks import Context, Problem, check
from review.errors import ProtocolError

if TYPE_CHECKING:
    from review.appraisal.tool import AppraisalTool

#: The fixed vocabularies of outcome coding (direction of effect, kind of evidence).
DIRECTIONS = ("improved", "no_change_or_mixed", "worsened", "not_measured")
EVIDENCE_TYPES = (
    "quantitative_measure",
    "pre_post",
    "qualitative_account",
    "author_claim",
    "proposal_only",
)
SENSITIVITY_EXCLUDES = ("appraisal_overall", "field", "published_after", "year_missing")


def appraisal_tool(ctx: Context) -> tuple[AppraisalTool | None, str]:
    """The appraisal tool the protocol names, read and checked by the one loader the stages use
    (:func:`review.appraisal.tool.load_tool`: a built-in id or a tool file of the project), and
    the problem text when it cannot be used ("" when it was read or no tool is named)."""
    from review.appraisal.tool import load_tool

    name = ctx.get("appraisal", "tool")
    if not isinstance(name, str) or not name:
        return None, ""
    if "tool" not in ctx.cache:
        try:
            ctx.cache["tool"] = (load_tool(name, root=ctx.root), "")
        except ProtocolError as exc:
            ctx.cache["tool"] = (None, str(exc).removeprefix("appraisal.tool: "))
    cached: tuple[AppraisalTool | None, str] = ctx.cache["tool"]
    return cached


@check()
def appraisal_references(ctx: Context) -> Iterator[Problem]:
    """appraisal.tool exists; category_field is a coding field; category_map maps its values to
    the tool's categories"""
    if not isinstance(ctx.get("appraisal"), dict):
        return
    tool, trouble = appraisal_tool(ctx)
    if trouble:
        from review.appraisal.tool import builtin_tools

        yield ctx.problem(
            "appraisal.tool",
            trouble,
            fix=ctx.did_you_mean(ctx.get("appraisal", "tool"), builtin_tools(), what="built-in")
            + ", or the path of a tool file",
        )
    name = ctx.get("appraisal", "category_field")
    allowed = None
    if name:
        if name not in ctx.fields:
            yield ctx.problem(
                "appraisal.category_field",
                f"{name!r} is not a coding field",
                fix=ctx.did_you_mean(name, ctx.fields, what="coding fields"),
            )
        else:
            allowed = ctx.field_values(str(name))
    mapping = ctx.get("appraisal", "category_map")
    if not isinstance(mapping, dict):
        return
    if mapping and not name:
        yield ctx.problem(
            "appraisal.category_map",
            "maps values of a coding field, but appraisal.category_field is not set",
            fix="set appraisal.category_field to the coding field of study design",
        )
    categories = list(tool.category_ids) if tool else []
    for value, category in mapping.items():
        if allowed is not None and str(value) not in allowed:
            yield ctx.problem(
                f"appraisal.category_map.{value}",
                f"{value!r} is not a value of coding field {name!r}",
                fix=ctx.did_you_mean(value, allowed),
            )
        if categories and str(category) not in categories:
            yield ctx.problem(
                f"appraisal.category_map.{value}",
                f"{category!r} is not a category of {tool.id if tool else 'the tool'}",
                fix=ctx.did_you_mean(category, categories, what="categories"),
            )


@check()
def vote_counting(ctx: Context) -> Iterator[Problem]:
    """synthesis.vote_counting counts known evidence types, at a confidence between 0 and 1"""
    vc = ctx.get("synthesis", "vote_counting")
    if not isinstance(vc, dict):
        return
    for i, kind in enumerate(vc.get("evidence_types") or []):
        if kind not in EVIDENCE_TYPES:
            yield ctx.problem(
                f"synthesis.vote_counting.evidence_types[{i}]",
                f"{kind!r} is not an evidence type",
                fix=ctx.did_you_mean(kind, EVIDENCE_TYPES),
            )
    confidence = vc.get("confidence")
    if confidence is not None and not (
        isinstance(confidence, int | float) and 0 < float(confidence) < 1
    ):
        yield ctx.problem(
            "synthesis.vote_counting.confidence",
            f"{confidence!r} is not a confidence level",
            fix="give a number between 0 and 1, e.g. 0.95",
        )


@check()
def sensitivity_analyses(ctx: Context) -> Iterator[Problem]:
    """every synthesis.sensitivity[].exclude names what exists (a coding field and its values,
    the appraisal tool's overall levels, a year)"""
    for i, analysis in ctx.items("synthesis", "sensitivity"):
        where = f"synthesis.sensitivity[{i}].exclude"
        exclude = analysis.get("exclude")
        if not isinstance(exclude, dict) or not exclude:
            yield ctx.problem(
                where,
                "says nothing to exclude",
                fix="give one of {field: F, values: [...]}, {appraisal_overall: [levels]}, "
                "{published_after: YEAR} or {year_missing: true}",
            )
            continue
        for key in exclude:
            if key not in (*SENSITIVITY_EXCLUDES, "values"):
                yield ctx.problem(
                    f"{where}.{key}",
                    f"unknown exclusion {key!r}",
                    fix=ctx.did_you_mean(key, SENSITIVITY_EXCLUDES),
                )
        if "field" in exclude or "values" in exclude:
            name = exclude.get("field")
            if name not in ctx.fields:
                yield ctx.problem(
                    f"{where}.field",
                    f"{name!r} is not a coding field",
                    fix=ctx.did_you_mean(name, ctx.fields, what="coding fields"),
                )
            else:
                allowed = ctx.field_values(str(name))
                values = exclude.get("values")
                if not isinstance(values, list) or not values:
                    yield ctx.problem(
                        f"{where}.values", "no values to exclude", fix="list values of the field"
                    )
                else:
                    for j, value in enumerate(values):
                        if allowed is not None and str(value) not in allowed:
                            yield ctx.problem(
                                f"{where}.values[{j}]",
                                f"{value!r} is not a value of coding field {name!r}",
                                fix=ctx.did_you_mean(value, allowed),
                            )
        if "appraisal_overall" in exclude:
            yield from _overall_levels(ctx, f"{where}.appraisal_overall", exclude)
        if "published_after" in exclude and _year(exclude["published_after"]) is None:
            yield ctx.problem(
                f"{where}.published_after",
                f"{exclude['published_after']!r} is not a year",
                fix='give a four-digit year, e.g. "2025"',
            )


def _overall_levels(ctx: Context, where: str, exclude: dict[str, Any]) -> Iterator[Problem]:
    if not isinstance(ctx.get("appraisal"), dict):
        yield ctx.problem(
            where,
            "excludes by appraisal, but the protocol has no appraisal",
            fix="add appraisal: {tool: …}, or remove this exclusion",
        )
        return
    tool, _trouble = appraisal_tool(ctx)
    levels = list(tool.level_ids) if tool else []
    if not levels:
        return
    for j, level in enumerate(exclude.get("appraisal_overall") or []):
        if str(level) not in levels:
            yield ctx.problem(
                f"{where}[{j}]",
                f"{level!r} is not an overall level of the appraisal tool",
                fix=ctx.did_you_mean(level, levels),
            )


def _year(value: Any) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) == 4 else None


@check()
def review_window(ctx: Context) -> Iterator[Problem]:
    """synthesis.window gives a year, and include or exclude for undated studies (default:
    include, stated in the report)"""
    window = ctx.get("synthesis", "window")
    if not isinstance(window, dict):
        return
    if "published_until" in window and _year(window["published_until"]) is None:
        yield ctx.problem(
            "synthesis.window.published_until",
            f"{window['published_until']!r} is not a year",
            fix="give a four-digit year",
        )
    if "undated" in window and window["undated"] not in ("include", "exclude"):
        yield ctx.problem(
            "synthesis.window.undated",
            f"{window['undated']!r} is not allowed",
            fix="use include or exclude",
        )


@check()
def conclusion_tests(ctx: Context) -> Iterator[Problem]:
    """based_on.conclusions[].tests name themes, outcome domains, designs and fields that exist"""
    theme_field = ctx.get("synthesis", "theme_field")
    themes = ctx.field_values(str(theme_field)) if theme_field else None
    design_field = ctx.get("synthesis", "design_field")
    designs = ctx.field_values(str(design_field)) if design_field else None
    domains = ctx.domain_ids
    for i, c in ctx.items("based_on", "conclusions"):
        tests = c.get("tests")
        if not isinstance(tests, dict):
            continue
        where = f"based_on.conclusions[{i}].tests"
        kind = tests.get("kind")
        if kind not in ("direction", "presence"):
            yield ctx.problem(
                f"{where}.kind",
                f"{kind!r} is not a kind of test",
                fix=ctx.did_you_mean(kind, ("direction", "presence")),
            )
            continue
        if kind == "direction":
            lists = (
                ("themes", themes, "a value of the theme field"),
                ("domains", domains, "an outcome domain (coding.outcome_domains)"),
                ("designs", designs, "a value of the design field"),
            )
            for key, allowed, what in lists:
                values = tests.get(key) or []
                if values and allowed is None:
                    yield ctx.problem(
                        f"{where}.{key}",
                        f"lists {key}, but the protocol does not define them",
                        fix={
                            "themes": "set synthesis.theme_field",
                            "domains": "add coding.outcome_domains",
                            "designs": "set synthesis.design_field",
                        }[key],
                    )
                    continue
                for j, value in enumerate(values):
                    if allowed is not None and str(value) not in allowed:
                        yield ctx.problem(
                            f"{where}.{key}[{j}]",
                            f"{value!r} is not {what}",
                            fix=ctx.did_you_mean(value, allowed),
                        )
            expects = tests.get("expects", "improved")  # the schema's default
            if expects not in DIRECTIONS:
                yield ctx.problem(
                    f"{where}.expects",
                    f"{expects!r} is not a direction of effect",
                    fix=ctx.did_you_mean(expects, DIRECTIONS),
                )
        else:
            name = tests.get("field")
            if name not in ctx.fields:
                yield ctx.problem(
                    f"{where}.field",
                    f"{name!r} is not a coding field",
                    fix=ctx.did_you_mean(name, ctx.fields, what="coding fields"),
                )
                continue
            allowed = ctx.field_values(str(name))
            for j, value in enumerate(tests.get("values") or []):
                if allowed is not None and str(value) not in allowed:
                    yield ctx.problem(
                        f"{where}.values[{j}]",
                        f"{value!r} is not a value of coding field {name!r}",
                        fix=ctx.did_you_mean(value, allowed),
                    )


@check()
def amendments(ctx: Context) -> Iterator[Problem]:
    """every amendment has a date (YYYY-MM-DD), what changed and why"""
    value = ctx.get("amendments")
    if value is None:
        return
    if not isinstance(value, list):
        yield ctx.problem("amendments", "is not a list", fix="list {date, what, why} entries")
        return
    for i, item in enumerate(value):
        where = f"amendments[{i}]"
        if not isinstance(item, dict):
            yield ctx.problem(where, "is not a mapping", fix="give date, what and why")
            continue
        for key in ("date", "what", "why"):
            if not str(item.get(key) or "").strip():
                yield ctx.problem(where, f"no {key!r}", fix=f"add {key}: …")
        date = item.get("date")
        if date and not isinstance(date, dt.date):
            try:
                dt.date.fromisoformat(str(date))
            except ValueError:
                yield ctx.problem(
                    f"{where}.date", f"{date!r} is not a date", fix="write it as YYYY-MM-DD"
                )


@check()
def fulltext_basis(ctx: Context) -> Iterator[Problem]:
    """a full-text assessment on another basis than the full text states why"""
    basis = ctx.get("fulltext", "assessment_basis")
    if basis == "record_and_summary" and not ctx.get("fulltext", "deviation_reason"):
        yield ctx.problem(
            "fulltext.deviation_reason",
            "assessment_basis record_and_summary is a deviation from assessing full texts, "
            "but no reason is given",
            fix="add deviation_reason: why full texts could not be assessed",
        )


@check()
def registration(ctx: Context) -> Iterator[Problem]:
    """registration names a registry (and its id), or states that the review was not registered
    (the report shows the statement, else the registry)"""
    reg = ctx.get("registration")
    if reg is None:
        return
    if not isinstance(reg, dict) or not (reg.get("statement") or reg.get("registry")):
        yield ctx.problem(
            "registration",
            "names no registry, and no statement",
            fix='give {registry: …, id: …, url: …}, or {statement: "This review was not '
            'registered."}',
        )

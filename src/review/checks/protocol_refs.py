"""Cross-references inside the protocol: ids that are unique, and names that point somewhere.

One function per cross-reference (see :mod:`review.checks`). Each reads the protocol only and
skips itself when its key is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from review.checks import Context, Problem, check

#: Fields a rule of an automatic criterion may name: the columns of studies.csv.
_NUMERIC_RULE_FIELDS = {"year", "n_records"}


def _studies_columns() -> tuple[str, ...]:
    from review.tables import contract

    return contract("studies").names


@check()
def unique_ids(ctx: Context) -> Iterator[Problem]:
    """ids and codes are unique (sources, criteria, coding fields, questions, themes,
    definitions, ...)"""
    lists = (
        (("sources",), "id"),
        (("criteria",), "code"),
        (("coding", "fields"), "name"),
        (("research_questions",), "id"),
        (("synthesis", "themes"), "id"),
        (("reviewers",), "id"),
        (("coding", "outcome_domains"), "id"),
        (("synthesis", "sensitivity"), "id"),
        (("based_on", "conclusions"), "id"),
        (("definitions",), "id"),
    )
    for keys, id_key in lists:
        seen: set[str] = set()
        for i, item in ctx.items(*keys):
            value = item.get(id_key)
            if value is None:
                continue
            if value in seen:
                yield ctx.problem(
                    f"{'.'.join(keys)}[{i}].{id_key}",
                    f"{value!r} is used twice",
                    fix=f"give each {id_key} once (rename or remove one)",
                )
            seen.add(value)


def _field_ref(ctx: Context, where: str, name: Any, *, choice: bool = False) -> Iterator[Problem]:
    """``name`` (at key path ``where``) must be a coding field (a choice field if ``choice``)."""
    fields = ctx.fields
    if name not in fields:
        yield ctx.problem(
            where,
            f"{name!r} is not a coding field",
            fix=ctx.did_you_mean(name, fields, what="coding fields"),
        )
    elif choice and ctx.field_values(str(name)) is None:
        yield ctx.problem(
            where,
            f"coding field {name!r} has no list of values (type {fields[name].get('type')!r})",
            fix="name a field of type single or multiple, or give this field its values",
        )


#: Synthesis keys that name one coding field, and whether it must have a list of values (the
#: barrier field is only a column of the characteristics table: free text will do).
SYNTHESIS_FIELD_KEYS = {
    "theme_field": True,
    "outcome_field": True,
    "barrier_field": False,
    "design_field": True,
}


@check()
def synthesis_fields(ctx: Context) -> Iterator[Problem]:
    """synthesis.theme_field, outcome_field, barrier_field, design_field, regions.field,
    characteristics, heterogeneity_by and grouping.by name coding fields"""
    for key, choice in SYNTHESIS_FIELD_KEYS.items():
        name = ctx.get("synthesis", key)
        if name:
            yield from _field_ref(ctx, f"synthesis.{key}", name, choice=choice)
    region = ctx.get("synthesis", "regions", "field")
    if region:
        yield from _field_ref(ctx, "synthesis.regions.field", region)
    for i, name in enumerate(ctx.get("synthesis", "characteristics", default=[]) or []):
        yield from _field_ref(ctx, f"synthesis.characteristics[{i}]", name)
    for i, name in enumerate(ctx.get("synthesis", "heterogeneity_by", default=[]) or []):
        yield from _field_ref(ctx, f"synthesis.heterogeneity_by[{i}]", name, choice=True)
    for i, name in enumerate(ctx.get("synthesis", "grouping", "by", default=[]) or []):
        if name in SYNTHESIS_FIELD_KEYS:
            if not ctx.get("synthesis", name):
                yield ctx.problem(
                    f"synthesis.grouping.by[{i}]",
                    f"{name!r} names synthesis.{name}, which is not set",
                    fix=f"set synthesis.{name} to a coding field, or group by a coding field",
                )
            continue
        yield from _field_ref(ctx, f"synthesis.grouping.by[{i}]", name, choice=True)


@check()
def theme_values(ctx: Context) -> Iterator[Problem]:
    """every theme is a value of synthesis.theme_field"""
    theme_field = ctx.get("synthesis", "theme_field")
    allowed = ctx.field_values(str(theme_field)) if theme_field else None
    if allowed is None:
        return
    for i, theme in ctx.items("synthesis", "themes"):
        if theme.get("id") is not None and theme["id"] not in allowed:
            yield ctx.problem(
                f"synthesis.themes[{i}].id",
                f"{theme['id']!r} is not a value of coding field {theme_field!r} "
                f"(values: {', '.join(allowed)})",
                fix=ctx.did_you_mean(theme["id"], allowed)
                + f", or add it to the values of {theme_field!r}",
            )


@check()
def automatic_criteria(ctx: Context) -> Iterator[Problem]:
    """automatic criteria have a rule on columns of studies.csv; others have none"""
    columns = _studies_columns()
    conditions = ("min", "max", "allowed", "forbidden", "required_terms", "forbidden_terms")
    for i, c in ctx.items("criteria"):
        where = f"criteria[{i}]"
        rule = c.get("rule")
        if c.get("stage") == "automatic" and not rule:
            yield ctx.problem(
                where,
                f"criterion {c.get('code')!r} has stage 'automatic' but no rule",
                fix="add rule: {field: <a column of studies.csv>, min/max, allowed/forbidden or "
                "required_terms/forbidden_terms}, or give the stage a reviewer decides",
            )
            continue
        if not isinstance(rule, dict):
            continue
        if c.get("stage") != "automatic":
            yield ctx.problem(
                f"{where}.rule",
                f"a rule on a {c.get('stage')!r} criterion is never applied",
                fix="set stage: automatic, or remove the rule",
            )
        names = [n.strip() for n in str(rule.get("field", "")).split("+") if n.strip()]
        unknown = [n for n in names if n not in columns]
        for name in unknown:
            if name:
                yield ctx.problem(
                    f"{where}.rule.field",
                    f"{name!r} is not a column of studies.csv",
                    fix=ctx.did_you_mean(name, columns, what="columns"),
                )
        if not any(k in rule for k in conditions):
            yield ctx.problem(
                f"{where}.rule",
                "the rule sets no condition",
                fix=f"add one of {', '.join(conditions)}",
            )
        numeric = names and not unknown and names[0] in _NUMERIC_RULE_FIELDS
        if ("min" in rule or "max" in rule) and names and not unknown and not numeric:
            yield ctx.problem(
                f"{where}.rule",
                f"min/max compare numbers, but {names[0]!r} is text",
                fix="use allowed/forbidden or required_terms for text fields",
            )
        if c.get("needs_full_text"):
            yield ctx.problem(
                f"{where}.needs_full_text",
                "an automatic criterion is applied to the records, never to a full text",
                fix="remove needs_full_text, or make it a full_text criterion",
            )


@check()
def criteria_stages(ctx: Context) -> Iterator[Problem]:
    """reviewers' criteria belong to a stage that screening.stages runs"""
    stages = ctx.get("screening", "stages")
    if not isinstance(stages, list):
        return
    for i, c in ctx.items("criteria"):
        stage = c.get("stage")
        if stage in ("title_abstract", "full_text") and stage not in stages:
            yield ctx.problem(
                f"criteria[{i}].stage",
                f"criterion {c.get('code')!r} is for stage {stage!r}, which screening.stages "
                f"({', '.join(map(str, stages))}) does not run",
                fix=f"add {stage} to screening.stages, or move the criterion to a stage that runs",
            )


@check()
def stopping_rule(ctx: Context) -> Iterator[Problem]:
    """screening.stopping_rule gives what its kind needs"""
    rule = ctx.get("screening", "stopping_rule")
    if not isinstance(rule, dict):
        return
    needs = {"consecutive_irrelevant": "n", "fraction_screened": "fraction"}
    kind = rule.get("kind")
    if kind in needs and needs[kind] not in rule:
        yield ctx.problem(
            "screening.stopping_rule",
            f"kind {kind!r} needs {needs[kind]!r}",
            fix=f"add {needs[kind]}: …",
        )


@check()
def coding_values(ctx: Context) -> Iterator[Problem]:
    """choice fields list each value once; text fields list none"""
    for i, fdef in ctx.items("coding", "fields"):
        values = fdef.get("values")
        if fdef.get("type") in ("text", "integer", "year", "yes_no") and values:
            yield ctx.problem(
                f"coding.fields[{i}].values",
                f"values on a field of type {fdef.get('type')!r} are never offered",
                fix="make the field type single or multiple, or remove its values",
            )
        if isinstance(values, list) and len(set(map(str, values))) < len(values):
            yield ctx.problem(
                f"coding.fields[{i}].values", "a value is listed twice", fix="list each value once"
            )


@check()
def definition_criteria(ctx: Context) -> Iterator[Problem]:
    """definitions name criteria that exist"""
    codes = ctx.criteria_codes
    for i, item in ctx.items("definitions"):
        for code in item.get("criteria") or []:
            if code not in codes:
                yield ctx.problem(
                    f"definitions[{i}].criteria",
                    f"{code!r} is not a criterion code",
                    fix=ctx.did_you_mean(code, codes, what="criteria"),
                )


@check()
def set_aside_stages(ctx: Context) -> Iterator[Problem]:
    """a reviewer's stage is set aside by one amendment at most (two dates for one stage would
    leave the report guessing)"""
    for i, reviewer in ctx.items("reviewers"):
        stages: set[str] = set()
        for j, entry in enumerate(reviewer.get("set_aside") or []):
            for stage in entry.get("stages") or []:
                if stage in stages:
                    yield ctx.problem(
                        f"reviewers[{i}].set_aside[{j}].stages",
                        f"{stage!r} is already set aside for reviewer {reviewer.get('id')!r} by "
                        "an earlier entry",
                        fix="keep one entry per stage (one date and reason), or remove this stage",
                    )
                stages.add(stage)

"""The protocol against its JSON Schema: every mismatch, each with its key and the fix.

Unknown keys and values outside a list get "did you mean" (difflib), because most of them are
typos (``descripton``, ``titel_abstract``). This runs before the other checks (its count tells
them the protocol may have keys of the wrong shape).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import jsonschema

from review.checks import Problem


def key_path(parts: Iterable[Any]) -> str:
    """``sources[2].database`` from a JSON path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _close(value: object, choices: Iterable[object]) -> str:
    names = [str(c) for c in choices]
    match = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _unexpected(err: jsonschema.ValidationError) -> list[str]:
    instance = err.instance if isinstance(err.instance, dict) else {}
    known = set((err.schema or {}).get("properties", {}) if isinstance(err.schema, dict) else {})
    return [k for k in instance if k not in known]


def _describe(err: jsonschema.ValidationError) -> list[tuple[str, str, str]]:
    """``(key path, message, fix)`` for one validation error (an unknown key each its own)."""
    path = list(err.absolute_path)
    schema = err.schema if isinstance(err.schema, dict) else {}
    if err.validator == "additionalProperties" and schema.get("additionalProperties") is False:
        allowed = sorted(schema.get("properties", {}))
        return [
            (
                key_path([*path, key]),
                f"unknown key {key!r}",
                f"remove it, or use one of {', '.join(allowed)}{_close(key, allowed)}",
            )
            for key in _unexpected(err)
        ]
    if err.validator == "enum":
        allowed = list(schema.get("enum", []))
        return [
            (
                key_path(path),
                err.message,
                f"use one of {', '.join(map(str, allowed))}{_close(err.instance, allowed)}",
            )
        ]
    if err.validator == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        what = _property_description(schema, missing)
        return [(key_path(path), err.message, f"add {missing!r}{what}")]
    if err.validator in ("oneOf", "anyOf") and err.context:
        best = jsonschema.exceptions.best_match(err.context)
        return _describe(best)
    fix = ""
    description = schema.get("description")
    if err.validator == "type":
        fix = f"give {_article(err.validator_value)}" + (f" ({description})" if description else "")
    elif err.validator == "pattern":
        fix = f"match the pattern {err.validator_value}"
    return [(key_path(path), err.message, fix)]


def _article(kind: object) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    words = {"array": "a list", "object": "a mapping of keys", "integer": "a whole number"}
    return " or ".join(words.get(str(k), f"a {k}") for k in kinds)


def _property_description(schema: dict[str, Any], name: str) -> str:
    prop = schema.get("properties", {}).get(name, {})
    text = prop.get("description") if isinstance(prop, dict) else None
    return f" ({' '.join(str(text).split())})" if text else ""


def schema_problems(data: Any, schema: dict[str, Any], *, file: str) -> list[Problem]:
    """Every mismatch between ``data`` and ``schema``, in document order."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(data), key=lambda e: ([str(p) for p in e.absolute_path], e.message)
    )
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in errors:
        for where, message, fix in _describe(err):
            if (where, message) in seen:
                continue
            seen.add((where, message))
            out.append(Problem(file, where, message, fix, "schema"))
    return out

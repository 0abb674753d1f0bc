"""Placeholders of the ``review init`` template that are still in the protocol.

A project scope check: the protocol still loads (a user may try a command while filling it in),
but ``review check`` and ``review run`` list what is left to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from review.checks import Context, Problem, check
from review.checks.schema import key_path


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("TODO") or value.startswith("todo_"))


def _walk(node: Any, path: list[Any]) -> Iterator[tuple[list[Any], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if _is_placeholder(key):
                yield [*path, key], str(key)
            yield from _walk(value, [*path, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, [*path, i])
    elif _is_placeholder(node):
        yield path, str(node)


@check(scope="project")
def template_placeholders(ctx: Context) -> Iterator[Problem]:
    """no placeholder of the `review init` template ("TODO…", "todo_…") is left"""
    for path, text in _walk(ctx.data, []):
        yield ctx.problem(
            key_path(path),
            f"still the template's placeholder {text!r}",
            fix="replace it with your own id (lower case letters, digits, '_')"
            if text.startswith("todo_")
            else "replace it with your review's own words",
        )

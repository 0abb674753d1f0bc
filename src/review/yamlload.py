"""YAML read through libyaml when PyYAML has it, else through PyYAML's own Python parser.

Every command of a run is one process, and most read the protocol, its schema and the table
contracts; the pure-Python parser spent ~0.15 s of each command's ~1 s of CPU on them. Both
parsers build the same values with the same safe constructor and raise the same
:class:`yaml.YAMLError` subclasses with a ``problem_mark`` (line and column), which is what the
messages about a bad file quote; the wording of ``problem`` may differ between them.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str | bytes) -> Any:
    """What :func:`yaml.safe_load` returns for ``text``: plain Python values, no tags run."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader, C or Python)

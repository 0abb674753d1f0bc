"""YAML in the tests through libyaml, as the package reads it (:mod:`review.yamlload`).

Tests read and rewrite protocols hundreds of times; PyYAML's pure-Python parser and emitter
spent several CPU seconds of the suite on that, for the same values.
"""

from __future__ import annotations

from typing import Any

import yaml

from review.yamlload import safe_load as load_yaml

_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

__all__ = ["dump_yaml", "load_yaml"]


def dump_yaml(data: Any, **options: Any) -> str:
    """What :func:`yaml.safe_dump` writes for ``data`` (plain values only), through libyaml."""
    return yaml.dump(data, Dumper=_DUMPER, **options)

"""2. Methods: the chapter that holds the methods subsections (``PARENT = "methods"``)."""

from __future__ import annotations

from typing import Any

ORDER = 200
TOC = "Methods"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}

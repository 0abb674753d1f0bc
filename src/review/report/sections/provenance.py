"""4. Software and provenance: protocol hash, git commit, versions, the input files."""

from __future__ import annotations

from typing import Any

ORDER = 400
TOC = "Software and provenance"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"files": {k: str(v) for k, v in base["inputs"].files.items()}}

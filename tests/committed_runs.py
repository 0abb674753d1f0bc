"""What the manifests of a project record: the expected figures of tests over the default
review, read from its committed inputs rather than written into the tests (the default review
is redone and updated; its counts change with it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from review.protocol import load_protocol


class Run(NamedTuple):
    source_id: str
    run_id: str
    file: str  # relative to the project, POSIX
    sha256: str
    rows: int


def committed_runs(project: Path) -> list[Run]:
    """Every file of every run the manifests of the protocol's file sources record (each
    source's folder, or the folder of its file), in the protocol's order of sources."""
    runs = []
    for source in load_protocol(project / "config" / "protocol.yaml").sources:
        if not source.get("path"):
            continue
        folder = project / source["path"]
        folder = folder if folder.is_dir() else folder.parent
        for path in sorted(folder.rglob("manifest.json")):
            manifest = json.loads(path.read_text(encoding="utf-8"))
            for entry in manifest["files"]:
                file = (path.parent / entry["path"]).relative_to(project).as_posix()
                runs.append(
                    Run(source["id"], manifest["run_id"], file, entry["sha256"], entry["rows"])
                )
    return runs

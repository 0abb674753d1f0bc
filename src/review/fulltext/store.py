"""The full-text folder: content-addressed files and an append-only manifest.

``data/raw/fulltext/`` holds

* ``files/<sha256>.<ext>``: every file retrieved, named by the sha256 of its bytes, so the same
  file found for two studies or on two runs is kept once and never fetched again;
* ``manifest.jsonl``: one line per attempt (contract ``fulltext_manifest``), appended as it
  happens: the retrieval log of PRISMA-S for full texts;
* ``added/<study_id>.<pdf|html|xml|txt>``: files reviewers added (:mod:`review.fulltext.added`);
* ``checkpoint.json`` while a retrieval run is open: the studies it has finished, so a killed run
  resumes with the next study.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from review import atomic
from review.errors import SchemaError
from review.fulltext.content import EXTENSIONS
from review.tables import contract, read_jsonl

ROOT = Path("data/raw/fulltext")
MANIFEST = "manifest.jsonl"
CHECKPOINT = "checkpoint.json"
FILES = "files"
ADDED = "added"


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def project_path(path: Path, root: Path) -> str:
    """``path`` as the project names it (``data/raw/fulltext/...``) when ``root`` is the
    project's ``data/raw/fulltext``; else as given."""
    root = Path(root)
    if root.name == "fulltext" and root.parent.name == "raw" and root.parent.parent.name == "data":
        return Path(path).relative_to(root.parent.parent.parent).as_posix()
    return Path(path).as_posix()


class Store:
    """One ``data/raw/fulltext`` folder."""

    def __init__(self, root: str | Path = ROOT) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    @property
    def added_dir(self) -> Path:
        return self.root / ADDED

    def entries(self) -> list[dict[str, Any]]:
        """Every manifest line, oldest first ([] before the first run)."""
        if not self.manifest_path.is_file():
            return []
        return read_jsonl(self.manifest_path, contract("fulltext_manifest"))

    def append(self, entry: Mapping[str, Any]) -> None:
        """Append one manifest line (all columns, in contract order).

        The old bytes and the new line replace the file atomically (as ledgers are appended
        to), so a kill never leaves half a line behind.
        """
        names = contract("fulltext_manifest").names
        line = json.dumps({c: entry.get(c, "") for c in names}, ensure_ascii=False) + "\n"
        path = self.manifest_path
        old = path.read_bytes() if path.is_file() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        atomic.write_bytes(path, old + line.encode("utf-8"))

    def file_path(self, digest: str, media_type: str) -> Path:
        return self.root / FILES / f"{digest}{EXTENSIONS[media_type]}"

    def keep(self, body: bytes, media_type: str) -> tuple[str, Path]:
        """Store ``body`` under its sha256 (atomically; an existing file is left as it is)."""
        digest = sha256(body)
        path = self.file_path(digest, media_type)
        if not path.is_file():
            atomic.write_bytes(path, body)
        return digest, path

    def verified(self, entry: Mapping[str, Any]) -> Path | None:
        """The file of a manifest line, when it is there with the sha256 the line records."""
        file = str(entry.get("file") or "")
        if not file:
            return None
        path = self.resolve(file)
        if not path.is_file():
            return None
        digest = sha256(path.read_bytes())
        if digest != entry.get("sha256"):
            raise SchemaError(
                f"{path}: sha256 {digest} differs from the manifest's {entry.get('sha256')}; "
                "the kept full text was changed after it was recorded"
            )
        return path

    def resolve(self, file: str) -> Path:
        """A manifest's ``file`` (project-relative, or relative to the store) as a path."""
        path = Path(file)
        if path.is_absolute():
            return path
        parts = path.parts
        if parts[:3] == ("data", "raw", "fulltext"):
            return self.root.joinpath(*parts[3:])
        return self.root / path

    def name(self, path: Path) -> str:
        return project_path(path, self.root)

    # --- checkpoint ------------------------------------------------------------------------
    def open_run(self) -> dict[str, Any] | None:
        path = self.root / CHECKPOINT
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SchemaError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict) or "run_id" not in data:
            raise SchemaError(f"{path}: expected an object with run_id and done")
        return data

    def save_checkpoint(self, data: Mapping[str, Any]) -> None:
        atomic.write_json(self.root / CHECKPOINT, dict(data))

    def close_run(self) -> None:
        (self.root / CHECKPOINT).unlink(missing_ok=True)

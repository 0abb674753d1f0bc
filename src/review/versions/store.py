"""Published versions of the review: ``versions/<name>/``, frozen and never changed.

A version folder holds its ``manifest.json`` (what the review was when it was frozen: the
protocol's sha256, every input file's sha256 and record count, the PRISMA counts, the included
studies, a hash of every decision file, the tables; see the ``version_manifest`` contract and
``schemas/version_manifest.schema.yaml``), a copy of the protocol (``protocol.yaml``), copies
of the derived tables (``tables/``) and the report rendered as that version (``report/``). The
next report compares itself with it: what changed, and the PRISMA flow for updated reviews.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from review import yamlload
from review.errors import ReviewError
from review.records import sha256_file
from review.tables import Row, contract, read_json, read_table

VERSIONS = Path("versions")
MANIFEST = "manifest.json"
PROTOCOL_COPY = "protocol.yaml"
TABLES = "tables"
REPORT = "report"
SCHEMA = "review.version/1"
#: A version's name: a safe folder name (no path, no leading dot or dash, nothing a shell or
#: a file system reads specially).
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class VersionError(ReviewError):
    """A version cannot be made, found or read."""


def check_name(name: str) -> str:
    """``name`` if it is a safe version name, else a :class:`VersionError` saying why."""
    if not NAME.match(name or "") or ".." in name:
        raise VersionError(
            f"version name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', starting "
            "with a letter or digit (e.g. v1, 2026-11, v2.1); it names a folder"
        )
    return name


@functools.cache
def manifest_schema() -> dict[str, Any]:
    text = resources.files("review").joinpath("schemas", "version_manifest.schema.yaml")
    return dict(yamlload.safe_load(text.read_text(encoding="utf-8")))


def validate_manifest(data: dict[str, Any], where: str) -> None:
    """Raise :class:`VersionError` naming the first key that breaks the manifest's schema."""
    errors = sorted(
        jsonschema.Draft202012Validator(manifest_schema()).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        err = errors[0]
        key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise VersionError(f"{where}: {key}: {err.message}")


@dataclass(frozen=True)
class Version:
    """One published version: its folder and manifest, and readers of what it froze."""

    name: str
    folder: Path
    manifest: dict[str, Any]

    @property
    def created_at(self) -> str:
        return str(self.manifest["created_at"])

    @property
    def date(self) -> str:
        return self.created_at[:10]

    def has_table(self, name: str) -> bool:
        return any(t["name"] == name for t in self.manifest.get("tables", []))

    def table_path(self, name: str) -> Path:
        """The frozen copy of table ``name``, checked against the sha256 the manifest records
        (a version is evidence too: a copy changed after it was frozen stops the run)."""
        for t in self.manifest.get("tables", []):
            if t["name"] == name:
                return self._checked(self.folder / str(t["file"]), str(t["sha256"]))
        raise VersionError(f"version {self.name} has no copy of the {name} table")

    def _checked(self, path: Path, expected: str) -> Path:
        if not path.is_file():
            raise VersionError(f"{path}: missing from version {self.name}; restore it")
        actual = sha256_file(path)
        if actual != expected:
            raise VersionError(
                f"{path}: sha256 {actual}, but the manifest of version {self.name} records "
                f"{expected}: a published version is never changed; restore it"
            )
        return path

    def table(self, name: str) -> list[Row]:
        """A frozen table, read by its contract (as any stage reads it)."""
        return read_table(self.table_path(name), contract(name))

    def json_table(self, name: str) -> dict[str, Any]:
        return read_json(self.table_path(name), contract(name))

    def protocol_data(self) -> dict[str, Any]:
        """The protocol as it was (its copy, checked against the sha256 the version froze)."""
        p = self.manifest["protocol"]
        path = self._checked(self.folder / str(p["copy"]), str(p["sha256"]))
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}

    def record_ids(self) -> frozenset[str]:
        return frozenset(r["record_id"] for r in self.table("records"))

    def included_ids(self) -> list[str]:
        return list(self.manifest["studies"]["included"])


def read_version(folder: Path) -> Version:
    """The version in ``folder``, its manifest checked against the schema."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise VersionError(f"{path}: not a version manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise VersionError(f"{path}: expected a JSON object")
    validate_manifest(data, str(path))
    if data["name"] != folder.name:
        raise VersionError(f"{path}: names version {data['name']!r}, but its folder is {folder}")
    return Version(folder.name, folder, data)


def list_versions(folder: Path | str = VERSIONS) -> list[Version]:
    """Every version in ``folder``, oldest first (folders being written are not versions yet)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [
        read_version(p)
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()
    ]
    return sorted(found, key=lambda v: (v.created_at, v.name))


def select_previous(
    folder: Path | str | None,
    *,
    name: str | None = None,
    protocol_data: dict[str, Any] | None = None,
) -> Version | None:
    """The version a report compares with: ``name`` when given, else the protocol's
    ``versions.compare_with``, else the latest; ``None`` when there is none."""
    versions = list_versions(folder) if folder is not None else []
    wanted = name or ((protocol_data or {}).get("versions") or {}).get("compare_with")
    if wanted:
        for v in versions:
            if v.name == wanted:
                return v
        known = ", ".join(v.name for v in versions) or "none"
        raise VersionError(f"no version {wanted!r} in {folder} (versions: {known})")
    return versions[-1] if versions else None


def version_files(folder: Path | str = VERSIONS) -> list[str]:
    """Every file of every version a report reads (manifests, protocol copies, tables), so that
    a new version reruns the rules that compare with it."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for v in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for name in (MANIFEST, PROTOCOL_COPY):
            if (v / name).is_file():
                out.append((v / name).as_posix())
        if (v / TABLES).is_dir():
            out.extend(p.as_posix() for p in sorted((v / TABLES).iterdir()) if p.is_file())
    return out

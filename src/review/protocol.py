"""Load the review protocol and check it against its JSON Schema before anything runs.

A protocol error must stop the run before any API call or file is written, with a message that
names the key (``sources[2].database``) and what was expected, because the protocol is written
by hand by researchers who are not expected to read a traceback.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from review import yamlload
from review.errors import ProtocolError, ReviewError

DEFAULT_PROTOCOL = Path("config/protocol.yaml")


@functools.cache
def protocol_schema() -> dict[str, Any]:
    """The protocol's JSON Schema, shipped inside the package (``review/schemas/``)."""
    text = resources.files("review").joinpath("schemas", "protocol.schema.yaml").read_text("utf-8")
    schema: dict[str, Any] = yamlload.safe_load(text)
    return schema


def validate(
    data: Any,
    *,
    schema: dict[str, Any],
    where: str = "protocol",
    error: type[ReviewError] = ProtocolError,
) -> None:
    """Raise ``error`` naming the key, the expectation and the fix of every mismatch
    (:mod:`review.checks.schema`): a :class:`ProtocolError` for the protocol or a tool, a
    :class:`~review.errors.DecisionError` for a decision file checked by a schema."""
    from review.checks.schema import schema_problems

    problems = schema_problems(data, schema, file=where)
    if problems:
        raise error(_listed(problems))


def _listed(problems: list[Any], limit: int = 20) -> str:
    shown = [str(p) for p in problems[:limit]]
    more = (
        f"\n(and {len(problems) - limit} more; `review check` lists them all)"
        if len(problems) > limit
        else ""
    )
    return "\n".join(shown) + more


@dataclass(frozen=True)
class Protocol:
    """The validated protocol, with helpers for what the stages ask of it."""

    data: dict[str, Any]
    path: Path
    sha256: str = ""
    root: Path = field(default_factory=Path.cwd)

    @property
    def title(self) -> str:
        return str(self.data["title"]).strip()

    @property
    def sources(self) -> list[dict[str, Any]]:
        return list(self.data["sources"])

    def source(self, source_id: str) -> dict[str, Any]:
        for src in self.sources:
            if src["id"] == source_id:
                return src
        known = ", ".join(s["id"] for s in self.sources)
        raise ProtocolError(f"{self.path}: no source with id {source_id!r} (sources: {known})")

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return list(self.data["criteria"])

    @property
    def criteria_codes(self) -> list[str]:
        return [c["code"] for c in self.criteria]

    @property
    def coding_fields(self) -> list[dict[str, Any]]:
        return list(self.data["coding"]["fields"])

    @property
    def themes(self) -> list[dict[str, Any]]:
        return list(self.data["synthesis"]["themes"])

    @property
    def contact_email(self) -> str:
        return str(self.data.get("contact_email", ""))

    def coding_field(self, name: str) -> dict[str, Any] | None:
        """The coding field called ``name`` (``None`` when the schema has none)."""
        return next((f for f in self.coding_fields if f["name"] == name), None)

    def field_label(self, name: str) -> str:
        """A coding field's name in the report: its ``label``, else its name as words."""
        fdef = self.coding_field(name) or {}
        return str(fdef.get("label") or name.replace("_", " ").capitalize())

    def value_label(self, name: str, value: str) -> str:
        """A value of a coding field in words: the field's ``value_labels``, a theme's label for
        the theme field, else the id with spaces for underscores."""
        fdef = self.coding_field(name) or {}
        labels = fdef.get("value_labels") or {}
        if value in labels:
            return str(labels[value])
        if name and name == self.data["synthesis"].get("theme_field"):
            theme = next((t for t in self.themes if t["id"] == value), None)
            if theme is not None:
                return str(theme["label"])
        return value.replace("_", " ").strip()

    @property
    def outcome_domains(self) -> list[dict[str, Any]]:
        return list((self.data["coding"].get("outcome_domains")) or [])

    def domain_label(self, domain: str) -> str:
        found = next((d for d in self.outcome_domains if d["id"] == domain), {})
        return str(found.get("label") or domain.replace("_", " ").capitalize())

    @property
    def fulltext(self) -> dict[str, Any]:
        """The ``fulltext`` block (empty when the protocol does not use the full-text stage)."""
        return dict(self.data.get("fulltext") or {})

    @property
    def assessment_basis(self) -> str | None:
        """``full_text`` or ``record_and_summary``; ``None`` when the protocol declares none
        (no ``fulltext`` block and no criterion that needs the full text)."""
        if "fulltext" not in self.data and not self.needs_full_text:
            return None
        return str(self.fulltext.get("assessment_basis", "full_text"))

    @property
    def needs_full_text(self) -> list[str]:
        """Codes of the criteria that can only be judged on the full text."""
        return [c["code"] for c in self.criteria if c.get("needs_full_text")]

    @property
    def retired_criteria(self) -> dict[str, str]:
        """Code -> why it is retired, for criteria kept only so old decisions stay readable."""
        return {c["code"]: str(c["retired"]) for c in self.criteria if c.get("retired")}

    @property
    def definitions(self) -> list[dict[str, Any]]:
        """Operational definitions (``id``, ``term``, ``text``, optional ``criteria`` codes)."""
        return list(self.data.get("definitions") or [])


def read_protocol_data(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """The protocol file's mapping (not yet validated) and its bytes; unreadable -> error."""
    path = Path(path)
    if not path.is_file():
        raise ProtocolError(f"{path}: protocol file not found")
    raw = path.read_bytes()
    try:
        data = yamlload.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProtocolError(f"{path}{where}: invalid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{path}: expected a mapping of keys (title, sources, ...) at the top")
    return data, raw


def project_root_of(path: Path) -> Path:
    """The project folder of a protocol file: the parent of its ``config/`` folder (else cwd)."""
    parent = path.resolve().parent
    return parent.parent if parent.name == "config" else Path.cwd()


def load_protocol(path: str | Path = DEFAULT_PROTOCOL) -> Protocol:
    """Read, validate and return the protocol at ``path``."""
    import hashlib

    path = Path(path)
    data, raw = read_protocol_data(path)
    root = project_root_of(path)
    validate(data, schema=protocol_schema(), where=str(path))
    # The appraisal tool is data too: the protocol checks read it (with the tool's own schema),
    # so a wrong tool, category or field stops the run here, by name.
    _check_references(data, path, root)
    return Protocol(
        data=copy.deepcopy(data), path=path, sha256=hashlib.sha256(raw).hexdigest(), root=root
    )


def _check_references(data: dict[str, Any], path: Path, root: Path) -> None:
    """Cross-field rules JSON Schema cannot say (unique ids and codes, fields and themes that
    exist, ...): every ``scope="protocol"`` check of :mod:`review.checks`, all problems at once."""
    from review.checks import context_for, run_checks

    problems = run_checks(context_for(data, path, root=root), scopes=("protocol",))
    if problems:
        raise ProtocolError(_listed(problems))


def field_values(field_def: dict[str, Any]) -> list[str]:
    """Allowed values of a choice field, whether given as a list or a keyword mapping."""
    values = field_def.get("values") or []
    return list(values.keys()) if isinstance(values, dict) else list(values)


def field_keywords(field_def: dict[str, Any]) -> dict[str, list[str]]:
    values = field_def.get("values") or {}
    return {k: list(v) for k, v in values.items()} if isinstance(values, dict) else {}


def grouping_fields(synthesis: dict[str, Any]) -> list[str]:
    """The coding fields of ``synthesis.grouping.by`` (``theme_field``/``design_field`` name the
    synthesis keys), else the theme field alone: the first gives the synthesis groups."""
    by = (synthesis.get("grouping") or {}).get("by") or ["theme_field"]
    out = []
    for entry in by:
        name = synthesis.get(entry, "") if entry in ("theme_field", "design_field") else entry
        if name:
            out.append(str(name))
    return out

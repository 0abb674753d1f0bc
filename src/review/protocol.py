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

import jsonschema
import yaml

from review.errors import ProtocolError, ReviewError

DEFAULT_PROTOCOL = Path("config/protocol.yaml")


@functools.cache
def protocol_schema() -> dict[str, Any]:
    """The protocol's JSON Schema, shipped inside the package (``review/schemas/``)."""
    text = resources.files("review").joinpath("schemas", "protocol.schema.yaml").read_text("utf-8")
    schema: dict[str, Any] = yaml.safe_load(text)
    return schema


def _key_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(
    data: Any,
    *,
    schema: dict[str, Any],
    where: str = "protocol",
    error: type[ReviewError] = ProtocolError,
) -> None:
    """Raise ``error`` (:class:`ProtocolError`) naming the key and the expectation of the first
    problems (a decision file checked by a schema raises a DecisionError)."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.path)))
    if not errors:
        return
    messages = []
    for err in errors[:5]:
        best = jsonschema.exceptions.best_match([err])
        key = _key_path(best.absolute_path)
        messages.append(f"{where}: {key}: {best.message}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    raise error("; ".join(messages) + more)


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


def load_protocol(path: str | Path = DEFAULT_PROTOCOL) -> Protocol:
    """Read, validate and return the protocol at ``path``."""
    import hashlib

    path = Path(path)
    if not path.is_file():
        raise ProtocolError(f"{path}: protocol file not found")
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProtocolError(f"{path}{where}: invalid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{path}: expected a mapping of keys (title, sources, ...) at the top")
    root = path.resolve().parent.parent if path.resolve().parent.name == "config" else Path.cwd()
    validate(data, schema=protocol_schema(), where=str(path))
    _check_references(data, path)
    protocol = Protocol(
        data=copy.deepcopy(data), path=path, sha256=hashlib.sha256(raw).hexdigest(), root=root
    )
    if data.get("appraisal"):
        # The tool is data too: a wrong tool, category or field stops the run here, by name.
        from review.appraisal.tool import appraisal_config

        appraisal_config(protocol)
    return protocol


def _check_references(data: dict[str, Any], path: Path) -> None:
    """Cross-field rules JSON Schema cannot say: unique ids and codes, themes that exist."""
    for key, items, id_key in (
        ("sources", data["sources"], "id"),
        ("criteria", data["criteria"], "code"),
        ("coding.fields", data["coding"]["fields"], "name"),
        ("research_questions", data["research_questions"], "id"),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = item[id_key]
            if value in seen:
                raise ProtocolError(f"{path}: {key}[{i}].{id_key}: {value!r} is used twice")
            seen.add(value)
    synth = data["synthesis"]
    field_names = {f["name"]: f for f in data["coding"]["fields"]}
    for key in ("theme_field", "outcome_field", "barrier_field", "design_field"):
        name = synth.get(key)
        if name and name not in field_names:
            raise ProtocolError(
                f"{path}: synthesis.{key}: {name!r} is not a coding field "
                f"(fields: {', '.join(field_names)})"
            )
    region_field = (synth.get("regions") or {}).get("field")
    if region_field and region_field not in field_names:
        raise ProtocolError(
            f"{path}: synthesis.regions.field: {region_field!r} is not a coding field "
            f"(fields: {', '.join(field_names)})"
        )
    domains = [d["id"] for d in data["coding"].get("outcome_domains") or []]
    for i, domain in enumerate(domains):
        if domain in domains[:i]:
            raise ProtocolError(f"{path}: coding.outcome_domains[{i}].id: {domain!r} is used twice")
    _check_evidence_references(data, path, field_names)
    theme_field = synth.get("theme_field")
    if theme_field:
        allowed = field_names[theme_field].get("values") or []
        for i, theme in enumerate(synth["themes"]):
            if theme["id"] not in allowed:
                raise ProtocolError(
                    f"{path}: synthesis.themes[{i}].id: {theme['id']!r} is not a value of coding "
                    f"field {theme_field!r} (values: {', '.join(allowed)})"
                )


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


def _check_evidence_references(
    data: dict[str, Any], path: Path, field_names: dict[str, dict[str, Any]]
) -> None:
    """Every coding field, outcome domain and value the evidence keys name exists."""
    synth = data["synthesis"]

    def need_field(key: str, name: str) -> dict[str, Any]:
        if name not in field_names:
            raise ProtocolError(
                f"{path}: {key}: {name!r} is not a coding field (fields: {', '.join(field_names)})"
            )
        return field_names[name]

    for i, entry in enumerate((synth.get("grouping") or {}).get("by") or []):
        if entry in ("theme_field", "design_field"):
            if not synth.get(entry):
                raise ProtocolError(
                    f"{path}: synthesis.grouping.by[{i}]: {entry!r} names synthesis.{entry}, "
                    "which the protocol does not set"
                )
            continue
        need_field(f"synthesis.grouping.by[{i}]", entry)
    for key in ("characteristics", "heterogeneity_by"):
        for i, name in enumerate(synth.get(key) or []):
            need_field(f"synthesis.{key}[{i}]", name)
    for i, analysis in enumerate(synth.get("sensitivity") or []):
        name = (analysis.get("exclude") or {}).get("field")
        if name:
            need_field(f"synthesis.sensitivity[{i}].exclude.field", name)
    domains = [d["id"] for d in data["coding"].get("outcome_domains") or []]
    appraisal = data.get("appraisal") or {}
    if appraisal.get("category_field"):
        need_field("appraisal.category_field", appraisal["category_field"])
    for i, item in enumerate((data.get("based_on") or {}).get("conclusions") or []):
        tests = item.get("tests") or {}
        key = f"based_on.conclusions[{i}].tests"
        for sub, field_key in (("themes", "theme_field"), ("designs", "design_field")):
            if tests.get(sub) and not synth.get(field_key):
                raise ProtocolError(
                    f"{path}: {key}.{sub}: needs synthesis.{field_key}, which is not set"
                )
            if tests.get(sub):
                allowed = field_values(field_names[synth[field_key]])
                for value in tests[sub]:
                    if allowed and value not in allowed:
                        raise ProtocolError(
                            f"{path}: {key}.{sub}: {value!r} is not a value of coding field "
                            f"{synth[field_key]!r} (values: {', '.join(allowed)})"
                        )
        for domain in tests.get("domains") or []:
            if domain not in domains:
                raise ProtocolError(
                    f"{path}: {key}.domains: {domain!r} is not an outcome domain "
                    f"(coding.outcome_domains: {', '.join(domains) or 'none'})"
                )
        if tests.get("field"):
            allowed = field_values(need_field(f"{key}.field", tests["field"]))
            for value in tests.get("values") or []:
                if allowed and value not in allowed:
                    raise ProtocolError(
                        f"{path}: {key}.values: {value!r} is not a value of coding field "
                        f"{tests['field']!r} (values: {', '.join(allowed)})"
                    )

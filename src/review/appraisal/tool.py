"""An appraisal tool as data, and the protocol's ``appraisal`` settings.

A tool (risk of bias / quality) is a YAML file checked against
``review/schemas/appraisal_tool.schema.yaml``: its categories (by study design), the items of
each, the answers allowed and the overall levels. The Mixed Methods Appraisal Tool 2018 ships
as ``mmat-2018`` (``review/appraisal_tools/``); a protocol names a built-in id or a path to its
own file (a JBI-style or custom checklist), so a new tool is a data file, never code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from review import yamlload
from review.errors import ProtocolError
from review.protocol import Protocol, validate

#: The item id of an appraiser's overall judgement (its answer is an overall level).
OVERALL = "overall"
#: How disagreements between coders or appraisers are settled (the protocol states which).
RULES = ("adjudication", "primary_coder")
COUNTS = ("yes", "no", "cant_tell", "not_applicable")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    category: str  # "" for a screening item
    guidance: str = ""


@dataclass(frozen=True)
class Component:
    label: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    items: tuple[Item, ...]
    description: str = ""
    components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class Choice:
    """An answer (with what it counts as) or an overall level."""

    id: str
    label: str
    counts_as: str = ""
    description: str = ""


@dataclass(frozen=True)
class AppraisalTool:
    """A validated tool; ``source`` says where it was read from."""

    id: str
    name: str
    citation: str
    answers: tuple[Choice, ...]
    overall_levels: tuple[Choice, ...]
    categories: tuple[Category, ...]
    screening_items: tuple[Item, ...] = ()
    screening_stops: bool = False
    summary_score: bool = False
    version: str = ""
    wording: str = ""
    instructions: str = ""
    source: str = ""
    _items: dict[str, Item] = field(default_factory=dict, repr=False, compare=False)

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.answers)

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(lv.id for lv in self.overall_levels)

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    @property
    def items_by_id(self) -> dict[str, Item]:
        """Every item of the tool (screening and categories') by id."""
        if not self._items:
            for it in self.screening_items:
                self._items[it.id] = it
            for c in self.categories:
                for it in c.items:
                    self._items[it.id] = it
        return self._items

    def item(self, item_id: str) -> Item:
        return self.items_by_id[item_id]

    def counts_as(self, answer_id: str) -> str:
        return next((a.counts_as for a in self.answers if a.id == answer_id), "")

    def items_for(self, category_id: str) -> list[Item]:
        """Every item a study of ``category_id`` may be appraised on, in tool order: the
        screening items, the category's own, then those of each component's categories."""
        cat = self.category(category_id)
        out = [*self.screening_items, *cat.items]
        for comp in cat.components:
            for cid in comp.categories:
                out.extend(self.category(cid).items)
        return out


def _choices(raw: list[dict[str, Any]]) -> tuple[Choice, ...]:
    return tuple(
        Choice(
            id=str(c["id"]),
            label=str(c["label"]),
            counts_as=str(c.get("counts_as", "")),
            description=str(c.get("description", "")),
        )
        for c in raw
    )


@functools.cache
def tool_schema() -> dict[str, Any]:
    text = resources.files("review").joinpath("schemas", "appraisal_tool.schema.yaml")
    schema: dict[str, Any] = yamlload.safe_load(text.read_text("utf-8"))
    return schema


def builtin_tools() -> list[str]:
    """The ids of the tools shipped with the package."""
    folder = resources.files("review").joinpath("appraisal_tools")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def parse_tool(data: Any, *, where: str) -> AppraisalTool:
    """Check ``data`` against the tool schema and the rules a schema cannot say."""
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected a mapping (id, name, answers, categories, ...)")
    validate(data, schema=tool_schema(), where=where)
    problems: list[str] = []

    def unique(key: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, value in enumerate(ids):
            if value in seen:
                problems.append(f"{where}: {key}[{i}].id: {value!r} is used twice")
            seen.add(value)

    unique("answers", [a["id"] for a in data["answers"]])
    unique("overall_levels", [lv["id"] for lv in data["overall_levels"]])
    unique("categories", [c["id"] for c in data["categories"]])
    item_ids = [it["id"] for it in data.get("screening_items") or []]
    item_ids += [it["id"] for c in data["categories"] for it in c["items"]]
    unique("items", item_ids)
    if OVERALL in item_ids:
        problems.append(f"{where}: item id {OVERALL!r} is reserved for the overall judgement")
    known = {c["id"] for c in data["categories"]}
    for i, c in enumerate(data["categories"]):
        for j, comp in enumerate(c.get("components") or []):
            for cid in comp["categories"]:
                if cid not in known or cid == c["id"]:
                    problems.append(
                        f"{where}: categories[{i}].components[{j}].categories: {cid!r} is not "
                        f"another category of the tool ({', '.join(sorted(known - {c['id']}))})"
                    )
    if data.get("screening_stops") and not any(a["counts_as"] == "yes" for a in data["answers"]):
        problems.append(f"{where}: screening_stops needs an answer that counts as yes")
    if problems:
        raise ProtocolError("; ".join(problems))
    return AppraisalTool(
        id=str(data["id"]),
        name=str(data["name"]),
        citation=" ".join(str(data["citation"]).split()),
        answers=_choices(data["answers"]),
        overall_levels=_choices(data["overall_levels"]),
        screening_items=tuple(
            Item(str(it["id"]), str(it["text"]), "", str(it.get("guidance", "")))
            for it in data.get("screening_items") or []
        ),
        screening_stops=bool(data.get("screening_stops", False)),
        summary_score=bool(data["summary_score"]),
        categories=tuple(
            Category(
                id=str(c["id"]),
                label=str(c["label"]),
                description=str(c.get("description", "")),
                items=tuple(
                    Item(str(it["id"]), str(it["text"]), str(c["id"]), str(it.get("guidance", "")))
                    for it in c["items"]
                ),
                components=tuple(
                    Component(str(comp["label"]), tuple(str(x) for x in comp["categories"]))
                    for comp in c.get("components") or []
                ),
            )
            for c in data["categories"]
        ),
        version=str(data.get("version", "")),
        wording=str(data.get("wording", "")),
        instructions=" ".join(str(data.get("instructions", "")).split()),
        source=where,
    )


def load_tool(name: str, *, root: Path | None = None) -> AppraisalTool:
    """A built-in tool by id, or a tool file (a path, relative to ``root``)."""
    builtin = resources.files("review").joinpath("appraisal_tools", f"{name}.yaml")
    if "/" not in name and not name.endswith((".yaml", ".yml")) and builtin.is_file():
        where = f"built-in appraisal tool {name}"
        return parse_tool(yamlload.safe_load(builtin.read_text("utf-8")), where=where)
    path = Path(name)
    if root is not None and not path.is_absolute():
        path = root / path
    if not path.is_file():
        raise ProtocolError(
            f"appraisal.tool: {name!r} is neither a built-in tool ({', '.join(builtin_tools())}) "
            f"nor a file ({path} not found)"
        )
    try:
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"{path}: not a readable YAML appraisal tool ({exc})") from exc
    return parse_tool(data, where=str(path))


@dataclass(frozen=True)
class AppraisalConfig:
    """The protocol's ``appraisal`` key, checked against its tool and coding fields."""

    tool: AppraisalTool
    category_field: str = ""
    category_map: Mapping[str, str] = field(default_factory=dict)
    appraisers_per_study: int = 2
    disagreement_rule: str = "adjudication"

    def suggested_category(self, value: str) -> str:
        """The tool category a coded design value suggests (``""`` when the map has none)."""
        return self.category_map.get(value, "")


def appraisal_config(protocol: Protocol) -> AppraisalConfig | None:
    """The protocol's appraisal settings, or ``None`` when it declares no appraisal.

    The settings were checked when the protocol was loaded (the registered check
    ``appraisal_references`` of :mod:`review.checks.evidence_refs`: the tool, the category field
    and every category the map names), so here they are only read.
    """
    raw = protocol.data.get("appraisal")
    if not raw:
        return None
    tool = load_tool(str(raw["tool"]), root=protocol.root)
    mapping = {str(k): str(v) for k, v in (raw.get("category_map") or {}).items()}
    return AppraisalConfig(
        tool=tool,
        category_field=str(raw.get("category_field", "")),
        category_map=mapping,
        appraisers_per_study=int(raw.get("appraisers_per_study", 2)),
        disagreement_rule=str(raw.get("disagreement_rule", "adjudication")),
    )

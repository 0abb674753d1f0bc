"""``review check``: every mistake of a review project, found before any rule runs, all at once.

A new user's protocol is written by hand, and so are the decision files; a run that stops at the
first problem, deep inside a rule, makes them fix one mistake per run. Here every check runs and
each problem comes back with its file, its key (or row and column) and what to do about it.

The checks are a registry of small functions, one per cross-reference, in the modules of this
package (each module is imported when the registry is first used, so a new module needs no edit
elsewhere)::

    from review.checks import Context, Problem, check

    @check(scope="protocol")
    def appraisal_category_field(ctx: Context) -> Iterator[Problem]:
        '''appraisal.category_field is a coding field'''
        name = ctx.get("appraisal", "category_field")
        if name and name not in ctx.fields:
            yield ctx.problem("appraisal.category_field", f"{name!r} is not a coding field",
                              fix=ctx.did_you_mean(name, ctx.fields))

``scope="protocol"`` checks read the protocol only; they also run whenever the protocol is
loaded (:func:`review.protocol.load_protocol`), so no rule ever starts on a protocol that fails
one. ``scope="project"`` checks read files of the project (exports, decision files) and run in
``review check`` (and so before ``review run``). A check skips itself when its key is absent:
every key beyond the schema's required ones is optional. Checks see the protocol as parsed,
even when it does not match the schema (the schema's problems are reported too); the helpers
of :class:`Context` return empty values for keys of the wrong type, so a check needs no guard.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCOPES = ("protocol", "project")


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is (file, then key path or row and column), what, and the fix."""

    file: str
    where: str
    message: str
    fix: str = ""
    check: str = ""

    def __str__(self) -> str:
        head = f"{self.file}: {self.where}: " if self.where else f"{self.file}: "
        return head + self.message + (f" — fix: {self.fix}" if self.fix else "")


@dataclass
class Context:
    """What the checks look at: the project folder and its protocol as parsed (maybe invalid)."""

    root: Path
    protocol_path: Path
    data: dict[str, Any]
    #: The schema's own problems were reported: a check may meet keys of the wrong shape.
    schema_problems: int = 0
    #: What a check computed once for the others (e.g. the appraisal tool it read).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---- reading the protocol safely --------------------------------------------------------
    def get(self, *keys: str | int, default: Any = None) -> Any:
        """The value at ``keys`` (``ctx.get("synthesis", "theme_field")``), or ``default`` when
        a key is absent or a container on the way has the wrong type."""
        node: Any = self.data
        for key in keys:
            if isinstance(key, int) and isinstance(node, list) and -len(node) <= key < len(node):
                node = node[key]
            elif isinstance(key, str) and isinstance(node, dict) and key in node:
                node = node[key]
            else:
                return default
        return node

    def items(self, *keys: str) -> list[tuple[int, dict[str, Any]]]:
        """``(index, item)`` of the mappings in the list at ``keys`` (others are skipped)."""
        value = self.get(*keys)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        """Coding fields by name."""
        return {
            str(f["name"]): f
            for _i, f in self.items("coding", "fields")
            if isinstance(f.get("name"), str)
        }

    def field_values(self, name: str) -> list[str] | None:
        """Allowed values of coding field ``name`` (``None``: free text or no such field)."""
        fdef = self.fields.get(name)
        if fdef is None:
            return None
        if fdef.get("type") == "yes_no":
            return ["yes", "no"]
        values = fdef.get("values")
        if isinstance(values, dict):
            return [str(v) for v in values]
        if isinstance(values, list):
            return [str(v) for v in values]
        return None

    @property
    def criteria_codes(self) -> list[str]:
        return [str(c.get("code")) for _i, c in self.items("criteria") if c.get("code")]

    @property
    def reviewer_ids(self) -> list[str] | None:
        """Declared reviewer ids, or ``None`` when the protocol has no ``reviewers`` key."""
        if "reviewers" not in self.data:
            return None
        return [str(r.get("id")) for _i, r in self.items("reviewers") if r.get("id")]

    @property
    def domain_ids(self) -> list[str] | None:
        """Outcome domain ids, or ``None`` when the protocol defines no outcome domains."""
        if self.get("coding", "outcome_domains") is None:
            return None
        return [
            str(d.get("id")) for _i, d in self.items("coding", "outcome_domains") if d.get("id")
        ]

    # ---- project files ------------------------------------------------------------------------
    def path(self, relative: str | Path) -> Path:
        """A project path (absolute paths stay as they are)."""
        return self.root / relative

    def relative(self, path: Path) -> str:
        """How a problem names a file: relative to the project when it is inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    # ---- reporting ----------------------------------------------------------------------------
    def problem(self, where: str, message: str, *, fix: str = "") -> Problem:
        """A problem of the protocol file at key path ``where``."""
        return Problem(self.relative(self.protocol_path), where, message, fix)

    def file_problem(self, path: Path, where: str, message: str, *, fix: str = "") -> Problem:
        return Problem(self.relative(path), where, message, fix)

    @staticmethod
    def did_you_mean(value: object, choices: Iterable[object], *, what: str = "") -> str:
        """ "use one of a, b, c (did you mean 'b'?)": the fix for a name that is not known."""
        names = [str(c) for c in choices]
        close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
        listed = ", ".join(names) if names else "(none declared)"
        lead = f"use one of {what + ': ' if what else ''}{listed}"
        return lead + (f" (did you mean {close[0]!r}?)" if close else "")


Check = Callable[[Context], Iterable[Problem]]


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    func: Check
    scope: str
    doc: str


_REGISTRY: dict[str, Registered] = {}
_LOADED = False


def check(*, scope: str = "protocol", name: str | None = None) -> Callable[[Check], Check]:
    """Register a check (its docstring's first line says what it checks, for ``--list``)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")

    def register(func: Check) -> Check:
        key = name or func.__name__
        if key in _REGISTRY and _REGISTRY[key].func is not func:
            raise ValueError(f"check {key!r} is registered twice")
        doc = " ".join((func.__doc__ or key).strip().split("\n\n")[0].split())
        _REGISTRY[key] = Registered(key, func, scope, doc)
        return func

    return register


def registry() -> list[Registered]:
    """Every check, the modules of this package imported first (in name order)."""
    global _LOADED
    if not _LOADED:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED = True
    return list(_REGISTRY.values())


def run_checks(ctx: Context, *, scopes: Iterable[str] = SCOPES) -> list[Problem]:
    """Every problem the registered checks of ``scopes`` find, in registry order.

    A check that trips over a key of the wrong shape is skipped when the schema already
    reported problems (the user fixes those first); otherwise the error is a bug and propagates.
    """
    wanted = set(scopes)
    found: list[Problem] = []
    for entry in registry():
        if entry.scope not in wanted:
            continue
        try:
            problems = list(entry.func(ctx))
        except (KeyError, TypeError, AttributeError, ValueError):
            if ctx.schema_problems:
                continue
            raise
        found.extend(
            Problem(p.file, p.where, p.message, p.fix, p.check or entry.name) for p in problems
        )
    return found


def context_for(
    data: Mapping[str, Any],
    protocol_path: Path,
    *,
    root: Path | None = None,
    schema_problems: int = 0,
) -> Context:
    """A context for ``data`` read from ``protocol_path`` (root: the project folder)."""
    if root is None:
        from review.protocol import project_root_of

        root = project_root_of(protocol_path)
    return Context(
        root=root, protocol_path=protocol_path, data=dict(data), schema_problems=schema_problems
    )


def iter_registered(scope: str | None = None) -> Iterator[Registered]:
    for entry in registry():
        if scope is None or entry.scope == scope:
            yield entry


def check_project(
    protocol_path: Path, *, root: Path | None = None, scopes: Iterable[str] = SCOPES
) -> list[Problem]:
    """Every problem of the project: the protocol file (readable, its schema), then every
    registered check of ``scopes``."""
    from review.checks.schema import schema_problems
    from review.errors import ProtocolError
    from review.protocol import protocol_schema, read_protocol_data

    try:
        data, _raw = read_protocol_data(protocol_path)
    except ProtocolError as exc:
        return [
            Problem(str(protocol_path), "", str(exc).split(": ", 1)[-1], _read_fix(exc), "read")
        ]
    ctx = context_for(data, protocol_path, root=root)
    found = schema_problems(data, protocol_schema(), file=ctx.relative(protocol_path))
    ctx.schema_problems = len(found)
    problems = found + run_checks(ctx, scopes=scopes)
    # The protocol's problems first (in the order of its keys' checks), then each file's.
    own = ctx.relative(protocol_path)
    return sorted(problems, key=lambda p: (p.file != own, "" if p.file == own else p.file))


def _read_fix(exc: Exception) -> str:
    text = str(exc)
    if "not found" in text:
        return "run `review init DIR` to start a review, or pass --protocol PATH"
    if "invalid YAML" in text:
        return "correct the YAML at the line and column named (indentation, a missing quote)"
    return ""

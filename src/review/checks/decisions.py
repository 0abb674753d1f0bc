"""The humans' decision files against the protocol: every row of every ledger and coding file,
and every person they name.

The files are read by the same validators the rules use (:mod:`review.screening.ledger`,
:mod:`review.extraction.validate`), so a problem found here is exactly the one the rule would
stop on, only found for every file in one run instead of one file per run. Study ids are not
checked here: they belong to a deduplication that has not run yet (carry-forward re-attaches
them, and lists those it cannot).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from review.checks import Context, Problem, check
from review.errors import ReviewError

DECISIONS = Path("data/decisions")
SCREENING = DECISIONS / "screening"
CODING = DECISIONS / "coding"
APPRAISAL = DECISIONS / "appraisal"


def _problems_of(ctx: Context, path: Path, error: ReviewError) -> Iterator[Problem]:
    """One problem per line of a validator's message ("file, row 3, field 'x': ...")."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    detail = [ln for ln in lines[1:] if not ln.startswith("(and ")] or lines
    for line in detail:
        text = line
        for prefix in (f"{path}, ", f"{path}: ", str(path)):
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        where, _sep, message = text.partition(": ")
        if not message:
            where, message = "", text
        yield ctx.file_problem(path, where, message, fix="correct the row (or column) named")


@check(scope="project")
def screening_ledgers(ctx: Context) -> Iterator[Problem]:
    """every ledger row has a decision, a criterion code of its stage and a UTC timestamp"""
    from review.names import decision_files
    from review.screening.ledger import read_ledger_file, stage_reasons
    from review.states import STAGES

    folder = ctx.path(SCREENING)
    if not folder.is_dir():
        return
    criteria = [c for _i, c in ctx.items("criteria")]
    stages = ctx.get("screening", "stages")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if sub.name not in STAGES:
            yield ctx.file_problem(
                sub,
                "",
                f"{sub.name!r} is not a screening stage: its ledgers are never read",
                fix=ctx.did_you_mean(sub.name, STAGES, what="stage folders"),
            )
            continue
        # as the rule lists them; a name that cannot be an id is decision_file_names' problem
        files = decision_files(sub, suffixes=(".csv",), recursive=False, skip_unsafe=True)
        if files and isinstance(stages, list) and sub.name not in stages:
            yield ctx.file_problem(
                sub,
                "",
                f"holds decisions of stage {sub.name!r}, which screening.stages does not run",
                fix=f"add {sub.name} to screening.stages in the protocol",
            )
        reasons = stage_reasons(criteria, sub.name)
        for path in files:
            try:
                read_ledger_file(path, stage=sub.name, reasons=reasons)
            except ReviewError as exc:
                yield from _problems_of(ctx, path, exc)


@check(scope="project")
def coding_files(ctx: Context) -> Iterator[Problem]:
    """every coder's file has known columns and allowed values"""
    from review.decisions import person_files
    from review.extraction.fields import all_fields
    from review.extraction.validate import Problems, read_coder_file
    from review.protocol import Protocol
    from review.setaside import set_aside_at

    # A file whose name cannot be a coder's id is reported by decision_file_names.
    files = person_files(ctx.path(CODING), skip_unsafe=True)
    if not files or ctx.schema_problems:
        return  # the fields themselves are in doubt until the schema's problems are fixed
    protocol = Protocol(data=ctx.data, path=ctx.protocol_path, root=ctx.root)
    # As the rule reads them: the outcome-domain columns too, and a set-aside coder's older
    # file without the fields added since (review.extraction.read_coding).
    fields = all_fields(protocol)
    aside = set_aside_at(protocol, "coding")
    for path in files:
        found = Problems()
        try:
            read_coder_file(path, fields, found, set_aside=path.stem in aside)
        except ReviewError as exc:
            yield from _problems_of(ctx, path, exc)
            continue
        for message in found.messages:
            text = message[len(str(path)) + 2 :] if message.startswith(str(path)) else message
            where, _sep, what = text.partition(": ")
            yield ctx.file_problem(path, where, what or text, fix="correct the cell named")


def used_names(ctx: Context) -> list[tuple[str, Path, str]]:
    """``(name, file, where)`` for every person a decision file names: the ledger, coding and
    appraisal files' own names and the resolvers of ``_resolutions.csv`` files (files whose
    names are not safe are left to :func:`decision_file_names`)."""
    from review.names import candidate_files, file_name_problem
    from review.tables import contract, read_cells

    out: list[tuple[str, Path, str]] = []
    for folder in (
        *sorted(p for p in ctx.path(SCREENING).glob("*") if p.is_dir()),
        ctx.path(CODING),
        ctx.path(APPRAISAL),
    ):
        for path in candidate_files(folder, recursive=False):
            if not path.name.startswith("_"):
                if file_name_problem(path) is None:
                    out.append((path.stem, path, "file name"))
                continue
            if path.name != "_resolutions.csv" or folder.parent != ctx.path(SCREENING):
                continue
            try:
                _header, rows = read_cells(path, contract("screening_resolutions"))
            except ReviewError:
                continue  # reported by screening_ledgers
            for n, row in rows:
                name = str(row.get("resolver") or "").strip()
                if name:
                    out.append((name, path, f"row {n}, field 'resolver'"))
    return out


@check(scope="project")
def decision_file_names(ctx: Context) -> Iterator[Problem]:
    """every file in data/decisions has a name that can be a person's id (the workflow's own
    name check, review.names)"""
    from review.names import DECISION_SUFFIXES, UnsafeNameError, candidate_files, safe_file_name

    for path in candidate_files(ctx.path(DECISIONS), suffixes=DECISION_SUFFIXES):
        try:
            safe_file_name(path)
        except UnsafeNameError as exc:
            yield ctx.file_problem(
                path,
                "file name",
                str(exc).removeprefix(f"{path}: "),
                fix="rename the file: letters, digits, '.', '_' or '-' (no spaces, brackets, "
                "path separators or '..')",
            )


def _registry(ctx: Context) -> tuple[list[str], list[Problem]]:
    """The ids of the reviewer registry (people added knowingly beside the protocol's list),
    and its problems."""
    from review.names import REGISTRY
    from review.tables import read_numbered

    path = ctx.path(REGISTRY.file)
    if not path.is_file():
        return [], []
    try:
        return [str(row["id"]) for _n, row in read_numbered(path, REGISTRY)], []
    except ReviewError as exc:
        return [], list(_problems_of(ctx, path, exc))


@check(scope="project")
def declared_names(ctx: Context) -> Iterator[Problem]:
    """every reviewer, coder and appraiser a decision file names is declared: in the protocol's
    reviewers, or added knowingly to data/decisions/reviewers.csv"""
    from review.names import REGISTRY, name_problem

    added, problems = _registry(ctx)
    yield from problems
    in_protocol = ctx.reviewer_ids
    declared = None if in_protocol is None and not added else [*(in_protocol or []), *added]
    reported: set[str] = set()
    for name, path, where in used_names(ctx):
        problem = name_problem(name)
        if problem is not None:
            yield ctx.file_problem(path, where, f"{name!r} is not a usable name", fix=problem)
            continue
        if (declared is not None and name in declared) or name in reported:
            continue
        reported.add(name)
        add = f"`review reviewers add {name}` (it records the name in {REGISTRY.file})"
        if declared is None:
            yield ctx.file_problem(
                path,
                where,
                f"names {name!r}, but the protocol declares no reviewers",
                fix=f"add to the protocol: reviewers: [{{id: {name}, name: …}}], or run {add}",
            )
        else:
            yield ctx.file_problem(
                path,
                where,
                f"{name!r} is not a reviewer declared in the protocol or the registry",
                fix=ctx.did_you_mean(name, declared, what="reviewers")
                + f"; or declare {name!r} under reviewers, or run {add}",
            )

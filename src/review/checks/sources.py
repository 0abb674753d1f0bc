"""Every file a protocol source names exists, holds something, and is a format the importers read.

Found here, a missing export stops ``review run -n`` (a dry run) as well as a real run, before
Snakemake builds its plan; the rule itself would only fail minutes later.
"""

from __future__ import annotations

from collections.abc import Iterator

from review.checks import Context, Problem, check
from review.errors import InputFormatError, ReviewError

#: Kinds of source that read files at ``path`` (a database source reads its runs in data/raw).
FILE_KINDS = ("file", "websites")


@check(scope="project")
def source_files(ctx: Context) -> Iterator[Problem]:
    """every file or folder a source names exists, is not empty, and is a readable format"""
    from review.importers import CORPUS_FORMAT, detect_format

    for i, source in ctx.items("sources"):
        path = source.get("path")
        if source.get("kind") not in FILE_KINDS and not path:
            continue
        where = f"sources[{i}].path"
        if not isinstance(path, str) or not path:
            continue  # the schema says a file source needs a path
        full = ctx.path(path)
        if not full.exists():
            parent = full.parent
            near = (
                sorted(p.name for p in parent.iterdir() if not p.name.startswith("."))
                if parent.is_dir()
                else []
            )
            record = f"`review import-run {source.get('id')} FILE`"
            fix = f"record an export there ({record}), or correct the path" + (
                f"; {ctx.did_you_mean(full.name, near, what='files there')}" if near else ""
            )
            yield ctx.problem(where, f"{path} does not exist", fix=fix)
            continue
        files = (
            sorted(p for p in full.rglob("*") if p.is_file() and not p.name.startswith("."))
            if full.is_dir()
            else [full]
        )
        files = [p for p in files if p.name != "manifest.json"]
        if not files:
            if not source.get("may_be_empty"):
                yield ctx.problem(
                    where,
                    f"{path} is an empty folder",
                    fix=f"record an export there (`review import-run {source.get('id')} FILE`), "
                    "or add 'may_be_empty: true' if the search really found nothing",
                )
            continue
        fmt = source.get("format", "auto")
        if fmt not in ("auto", None) or fmt == CORPUS_FORMAT:
            continue  # a declared format is checked by its reader, which names the line
        for file in files:
            try:
                detect_format(file)
            except InputFormatError as exc:
                yield ctx.file_problem(
                    file,
                    "",
                    str(exc).split(": ", 1)[-1],
                    fix=f"give sources[{i}].format, or export the file in a supported format",
                )


@check(scope="project")
def raw_files_recorded(ctx: Context) -> Iterator[Problem]:
    """every committed raw file a source reads is recorded in its run's manifest, unchanged"""
    from review.integrity import check_raw_files
    from review.protocol import Protocol

    if ctx.schema_problems:
        return  # the sources themselves are in doubt until the schema's problems are fixed
    protocol = Protocol(data=ctx.data, path=ctx.protocol_path, root=ctx.root)
    try:
        check_raw_files(protocol, root=ctx.root)
    except ReviewError as exc:
        for line in str(exc).splitlines()[1:]:
            text = line.strip().removeprefix("- ")
            file, _sep, message = text.partition(" ")
            fix = ""
            if "`" in message:
                message, _tick, rest = message.partition("`")
                fix = "`" + rest
                message = message.rstrip(" :;,.")
            yield ctx.file_problem(ctx.path(file), "", message, fix=fix)

"""The ``review`` command line: a thin shell over the package.

Each sub-command lives in its own module under :mod:`review.commands` and exposes
``register(subparsers)``; this module discovers them, so adding a stage never edits a shared
list.

Every command works on the project found from the current folder upwards (the nearest folder
holding ``config/protocol.yaml``, as git finds ``.git``): it runs in that folder, and paths
given on the command line still mean what they meant where the command was typed.

Exit statuses (:mod:`review.exitcodes`): 2 for a wrong command line (argparse's own, and
:class:`review.errors.UsageError`), 3 for every other expected failure
(:class:`review.errors.ReviewError`: one clear message, no traceback), 4 for partial failures
(returned by the commands themselves), 130 when interrupted; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from review import __version__, commands
from review.errors import ReviewError, UsageError
from review.exitcodes import DATA_ERROR, INTERRUPTED, USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="review",
        description="Reproducible, auditable systematic literature reviews. Run in a review "
        "project (or any folder below it); start one with `review init DIR`.",
        epilog="Exit status: 0 done, 1 a bug, 2 usage, 3 a problem in the protocol or the "
        "data (the message says where), 4 partial (some work done and kept), 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                out.extend(_parsers(child))
    return out


def _path_actions(parser: argparse.ArgumentParser) -> tuple[argparse.Action, ...]:
    return tuple(a for p in _parsers(parser) for a in p._actions if a.type is Path)


@functools.cache
def _cached_parser() -> tuple[argparse.ArgumentParser, tuple[argparse.Action, ...]]:
    """The parser and its path options, built once per process.

    Building it costs ~8 ms of CPU (argparse looks up its message catalogue for every
    option); a program or a test that calls :func:`main` many times paid that on each call.
    The path options are remembered here because :func:`main` re-points their types on every
    call, by where that call was typed.
    """
    parser = build_parser()
    return parser, _path_actions(parser)


def rebase_paths(
    actions: Sequence[argparse.Action], here: Path | None = None, root: Path | None = None
) -> None:
    """Make every path option typed in ``here`` name the same file once the command runs in
    ``root`` (defaults, written relative to the project, are left alone); without ``here``,
    paths are taken as typed."""
    if here is None or root is None:
        for action in actions:
            action.type = Path
        return
    start, project = here, root

    def rebased(text: str) -> Path:
        path = Path(text)
        if path.is_absolute():
            return path
        return Path(os.path.relpath(start / path, project))

    for action in actions:
        action.type = rebased


def main(argv: Sequence[str] | None = None) -> int:
    from review.project import find_root

    here = Path.cwd()
    root = find_root(here)
    parser, path_actions = _cached_parser()
    moved = root is not None and root != here.resolve()
    if moved and root is not None:
        rebase_paths(path_actions, here.resolve(), root)
    else:
        rebase_paths(path_actions)
    args = parser.parse_args(argv)
    try:
        if moved and root is not None:
            os.chdir(root)
        result = args.func(args)
    except UsageError as exc:
        print(f"review {args.command}: error: {exc}", file=sys.stderr)
        return USAGE
    except ReviewError as exc:
        print(f"review {args.command}: error: {exc}", file=sys.stderr)
        return DATA_ERROR
    except KeyboardInterrupt:
        print(f"review {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        os.chdir(here)
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

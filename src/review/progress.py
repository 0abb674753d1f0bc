"""Progress bars for long work, one convention for every command.

A bar is tqdm's, written to standard error, and only when standard error is a terminal
(tqdm's ``disable=None``): a workflow rule's log, a pipe or a test capture gets nothing, so logs
stay readable and diffable. Short work shows no bar at all (``large``). A bar does not stay on
the screen when its work is done (``leave=False``): the command's own summary line does.
Searches keep their own bar with a line-per-page fallback for logs (:class:`review.http.Progress`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def progress(items: Sequence[T], *, desc: str, unit: str, large: int = 2) -> Iterable[T]:
    """``items``, with a bar when there are at least ``large`` of them (on a terminal)."""
    if len(items) < large:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, file=sys.stderr, disable=None, leave=False)


class _NoBar:
    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(*, total: int, desc: str, unit: str, large: int = 1) -> Any:
    """A bar to ``update(n)`` and ``close()`` for work counted in ``total`` steps (nothing when
    ``total`` is below ``large``, or off a terminal)."""
    if total < large:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=None,
        leave=False,
    )

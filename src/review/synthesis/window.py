"""The review window of this version (``synthesis.window``): e.g. a reproduction limited to
what was published up to the original review.

Studies published after ``published_until`` are left out of this version's synthesis (they
stay included in the PRISMA flow: the window is a synthesis restriction, and the report says
so); studies without a year are kept or left out as ``undated`` declares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from review.synthesis.studies import Study, year_of


@dataclass(frozen=True)
class Window:
    """What the window kept and what it left out, and why."""

    until: int | None
    undated: str
    kept: tuple[Study, ...]
    after: tuple[Study, ...]
    undated_out: tuple[Study, ...]
    undated_in: tuple[Study, ...]

    @property
    def applied(self) -> bool:
        return self.until is not None


def apply_window(studies: Sequence[Study], config: Mapping[str, Any] | None) -> Window:
    """Split ``studies`` by the window ``config`` (``None``: no window, every study kept)."""
    if not config:
        return Window(None, "include", tuple(studies), (), (), ())
    until = year_of(str(config["published_until"]))
    if until is None:
        raise ValueError(
            f"synthesis.window.published_until: {config['published_until']!r} is not a year"
        )
    undated = str(config.get("undated", "include"))
    after = tuple(s for s in studies if s.year is not None and s.year > until)
    no_year = tuple(s for s in studies if s.year is None)
    out_ids = {s.id for s in after} | ({s.id for s in no_year} if undated == "exclude" else set())
    return Window(
        until=until,
        undated=undated,
        kept=tuple(s for s in studies if s.id not in out_ids),
        after=after,
        undated_out=no_year if undated == "exclude" else (),
        undated_in=no_year if undated != "exclude" else (),
    )

"""Replay a labelled screening data set to measure how early the ranking finds relevant records.

The simulation behaves like a reviewer: it starts from one relevant and one irrelevant record
(picked at random with the seed, as ASReview's ``--n-prior-included 1 --n-prior-excluded 1``),
retrains, screens the top-ranked unscreened records, and repeats. A record's label is read from
the :class:`LabelOracle` only at the moment that record is screened, so the ranking can never see
an answer it has not "earned"; the oracle keeps a log of every read so tests can prove it.

By default the model is retrained after every single record, as ASReview does (the incremental
SVM of :mod:`review.screening.l2svm` makes that cheap). ``batch_fraction`` > 0 screens
``max(1, floor(batch_fraction * n_screened))`` records per retraining instead (faster on very
large sets, at some cost in accuracy: benchmarks/RESULTS.md).

Like ASReview's default, the simulation stops retraining once every relevant record has been
found: the oracle tells the *number* of relevant records (never which ones), and once that many
have been screened the rest are known to be irrelevant. They are appended in the last model's
order, unscreened (their labels are not read), which leaves WSS, recall@k and every stopping
rule's result exactly as if they had been screened. ``screen_all=True`` screens them anyway.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from review import atomic
from review.errors import InputFormatError
from review.screening.ranking import DEFAULT_MODEL, Ranker, record_text

#: Column aliases, checked in order after lower-casing and turning spaces/dashes into "_"
#: (ASReview's aliases plus common export names). Data, kept apart from the logic.
LABEL_COLUMNS: tuple[str, ...] = (
    "label_included",
    "included",
    "label",
    "final_included",
    "included_final",
    "included_label",
    "include",
    "inclusion",
    "relevant",
)
TITLE_COLUMNS: tuple[str, ...] = ("title", "primary_title", "article_title", "document_title", "ti")
ABSTRACT_COLUMNS: tuple[str, ...] = ("abstract", "abstract_note", "notes_abstract", "ab")
KEYWORD_COLUMNS: tuple[str, ...] = ("keywords", "author_keywords", "mesh_terms", "kw", "de")

ORDER_COLUMNS: tuple[str, ...] = ("rank", "row", "label")
_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no"}


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def find_column(columns: Sequence[str], aliases: Sequence[str]) -> str | None:
    """The first column of ``columns`` matching an alias (case/space-insensitive), else None."""
    by_key = {_key(c): c for c in reversed(list(columns))}
    for alias in aliases:
        if alias in by_key:
            return by_key[alias]
    return None


@dataclass(frozen=True)
class LabelledSet:
    """A labelled data set: the texts to rank and the 0/1 labels, row for row."""

    path: Path
    texts: list[str]
    labels: np.ndarray
    label_column: str

    @property
    def n(self) -> int:
        return len(self.texts)


def read_labelled_set(path: str | Path, *, label: str | None = None) -> LabelledSet:
    """Read a CSV/TSV/XLSX of records with a 0/1 label column, checking it thoroughly.

    Raises :class:`InputFormatError` naming the file, column and row when the label column is
    missing, a label is not 0/1, there is no title or abstract column, or the set has no
    relevant (or no irrelevant) record.
    """
    path = Path(path)
    df = _read_table(path)
    cols = [str(c) for c in df.columns]
    if label is not None:
        if label not in cols:
            raise InputFormatError(
                f"label column '{label}' not found; columns are: {', '.join(cols)}",
                path=path,
                field=label,
            )
        label_col = label
    else:
        found = find_column(cols, LABEL_COLUMNS)
        if found is None:
            raise InputFormatError(
                "no label column; expected one of "
                f"{', '.join(LABEL_COLUMNS)} (or name it with --label); "
                f"columns are: {', '.join(cols)}",
                path=path,
                field="label",
            )
        label_col = found
    title_col = find_column(cols, TITLE_COLUMNS)
    abstract_col = find_column(cols, ABSTRACT_COLUMNS)
    if title_col is None and abstract_col is None:
        raise InputFormatError(
            f"no title or abstract column; expected one of "
            f"{', '.join(TITLE_COLUMNS + ABSTRACT_COLUMNS)}",
            path=path,
            field="title",
        )
    keyword_col = find_column(cols, KEYWORD_COLUMNS)
    labels = _parse_labels(df[label_col].tolist(), path=path, column=label_col)
    if labels.sum() == 0 or labels.sum() == len(labels):
        which = "relevant (1)" if labels.sum() == 0 else "irrelevant (0)"
        raise InputFormatError(
            f"the set has no {which} record; a simulation needs at least one of each",
            path=path,
            field=label_col,
        )

    def col(name: str | None) -> list[str]:
        return df[name].tolist() if name is not None else [""] * len(df)

    texts = [
        record_text(t, a, k)
        for t, a, k in zip(col(title_col), col(abstract_col), col(keyword_col), strict=True)
    ]
    return LabelledSet(path=path, texts=texts, labels=labels, label_column=label_col)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputFormatError("file not found", path=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str).fillna("")
    else:
        sep = "\t" if suffix in (".tsv", ".tab") else ","
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputFormatError(f"not a readable CSV/TSV file: {exc}", path=path) from exc
        except pd.errors.EmptyDataError as exc:
            raise InputFormatError("the file is empty; expected a header row", path=path) from exc
    if len(df) == 0:
        raise InputFormatError("no records (only a header)", path=path)
    return df


def _parse_labels(values: Sequence[object], *, path: Path, column: str) -> np.ndarray:
    out = np.empty(len(values), dtype=np.int8)
    for i, raw in enumerate(values):
        text = str(raw).strip().lower()
        if text in _TRUE:
            out[i] = 1
        elif text in _FALSE:
            out[i] = 0
        else:
            raise InputFormatError(
                f"label {str(raw)!r} is not 0 or 1 (row {i}, 0-based; line {i + 2})",
                path=path,
                record=i,
                field=column,
            )
    return out


class LabelOracle:
    """Hands out a record's label only when asked for that record, and logs every read.

    This is the simulation's stand-in for the human reviewer. ``reads`` is the log, in order.
    """

    def __init__(self, labels: Sequence[int] | np.ndarray) -> None:
        self._labels = np.asarray(labels, dtype=np.int8)
        self.reads: list[int] = []

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def n_relevant(self) -> int:
        """How many records are relevant: a count, which reveals no record's label.

        ASReview's default simulation stops on this count too ("last relevant found").
        """
        return int(self._labels.sum())

    def reveal(self, row: int) -> int:
        """The label of ``row``, logged as read."""
        self.reads.append(int(row))
        return int(self._labels[row])

    def prior_rows(self, seed: int) -> tuple[int, int]:
        """One random relevant and one random irrelevant row (the reviewer's prior knowledge).

        This is the only place the oracle looks at labels it is not asked for, exactly as a
        simulation's "prior knowledge" does; both rows are then revealed (and logged) by the
        caller like any other screened record.
        """
        rng = np.random.default_rng(seed)
        relevant = np.flatnonzero(self._labels == 1)
        irrelevant = np.flatnonzero(self._labels == 0)
        return int(rng.choice(relevant)), int(rng.choice(irrelevant))


@dataclass
class SimulationResult:
    """The screening order and what it cost."""

    order: list[int]
    labels: list[int]
    n_total: int
    n_relevant: int
    train_seconds: list[float] = field(default_factory=list)
    #: Records actually screened; the rest of ``order`` were appended unscreened once every
    #: relevant record had been found (their labels, all 0, follow from the count).
    n_screened: int = 0

    def rows(self) -> Iterator[dict[str, int]]:
        for rank, (row, label) in enumerate(zip(self.order, self.labels, strict=True), start=1):
            yield {"rank": rank, "row": row, "label": label}


def simulate(
    texts: Sequence[str],
    oracle: LabelOracle,
    *,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    batch_fraction: float = 0.0,
    scorer: Callable[[Mapping[int, int]], np.ndarray | None] | None = None,
    screen_all: bool = False,
    progress: bool | None = None,
) -> SimulationResult:
    """Screen the set in ranked order, retraining after every record (or batch).

    ``scorer`` replaces the default :class:`Ranker` (tests use it to watch what the model sees).
    ``progress`` shows a progress bar on stderr (default: only when stderr is a terminal).
    """
    n = len(texts)
    if len(oracle) != n:
        raise ValueError(f"{len(oracle)} labels for {n} texts")
    if scorer is None:
        scorer = Ranker(texts, model=model, seed=seed).scores
    total_relevant = None if screen_all else oracle.n_relevant
    order: list[int] = []
    got: list[int] = []
    known: dict[int, int] = {}
    screened = np.zeros(n, dtype=bool)
    timings: list[float] = []
    bar = _progress_bar(n, progress)

    def screen(row: int) -> None:
        label = oracle.reveal(row)
        known[row] = label
        order.append(row)
        got.append(label)
        screened[row] = True

    for row in oracle.prior_rows(seed):
        screen(row)
    found = sum(got)
    bar.update(len(order))
    ranked = np.flatnonzero(~screened)
    while len(order) < n and found != total_relevant:
        start = time.perf_counter()
        scores = scorer(dict(known))
        timings.append(time.perf_counter() - start)
        if scores is None:  # cannot happen after the two priors, but never loop forever
            scores = np.zeros(n)
        batch = max(1, math.floor(batch_fraction * len(order)))
        pool = np.flatnonzero(~screened)
        # Highest score first; ties broken by row so that the order is deterministic.
        ranked = pool[np.lexsort((pool, -scores[pool]))]
        for row in ranked[:batch]:
            screen(int(row))
            found += got[-1]
        ranked = ranked[batch:]
        bar.update(min(batch, len(pool)))
        bar.set_postfix(relevant=found, refresh=False)
    bar.close()
    n_screened = len(order)
    # Every relevant record found: the rest, in the last ranking's order, are irrelevant.
    order.extend(int(r) for r in ranked)
    got.extend([0] * len(ranked))
    return SimulationResult(
        order=order,
        labels=got,
        n_total=n,
        n_relevant=int(sum(got)),
        train_seconds=timings,
        n_screened=n_screened,
    )


def _progress_bar(total: int, show: bool | None) -> Any:
    from tqdm import tqdm

    disable = not sys.stderr.isatty() if show is None else not show
    return tqdm(total=total, desc="screened", unit="rec", file=sys.stderr, disable=disable)


def records_to_reach(labels: Sequence[int], recall: float) -> int:
    """How many records must be screened, in this order, to reach ``recall`` (0-1)."""
    total = int(sum(labels))
    target = math.ceil(recall * total - 1e-9)
    found = np.cumsum(np.asarray(labels, dtype=int))
    return int(np.searchsorted(found, target) + 1) if target > 0 else 0


def wss(labels: Sequence[int], recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall`` (Cohen et al. 2006), as a fraction.

    ``WSS@r = (N - n_r) / N - (1 - r)`` where ``n_r`` is the number screened when ``r`` of the
    relevant records have been found; ``labels`` is the full screening order.
    """
    n = len(labels)
    return (n - records_to_reach(labels, recall)) / n - (1 - recall)


def recall_at(labels: Sequence[int], fraction: float = 0.10) -> float:
    """Share of relevant records found after screening ``ceil(fraction * N)`` records."""
    n = len(labels)
    k = math.ceil(fraction * n - 1e-9)
    return float(sum(labels[:k]) / sum(labels))


def write_order(path: str | Path, result: SimulationResult) -> None:
    """Write ``rank,row,label`` (rank from 1, row 0-based in the input) atomically."""
    atomic.write_csv(path, result.rows(), ORDER_COLUMNS)

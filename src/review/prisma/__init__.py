"""PRISMA 2020: the flow counts from the pipeline's tables, checked (:mod:`.counts`), the
PRISMA2020 R package's CSV (:mod:`.r_csv`) and the diagram (:mod:`.svg`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from review import atomic
from review.prisma.counts import (
    DBR_KINDS,
    OTHER_KINDS,
    Identification,
    PrismaCounts,
    PrismaError,
    check_counts,
    compute_counts,
    source_kind,
)
from review.prisma.r_csv import prisma_csv, prisma_data, read_prisma_csv
from review.prisma.svg import render_svg
from review.prisma.update import check_update
from review.protocol import Protocol
from review.records import Record

__all__ = [
    "DBR_KINDS",
    "OTHER_KINDS",
    "Identification",
    "PrismaCounts",
    "PrismaError",
    "check_counts",
    "compute_counts",
    "counts_of",
    "prisma_csv",
    "prisma_data",
    "read_prisma_csv",
    "render_svg",
    "source_kind",
    "write_outputs",
]


def write_outputs(c: PrismaCounts, *, svg_path: str | Path, csv_path: str | Path) -> None:
    """Check the counts, then write the diagram and the R package's CSV atomically."""
    check_counts(c)
    if c.update is not None:
        check_update(c.update)
    atomic.write_text(svg_path, render_svg(c))
    atomic.write_text(csv_path, prisma_csv(c))


def counts_of(
    protocol: Protocol,
    records: Sequence[Record],
    studies: Sequence[dict[str, str]] | None,
    screening: Sequence[dict[str, str]] | None,
) -> PrismaCounts:
    """The checked counts of the tables (``None``: that stage has not run)."""
    counts = compute_counts(
        records=records,
        studies=studies,
        screening=screening,
        sources=protocol.sources,
        criteria=protocol.criteria,
        basis=protocol.assessment_basis,
        deviation_reason=str(protocol.fulltext.get("deviation_reason", "")),
    )
    check_counts(counts)
    return counts

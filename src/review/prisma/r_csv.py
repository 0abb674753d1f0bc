"""The PRISMA2020 R package's CSV (``inst/extdata/PRISMA.csv``: long format, one row per data
item), so the diagram can also be drawn with that package or its Shiny app (Haddaway et al.
2022). Its columns are the ``prisma_csv`` contract; the data items and their boxes are the
package's, listed here as data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from review.prisma.counts import PrismaCounts
from review.tables import contract, table_text

_R_ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # data, node, box, description, boxtext
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
    ),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from each database",
        "Databases",
    ),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from each register",
        "Registers",
    ),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    (
        "organisation_results",
        "NA",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
    ),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records"),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        "Reports excluded (databases and registers)",
        "Reports excluded",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
    ),
    ("other_excluded", "node21", "box15", "Reports excluded (other)", "Reports excluded"),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
    ),
)


def _pairs(items: Iterable[tuple[str, int]]) -> str:
    return "; ".join(f"{name.replace(',', ' ').replace(';', ' ')}, {n}" for name, n in items)


def prisma_data(c: PrismaCounts) -> dict[str, str]:
    """The R package's data items; stages that have not run are ``NA``."""
    na = "NA"

    def n(value: int | None) -> str:
        return na if value is None else str(value)

    ident = c.identification
    arms = c.arms
    screened = c.screening_run

    def arm(key: str, name: str) -> str:
        return str(arms.get(key, {}).get(name, 0)) if screened else na

    def reasons(key: str) -> str:
        if not screened:
            return na
        found = c.arm_ft_reasons.get(key, [])
        # The R package fails on a single reason (its issue #70); pad as CoLRev does.
        return _pairs(found) if len(found) > 1 else _pairs([*found, ("Other", 0)])

    reports = c.included
    return {
        "previous_studies": "0",
        "previous_reports": "0",
        "database_results": str(ident.dbr_total - sum(x for _, x in ident.registers)),
        "database_specific_results": _pairs(ident.databases),
        "register_results": str(sum(x for _, x in ident.registers)),
        "register_specific_results": _pairs(ident.registers),
        "website_results": str(sum(x for _, x in ident.websites)),
        "organisation_results": str(sum(x for _, x in ident.organisations)),
        "citations_results": str(sum(x for _, x in ident.citations)),
        "duplicates": n(c.duplicates),
        "excluded_automatic": n(c.excluded_auto),
        "excluded_other": "0" if c.deduplicated else na,
        "records_screened": n(c.screened),
        "records_excluded": n(c.excluded_ta),
        "dbr_sought_reports": arm("dbr", "sought"),
        "dbr_notretrieved_reports": arm("dbr", "not_retrieved"),
        "other_sought_reports": arm("other", "sought"),
        "other_notretrieved_reports": arm("other", "not_retrieved"),
        "dbr_assessed": arm("dbr", "assessed"),
        "dbr_excluded": reasons("dbr"),
        "other_assessed": arm("other", "assessed"),
        "other_excluded": reasons("other"),
        "new_studies": n(c.included),
        "new_reports": n(reports),
        "total_studies": n(c.included),
        "total_reports": n(reports),
    }


def prisma_csv(c: PrismaCounts) -> str:
    data = prisma_data(c)
    rows = [
        {
            "data": key,
            "node": node,
            "box": box,
            "description": description,
            "boxtext": boxtext,
            "tooltips": description if node != "NA" else "NA",
            "url": f"{key}.html" if node != "NA" else "NA",
            "n": data[key],
        }
        for key, node, box, description, boxtext in _R_ROWS
    ]
    return table_text(rows, contract("prisma_csv"))


def read_prisma_csv(text: str) -> dict[str, str]:
    """``data`` → ``n`` from a PRISMA2020-format CSV (used by tests and by redraws)."""
    return {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(text))}

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

#: Every row of the package's template (``inst/extdata/PRISMA.csv``), in its order: the data
#: item (``NA`` for the title boxes), node, box, description, box text, tooltip and link, as the
#: package has them (its reader finds rows by ``data``, and title texts by ``box``). The last
#: two rows are the meta-analysis box its current ``PRISMA_data()`` reads.
TEMPLATE: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # data, node, box, description, boxtext, tooltips, url
    (
        "NA",
        "node4",
        "prevstud",
        "Grey title box; Previous studies",
        "Previous studies",
        "Grey title box; Previous studies",
        "prevstud.html",
    ),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "previous_studies.html",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
        "NA",
        "previous_reports.html",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
        "Yellow title box; Identification of new studies via databases and registers",
        "newstud.html",
    ),
    (
        "database_results",
        "node7",
        "box2",
        "Records identified from: Databases",
        "Databases",
        "Records identified from: Databases and Registers",
        "database_results.html",
    ),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from: specific databases",
        "Specific Databases",
        "NA",
        "database_results.html",
    ),
    (
        "register_results",
        "NA",
        "box2",
        "Records identified from: Registers",
        "Registers",
        "NA",
        "NA",
    ),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from: specific registers",
        "Specific Registers",
        "NA",
        "database_results.html",
    ),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
        "Grey title box; Identification of new studies via other methods",
        "othstud.html",
    ),
    (
        "website_results",
        "node17",
        "box11",
        "Records identified from: Websites",
        "Websites",
        "Records identified from: Websites, Organisations and Citation Searching",
        "website_results.html",
    ),
    (
        "organisation_results",
        "",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
        "NA",
        "NA",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
        "NA",
        "NA",
    ),
    (
        "duplicates",
        "node8",
        "box3",
        "Duplicate records",
        "Duplicate records",
        "Duplicate records",
        "duplicates.html",
    ),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
        "NA",
        "NA",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
        "NA",
        "NA",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
        "Records screened (databases and registers)",
        "records_screened.html",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
        "Records excluded (databases and registers)",
        "records_excluded.html",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (databases and registers)",
        "dbr_sought_reports.html",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
        "Reports not retrieved (databases and registers)",
        "dbr_notretrieved_reports.html",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (other)",
        "other_sought_reports.html",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
        "Reports not retrieved (other)",
        "other_notretrieved_reports.html",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (databases and registers)",
        "dbr_assessed.html",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        "Reports excluded (databases and registers): [separate reasons and numbers using ; "
        "e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]",
        "Reports excluded",
        "Reports excluded (databases and registers)",
        "dbrexcludedrecords.html",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (other)",
        "other_assessed.html",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; "
        "Reason2, xxx; Reason3, xxx]",
        "Reports excluded",
        "Reports excluded (other)",
        "other_excluded.html",
    ),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
        "New studies included in review",
        "new_studies.html",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
        "NA",
        "NA",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
        "Total studies included in review",
        "total_studies.html",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
        "NA",
        "NA",
    ),
    (
        "identification",
        "node1",
        "identification",
        "Blue identification box",
        "Identification",
        "Blue identification box",
        "identification.html",
    ),
    (
        "screening",
        "node2",
        "screening",
        "Blue screening box",
        "Screening",
        "Blue screening box",
        "screening.html",
    ),
    (
        "included",
        "node3",
        "included",
        "Blue included box",
        "Included",
        "Blue included box",
        "included.html",
    ),
    (
        "total_studies_ma",
        "node23",
        "box17",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "total_studies_meta_analysis.html",
    ),
    (
        "total_reports_ma",
        "NA",
        "box17",
        "Reports of total included studies in meta-analysis",
        "Reports of total included studies in meta-analysis",
        "NA",
        "NA",
    ),
)


def _pairs(items: Iterable[tuple[str, int]]) -> str:
    return "; ".join(f"{name.replace(',', ' ').replace(';', ' ')}, {n}" for name, n in items)


def prisma_data(c: PrismaCounts) -> dict[str, str]:
    """The R package's data items; stages that have not run are ``NA``.

    The package draws each identification arm's boxes apart, and screening only under
    databases and registers, so every box is that arm's own number (:data:`PrismaCounts.arms`):
    records found by other methods are never counted as screened under a databases box that
    found none. An updated review (a previous version exists) fills the previous-studies box
    and counts the flow of the records new since that version; otherwise the previous box is
    ``NA``, which the package reads as "no previous version" and leaves out.
    """
    na = "NA"
    update = c.update
    flow = update.flow if update is not None else c

    def n(value: int | None) -> str:
        return na if value is None else str(value)

    ident = flow.identification
    arms = flow.arms

    def arm(key: str, name: str, *, stage_run: bool) -> str:
        return str(arms.get(key, {}).get(name, 0)) if stage_run else na

    screened = flow.screening_run

    def reasons(key: str) -> str:
        if not screened:
            return na
        found = flow.arm_ft_reasons.get(key, [])
        if not found:
            return "0"  # the package reads a bare number as "no reasons"
        # The R package fails on a single reason (its issue #70); pad as CoLRev does.
        return _pairs(found) if len(found) > 1 else _pairs([*found, ("Other", 0)])

    studies = c.studies_included

    data = {
        "previous_studies": n(update.previous_studies) if update else na,
        "previous_reports": n(update.previous_reports) if update else na,
        "database_results": str(ident.dbr_total - sum(x for _, x in ident.registers)),
        "database_specific_results": _pairs(ident.databases),
        "register_results": str(sum(x for _, x in ident.registers)),
        "register_specific_results": _pairs(ident.registers),
        "website_results": str(sum(x for _, x in ident.websites)),
        "organisation_results": str(sum(x for _, x in ident.organisations)),
        "citations_results": str(sum(x for _, x in ident.citations)),
        "duplicates": arm("dbr", "duplicates", stage_run=flow.deduplicated),
        "excluded_automatic": arm("dbr", "excluded_auto", stage_run=screened),
        "excluded_other": "0" if flow.deduplicated else na,
        "records_screened": arm("dbr", "screened", stage_run=screened),
        "records_excluded": arm("dbr", "excluded_ta", stage_run=screened),
        "dbr_sought_reports": arm("dbr", "sought", stage_run=screened),
        "dbr_notretrieved_reports": arm("dbr", "not_retrieved", stage_run=screened),
        "other_sought_reports": arm("other", "sought", stage_run=screened),
        "other_notretrieved_reports": arm("other", "not_retrieved", stage_run=screened),
        "dbr_assessed": arm("dbr", "assessed", stage_run=screened),
        "dbr_excluded": reasons("dbr"),
        "other_assessed": arm("other", "assessed", stage_run=screened),
        "other_excluded": reasons("other"),
        "new_studies": n(update.new_studies if update else studies),
        "new_reports": n(update.new_reports if update else c.included),
        "total_studies": n(studies),
        "total_reports": n(c.included),
        # This pipeline does no meta-analysis: the package's meta-analysis box has no number.
        "total_studies_ma": na,
        "total_reports_ma": na,
    }
    if update is not None:
        data["total_studies"] = n(update.total_studies)
        data["total_reports"] = n(update.total_reports)
    return data


def prisma_csv(c: PrismaCounts) -> str:
    """The CSV: every row of the package's template, the title boxes' ``n`` ``NA``."""
    data = prisma_data(c)
    rows = [
        {
            "data": key,
            "node": node,
            "box": box,
            "description": description,
            "boxtext": boxtext,
            "tooltips": tooltips,
            "url": url,
            "n": data.get(key, "NA"),
        }
        for key, node, box, description, boxtext, tooltips, url in TEMPLATE
    ]
    return table_text(rows, contract("prisma_csv"))


def read_prisma_csv(text: str) -> dict[str, str]:
    """``data`` → ``n`` from a PRISMA2020-format CSV (used by tests and by redraws)."""
    return {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(text))}

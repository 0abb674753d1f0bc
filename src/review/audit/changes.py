"""Which studies changed since each published version: the audit index's "changed since"
filter. A study changed when it is new since the version (none of its records was there), its
place in the selection differs, or it has ledger rows the version did not have; the
comparison itself is :mod:`review.versions.changes`'s, the one the report's "What changed"
section lists."""

from __future__ import annotations

from pathlib import Path

from review.report.inputs import ReportInputs
from review.versions.changes import new_ledger_rows, study_changes
from review.versions.identity import new_study_ids
from review.versions.store import list_versions


def changed_since(versions: Path | None, inputs: ReportInputs) -> dict[str, list[str]]:
    """``version name -> study ids`` changed since it, for every version in ``versions``
    (oldest first); empty without versions or before deduplication."""
    if versions is None or inputs.studies is None:
        return {}
    out: dict[str, list[str]] = {}
    for version in list_versions(versions):
        ids = set(new_study_ids(inputs.studies, version.record_ids()))
        if inputs.screening is not None:
            _matches, changed = study_changes(
                version, inputs.studies, inputs.screening, inputs.screening_events
            )
            ids.update(c.study_id for c in changed)
        ids.update(e["study_id"] for e in new_ledger_rows(version, inputs.screening_events))
        out[version.name] = sorted(ids)
    return out

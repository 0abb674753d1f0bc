"""Screen in ASReview LAB and keep this pipeline's audit trail: the data set LAB reads, and the
decisions its export brings back, and nothing else.

**Export** (``review screen export-asreview OUT.csv [--priors REVIEWER]``): every study not
excluded by automation, ``record_id`` = our study id. No decision travels unless asked: with
``--priors REVIEWER``, that reviewer's current title/abstract decisions become LAB's prior
knowledge (``label_included`` 1 include, 0 exclude; a *maybe* none) and ``prior_from`` names
them; no screening state or other reviewer's decision is written (screening stays blind).

LAB takes records for duplicates of each other by their text, and a label given to one is
given to all (the others are never shown): LAB 3 groups records whose title, and abstract, are
equal once folded (NFKD, lower case, only ``a``-``z`` and ``0``-``9`` kept;
``asreview.data.utils.identify_record_groups``), LAB 1/2 count as duplicates records whose
title and abstract joined are equal after dropping every character but ASCII letters and digits
(``ASReviewData.duplicated``). Untitled studies, titles that differ only in letter case or
punctuation, and titles in a script those letters miss all fold alike. So an untitled study is
written ``[no title: review study st-…]`` and a title that folds like another's (in either
way) gets `` [review study st-…]`` appended; the study id makes every such title distinct, and
``title_marked`` says which titles were changed.

**Import** (``review screen import-asreview FILE --reviewer NAME [--lab-user NAME]``): the
decisions made in LAB, read from its export: LAB 2/3 keep our columns and add ``asreview_label``,
``asreview_time`` (UTC), ``asreview_note``, ``asreview_tag_*``, ``asreview_user_name`` (with
authentication), ``asreview_group_id`` (LAB 3) and LAB's row number as an unnamed first
column; LAB 1 writes the label into the data set's label column, ``asreview_prior`` and
``exported_notes_<n>``. Left out, and counted: the priors we exported, which come back as
labels (a label equal to ``label_included``, LAB 1's ``asreview_prior``, or a row with
``prior_from`` in a file LAB did not write); a prior changed in LAB is a LAB decision. Left out
with a warning naming the studies: labels LAB copied to a record it grouped with another
(``asreview_group_id`` is not the row's own), which nobody gave. Several LAB users' labels are
told apart with ``--lab-user``. The rows then go through the same validation as a sheet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.screening.interop import StudyMatcher, finish, tool_note
from review.screening.sheets import read_sheet
from review.states import Decision, ScreeningState
from review.tables import contract, write_table

UNTITLED = "[no title: review study {study_id}]"
MARKED = "{title} [review study {study_id}]"
_NOT_ALNUM3 = re.compile(r"[^a-z0-9]")
_NOT_ALNUM2 = re.compile(r"[^A-Za-z0-9]")
PRIOR_LABELS: dict[str, str] = {Decision.INCLUDE: "1", Decision.EXCLUDE: "0"}


def fold_lab3(text: str) -> str:
    """A text as LAB 3 compares it for duplicates (``identify_record_groups``)."""
    return _NOT_ALNUM3.sub("", unicodedata.normalize("NFKD", text or "").lower())


def fold_lab2(text: str) -> str:
    """A text as LAB 1/2 compare it for duplicates (``ASReviewData.duplicated``)."""
    return _NOT_ALNUM2.sub("", text or "").lower()


def lab_titles(studies: Sequence[Mapping[str, str]]) -> dict[str, tuple[str, bool]]:
    """Study id → (title LAB gets, whether it was marked), no two folding alike in LAB."""
    by_title: dict[str, list[str]] = {}
    by_text: dict[str, list[str]] = {}
    for s in studies:
        title = (s.get("title") or "").strip()
        by_title.setdefault(fold_lab3(title), []).append(s["study_id"])
        text = fold_lab2(f"{title} {s.get('abstract') or ''}")
        if text:
            by_text.setdefault(text, []).append(s["study_id"])
    groups = [*by_title.values(), *by_text.values()]
    alike = {sid for group in groups if len(group) > 1 for sid in group}
    out = {}
    for s in studies:
        sid, title = s["study_id"], (s.get("title") or "").strip()
        if not title:
            out[sid] = (UNTITLED.format(study_id=sid), True)
        elif sid in alike:
            out[sid] = (MARKED.format(title=title, study_id=sid), True)
        else:
            out[sid] = (title, False)
    return out


def asreview_rows(
    studies: Sequence[Mapping[str, str]],
    state_rows: Sequence[Mapping[str, Any]],
    *,
    priors: Mapping[str, str] | None = None,
    prior_from: str = "",
) -> list[dict[str, Any]]:
    """Rows of an ASReview data set (``priors``: study id → 1/0, decided by ``prior_from``)."""
    states = {r["study_id"]: r.get("state") for r in state_rows}
    kept = [s for s in studies if states.get(s["study_id"]) != ScreeningState.EXCLUDED_AUTO]
    titles = lab_titles(kept)
    out = []
    for s in kept:
        sid = s["study_id"]
        label = (priors or {}).get(sid, "")
        title, marked = titles[sid]
        out.append(
            {
                "record_id": sid,
                "title": title,
                "abstract": s.get("abstract", ""),
                "keywords": s.get("keywords", ""),
                "authors": s.get("authors", ""),
                "year": s.get("year", ""),
                "doi": s.get("doi", ""),
                "url": s.get("url", ""),
                "label_included": label,
                "prior_from": prior_from if label else "",
                "title_marked": "yes" if marked else "",
                # The team's own summary is never passed off as the published abstract.
                "reviewer_summary_not_abstract": s.get("summary", ""),
            }
        )
    return out


def export_asreview(
    path: str,
    studies: Sequence[Mapping[str, str]],
    state_rows: Sequence[Mapping[str, Any]],
    *,
    priors: Mapping[str, str] | None = None,
    prior_from: str = "",
) -> list[dict[str, Any]]:
    rows = asreview_rows(studies, state_rows, priors=priors, prior_from=prior_from)
    write_table(path, rows, contract("asreview_export"))
    return rows


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

_LABEL_COLUMNS = ("asreview_label", "label_included", "included", "label")
_NOTE_COLUMNS = ("asreview_note", "asreview_notes", "note", "notes")
_USER_COLUMN = "asreview_user_name"
_GROUP_COLUMN = "asreview_group_id"
_ROW_COLUMN = ""  # LAB writes its row number (its record id) as an unnamed first column
_TRUE = ("1", "1.0", "True", "true")
_FALSE = ("0", "0.0", "False", "false")
_EMPTY = ("", "-1", "nan", "None", "<NA>")


@dataclass
class LabImport:
    """What an ASReview export holds for the ledger, and what was left out (and why)."""

    rows: list
    priors_left_out: int = 0
    #: Study ids whose label LAB copied from another record of its duplicate group.
    grouped: list[str] = field(default_factory=list)
    #: Labels of other LAB users (``--lab-user``), by user.
    other_users: dict[str, int] = field(default_factory=dict)

    def messages(self, path: str) -> list[str]:
        out = []
        if self.priors_left_out:
            out.append(
                f"{path}: {self.priors_left_out} label(s) are the prior knowledge exported to "
                "LAB, not decisions made there: not imported"
            )
        if self.grouped:
            shown = ", ".join(self.grouped[:10]) + (" ..." if len(self.grouped) > 10 else "")
            out.append(
                f"{path}: warning: {len(self.grouped)} label(s) were copied by LAB from another "
                f"record it took for a duplicate, so nobody gave them: not imported ({shown}); "
                "these studies stay undecided for this reviewer"
            )
        for user, n in sorted(self.other_users.items()):
            out.append(f"{path}: {n} label(s) by LAB user {user!r} left out (--lab-user)")
        return out


def _label(value: Any) -> str:
    """``"1"``, ``"0"``, ``""`` (no label) or the text as it is (an error for the caller)."""
    text = str(value if value is not None else "").strip()
    if text in _EMPTY:
        return ""
    if text in _TRUE:
        return "1"
    if text in _FALSE:
        return "0"
    return text


def _row_number(value: Any) -> int | None:
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def _followers(rows: Sequence[Mapping[str, str]]) -> set[int]:
    """Rows whose label LAB copied from the representative of their duplicate group."""
    out: set[int] = set()
    if not rows or _GROUP_COLUMN not in rows[0]:
        return out
    seen: set[int] = set()
    for i, row in enumerate(rows):
        group = _row_number(row.get(_GROUP_COLUMN))
        if group is None:
            continue
        own = _row_number(row.get(_ROW_COLUMN)) if _ROW_COLUMN in row else None
        if (own is not None and own != group) or (own is None and group in seen):
            out.add(i)
        seen.add(group)
    return out


def _lab_note(row: Mapping[str, str], columns: Sequence[str]) -> str:
    note_col = next((c for c in _NOTE_COLUMNS if c in columns), None)
    # LAB 1 adds exported_notes_<n> at each export: the last is the latest.
    lab1 = sorted((c for c in columns if c.startswith("exported_notes")), key=len)
    text = str(row.get(note_col) or "") if note_col else ""
    if not text.strip() and lab1:
        text = str(row.get(lab1[-1]) or "")
    tag_columns = [c for c in columns if c.startswith("asreview_tag_")]
    tags = [c.removeprefix("asreview_tag_") for c in tag_columns if _label(row.get(c)) == "1"]
    parts = [t for t in (text.strip(), f"LAB tags: {', '.join(tags)}" if tags else "") if t]
    return "; ".join(parts)


def _asreview_time(value: Any) -> str:
    """ASReview's ``asreview_time`` (UTC, no zone) as our ISO 8601 UTC; unreadable -> ""."""
    text = str(value or "").strip()
    if text in _EMPTY:
        return ""
    try:
        parsed = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text  # validation will name the row and the value
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def import_asreview(
    path: str,
    *,
    reviewer: str,
    stage: str,
    protocol: Protocol,
    studies: Sequence[Mapping[str, str]],
    lab_user: str | None = None,
) -> LabImport:
    """The decisions made in LAB (1 include, 0 exclude; no label: not screened) as ledger rows."""
    safe_name(reviewer)
    columns, numbered = read_sheet(path)
    if not numbered:
        return LabImport([])
    rows = [row for _n, row in numbered]
    label_col = next((c for c in _LABEL_COLUMNS if c in columns), None)
    if label_col is None:
        raise DecisionError(
            f"{path}, row 1: no label column; expected one of {', '.join(_LABEL_COLUMNS)} "
            "(an ASReview LAB export)"
        )
    lab_written = label_col == "asreview_label"
    followers = _followers(rows)
    result = LabImport([])
    users = sorted({str(r.get(_USER_COLUMN) or "").strip() for r in rows} - {""})
    if lab_user is None and len(users) > 1:
        raise DecisionError(
            f"{path}: labels by several LAB users ({', '.join(users)}); say whose decisions to "
            "import with --lab-user NAME"
        )
    matcher = StudyMatcher(studies)
    raw: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for i, (n, row) in enumerate(numbered):
        label = _label(row.get(label_col))
        if not label:
            continue
        if label not in ("1", "0"):
            problems.append(
                f"{path}, row {n}, field '{label_col}': {label!r} is not a label; allowed: 1, "
                "0, empty (not screened)"
            )
            continue
        if _is_prior(row, label, lab_written=lab_written, columns=columns):
            result.priors_left_out += 1
            continue
        sid, why = matcher.match(row)
        if i in followers:
            result.grouped.append(sid or f"row {n}")
            continue
        user = str(row.get(_USER_COLUMN) or "").strip()
        if lab_user is not None and user and user != lab_user:
            result.other_users[user] = result.other_users.get(user, 0) + 1
            continue
        if not sid:
            problems.append(f"{path}, row {n}: cannot match the record to a study: {why}")
            continue
        raw.append(
            (
                n,
                {
                    "study_id": sid,
                    "fingerprint": matcher.fingerprints[sid],
                    "decision": Decision.INCLUDE if label == "1" else Decision.EXCLUDE,
                    "reason": str(row.get("reason") or ""),
                    "note": tool_note("ASReview", _lab_note(row, columns)),
                    "timestamp": _asreview_time(row.get("asreview_time")),
                },
            )
        )
    if lab_user is not None and users and lab_user not in users:
        problems.append(f"{path}: no labels by LAB user {lab_user!r}; the export has {users}")
    result.rows = finish(
        raw, problems, path=path, stage=stage, reviewer=reviewer, protocol=protocol, matcher=matcher
    )
    return result


def _is_prior(
    row: Mapping[str, str], label: str, *, lab_written: bool, columns: Sequence[str]
) -> bool:
    """Is this label the prior knowledge we exported (not a decision made in LAB)?"""
    if lab_written:  # LAB 2/3: our label_included came back as it was
        return _label(row.get("label_included")) == label
    if "asreview_prior" in columns:  # LAB 1 flags prior knowledge itself
        return _label(row.get("asreview_prior")) == "1"
    return bool(str(row.get("prior_from") or "").strip())

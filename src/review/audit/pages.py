"""The audit view as files: an index that filters every study, one page per study and one per
reviewer. It stays fast at 50,000 studies and needs no server.

::

    reports/audit.html                      the index (the review's links audit.html#<study id>
                                            land here and open the study's page)
    reports/audit/assets/audit.css, index.js
    reports/audit/data/meta.js              names the rows refer to (reviewers, codes, boxes)
    reports/audit/data/chunk-0001.js, …     the index rows, CHUNK_ROWS studies a file
    reports/audit/studies/<study id>.html   one study: decisions side by side, timeline,
                                            records and sources, dedup links, coding
    reviewers/<name>.html, <name>-2.html …  one reviewer: counts, reasons, agreement, decisions

Pages load no data: they are plain HTML (a permalink an auditor can cite, print or save). The
index loads its data as script files, because a browser refuses ``fetch()`` of local files;
every page's content-security policy allows scripts and styles from these files only
(``'self'``), never inline code, so text from a record that slipped past escaping could still
not run. Everything from the data is escaped by the templates, and the index's script builds
its rows with ``textContent``.

The folder is written beside the old one and swapped in when complete, so a failed render
leaves the previous audit view whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review import atomic
from review.audit import reviewers as rv
from review.audit import rows
from review.audit.markup import Pieces
from review.audit.names import page_stem
from review.audit.timeline import STAGE_LABELS, Entry, StageView, entries, stage_views
from review.audit.verification import Agreement, Check, agreement, by_study
from review.protocol import Protocol
from review.report.audit import Trail, build_trails, extra_cells, scores
from review.report.inputs import ReportInputs
from review.report.studies import BOXES
from review.setaside import SetAside, all_set_aside
from review.tables import Row

#: Studies per data file of the index (about 0.25 KB each: a file stays well under 1 MB).
CHUNK_ROWS = 2000
#: Studies per page of the index's result list.
PAGE_SIZE = 50
#: Ledger rows listed per reviewer page (the first on the reviewer's page, the rest on more).
DECISIONS_PER_PAGE = 2000
ASSETS = Path(__file__).resolve().parent.parent / "report" / "templates" / "audit"


@dataclass
class AuditStudy:
    """One study as the audit pages show it."""

    trail: Trail
    page: str
    entries: list[Entry]
    views: list[StageView]
    checks: list[Check]
    changed: list[str] = field(default_factory=list)
    #: the study's row of fulltext.csv (retrieval status, file, where it came from), if given
    fulltext: Row | None = None

    @property
    def study_id(self) -> str:
        return self.trail.study_id


@dataclass
class AuditView:
    """Everything the audit pages show, computed once."""

    title: str
    studies: list[AuditStudy]
    reviewers: list[rv.Reviewer]
    verification: list[Agreement]
    criteria: dict[str, str]
    declared: dict[str, dict[str, Any]]
    versions: list[str]
    vocab: rows.Vocabulary
    #: Reviewer id -> the stages a protocol amendment set their decisions aside at, and why.
    set_aside: dict[str, list[SetAside]] = field(default_factory=dict)

    @property
    def box_counts(self) -> Counter[str]:
        return Counter(s.trail.box for s in self.studies)


@dataclass(frozen=True)
class Written:
    """What a render wrote: how many files, their total size and the largest."""

    files: int
    bytes: int
    largest: tuple[str, int]
    studies: int
    chunks: int


def _set_aside_by_reviewer(protocol: Protocol) -> dict[str, list[SetAside]]:
    out: dict[str, list[SetAside]] = {}
    for aside in all_set_aside(protocol):
        out.setdefault(aside.reviewer, []).append(aside)
    return out


def build_view(
    inputs: ReportInputs, *, changed_since: Mapping[str, Sequence[str]] | None = None
) -> AuditView:
    """The audit view of the inputs. ``changed_since`` maps a version name to the study ids
    that changed after it (the versions' what-changed table); without it the filter is hidden.
    """
    checks = by_study(inputs.verification or [])
    changed: dict[str, list[str]] = {}
    for version, ids in (changed_since or {}).items():
        for sid in ids:
            changed.setdefault(sid, []).append(version)
    fulltext = {r["study_id"]: r for r in inputs.fulltext or []}
    studies = []
    for trail in build_trails(inputs):
        found = entries(trail.screening_events)
        studies.append(
            AuditStudy(
                trail=trail,
                page=page_stem(trail.study_id),
                entries=found,
                views=stage_views(found, trail.state),
                checks=checks.get(trail.study_id, []),
                changed=changed.get(trail.study_id, []),
                fulltext=fulltext.get(trail.study_id),
            )
        )
    protocol = inputs.protocol
    return AuditView(
        title=protocol.title,
        studies=studies,
        reviewers=rv.reviewers(
            ((s.study_id, s.trail.cite, s.entries) for s in studies), inputs.verification or []
        ),
        verification=agreement(
            inputs.verification or [], inputs.screening or [], inputs.screening_events or []
        ),
        criteria={str(c["code"]): str(c.get("label", "")) for c in protocol.criteria},
        declared={str(r["id"]): r for r in protocol.data.get("reviewers", []) or []},
        versions=list(changed_since or {}),
        set_aside=_set_aside_by_reviewer(protocol),
        vocab=rows.Vocabulary(
            boxes=list(BOXES),
            codes=[str(c["code"]) for c in protocol.criteria],
            versions=list(changed_since or {}),
        ),
    )


def _rel(target: Path, start: Path) -> str:
    """``target`` relative to the folder ``start``, as a URL path."""
    return Path(os.path.relpath(target, start)).as_posix()


def write_audit(
    inputs: ReportInputs,
    *,
    index: Path,
    folder: Path,
    generated_at: str,
    changed_since: Mapping[str, Sequence[str]] | None = None,
    page_size: int = PAGE_SIZE,
) -> Written:
    """Write the index ``index`` and the folder ``folder`` (replaced whole when complete)."""
    from review.report.render import environment

    view = build_view(inputs, changed_since=changed_since)
    env = environment()
    index, folder = Path(index), Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    index.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    sizes: dict[str, int] = {}
    try:
        _write_folder(view, env, tmp, index=index, folder=folder, generated_at=generated_at)
        for path in tmp.rglob("*"):
            if path.is_file():
                sizes[(folder / path.relative_to(tmp)).as_posix()] = path.stat().st_size
        tmp.chmod(0o777 & ~_umask())
        _swap(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    page = env.get_template("audit/index.html.j2").render(
        **_common(view, generated_at),
        base=_rel(folder, index.parent) + "/",
        chunks=_n_chunks(len(view.studies)),
        total=len(view.studies),
        page_size=page_size,
        box_counts=view.box_counts,
        review_href="review.html",
    )
    atomic.write_text(index, page)
    sizes[index.as_posix()] = len(page.encode("utf-8"))
    largest = max(sizes.items(), key=lambda kv: kv[1])
    return Written(
        files=len(sizes),
        bytes=sum(sizes.values()),
        largest=largest,
        studies=len(view.studies),
        chunks=_n_chunks(len(view.studies)),
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(new: Path, folder: Path) -> None:
    """Put ``new`` in place of ``folder``; the old one is removed only once the new is in."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(old)
    new.rename(folder)
    if old is not None:
        shutil.rmtree(old)


def _n_chunks(n: int) -> int:
    return max(1, -(-n // CHUNK_ROWS))


def _common(view: AuditView, generated_at: str) -> dict[str, Any]:
    return {
        "view": view,
        "view_title": view.title,
        "generated_at": generated_at,
        "criteria": view.criteria,
        "declared": view.declared,
        "boxes": BOXES,
        "stage_labels": STAGE_LABELS,
        "page_stem": page_stem,
        "h": Pieces(view.criteria, view.declared),
        "scores": scores,
        "extra_cells": extra_cells,
    }


def _write_folder(
    view: AuditView,
    env: Any,
    root: Path,
    *,
    index: Path,
    folder: Path,
    generated_at: str,
) -> None:
    for sub in ("assets", "data", "studies", "reviewers"):
        (root / sub).mkdir()
    css = (ASSETS.parent / "report.css").read_text(encoding="utf-8")
    css += "\n" + (ASSETS / "audit.css").read_text(encoding="utf-8")
    (root / "assets" / "audit.css").write_text(css, encoding="utf-8")
    shutil.copyfile(ASSETS / "index.js", root / "assets" / "index.js")

    vocab = view.vocab
    data = [
        rows.index_row(s.trail, s.page, s.entries, s.checks, s.changed, vocab) for s in view.studies
    ]
    for i in range(_n_chunks(len(data))):
        chunk = data[i * CHUNK_ROWS : (i + 1) * CHUNK_ROWS]
        (root / "data" / f"chunk-{i + 1:04d}.js").write_text(
            f"AuditIndex.chunk({i},{_json(chunk)});\n", encoding="utf-8"
        )
    (root / "data" / "meta.js").write_text(
        f"AuditIndex.meta({_json(vocab.meta())});\n", encoding="utf-8"
    )

    common = _common(view, generated_at)
    up = _rel(index.parent, folder / "studies") + "/"
    study = env.get_template("audit/study.html.j2")
    for s in view.studies:
        (root / "studies" / f"{s.page}.html").write_text(
            study.render(**common, s=s, t=s.trail, up=up, index_href=up + index.name),
            encoding="utf-8",
        )
    reviewer = env.get_template("audit/reviewer.html.j2")
    for r in view.reviewers:
        stem = page_stem(r.name)
        listed = r.rows
        parts = [
            listed[i : i + DECISIONS_PER_PAGE]
            for i in range(0, max(len(listed), 1), DECISIONS_PER_PAGE)
        ]
        names = [f"{stem}.html"] + [f"{stem}-{n}.html" for n in range(2, len(parts) + 1)]
        for n, (name, part) in enumerate(zip(names, parts, strict=True), start=1):
            (root / "reviewers" / name).write_text(
                reviewer.render(
                    **common,
                    r=r,
                    part=part,
                    part_n=n,
                    parts=names,
                    first=(n - 1) * DECISIONS_PER_PAGE + 1,
                    up=up,
                    index_href=up + index.name,
                ),
                encoding="utf-8",
            )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

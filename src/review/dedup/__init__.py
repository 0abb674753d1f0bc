"""Deduplication: link the records of one study into one study, transparently and reversibly.

The steps, one module each: :mod:`~review.dedup.prepare` folds the fields and reports bad input;
:mod:`~review.dedup.blocking` picks candidate pairs; :mod:`~review.dedup.scoring` scores them
field by field; :mod:`~review.dedup.rules` decides with named rules; :mod:`~review.dedup.clustering`
joins the merged pairs into studies with guards against chaining; :mod:`~review.dedup.studies`
chooses each study's best field values. Nothing is deleted: every record stays, with its study,
and every merged pair is written with its scores and the rule that fired.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from review.dedup.blocking import candidate_pairs
from review.dedup.clustering import UnionFind, force_merges, join_guarded
from review.dedup.overrides import Override, check_overrides, read_overrides
from review.dedup.prepare import Features, QualityIssue, build_features
from review.dedup.rules import apply_rules, explain, rule_rank
from review.dedup.scoring import PairScores, score_pairs
from review.dedup.studies import anchor_study_id, study_row
from review.progress import progress_bar
from review.records import Record, anchor_key
from review.tables import contract, write_table

__all__ = [
    "DedupResult",
    "Override",
    "deduplicate",
    "explain",
    "read_overrides",
    "write_outputs",
]

#: The pair scores written per merged pair (``score_<name>`` columns of the dedup_links contract).
_SCORES = tuple(
    c.removeprefix("score_") for c in contract("dedup_links").names if c.startswith("score_")
)
SCORE_CHUNK = 500_000
#: Candidate pairs from which scoring shows a progress bar (on a terminal): about 10,000 records.
PROGRESS_FROM = SCORE_CHUNK


@dataclass(slots=True)
class DedupResult:
    """Studies, the record→study map and the merged pairs, plus everything worth reporting.

    Unpacks as ``studies, clusters, links = deduplicate(...)``. ``review`` holds the pairs a
    reviewer may want to look at: a rule held but a veto stopped it, or a join was refused
    to prevent chaining. ``issues`` are bad input records; ``warnings`` are overrides that could
    not be applied.
    """

    studies: list[dict[str, Any]]
    clusters: list[dict[str, str]]
    links: list[dict[str, Any]]
    review: list[dict[str, Any]] = field(default_factory=list)
    issues: list[QualityIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_candidates: int = 0
    oversized_blocks: int = 0

    def __iter__(self) -> Iterator[Any]:
        return iter((self.studies, self.clusters, self.links))


def _score_row(s: PairScores, k: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in _SCORES:
        v = float(getattr(s, name)[k])
        row[f"score_{name}"] = "" if np.isnan(v) else round(v, 3)
    return row


def deduplicate(
    records: Sequence[Record],
    overrides: Sequence[Override] = (),
    *,
    workers: int = -1,
) -> DedupResult:
    """Group ``records`` into studies.

    ``overrides`` are reviewers' merge/split decisions (:func:`read_overrides`); those naming
    records not in ``records`` are reported in ``result.warnings`` and not applied.
    """
    records = list(records)
    f: Features = build_features(records)
    index = {rid: i for i, rid in enumerate(f.record_ids)}
    usable, warnings = check_overrides(list(overrides), set(index))
    splits = {
        frozenset((index[o.record_id_a], index[o.record_id_b]))
        for o in usable
        if o.action == "split"
    }
    merges = [
        (index[o.record_id_a], index[o.record_id_b], o.where) for o in usable if o.action == "merge"
    ]

    blocking = candidate_pairs(f)
    # Score in chunks and keep only pairs a rule fired on or a veto stopped: memory stays
    # bounded by the chunk, not by the number of candidate pairs.
    kept: list[tuple[PairScores, np.ndarray, np.ndarray]] = []
    bar = progress_bar(
        total=len(blocking.left), desc="scoring pairs", unit="pair", large=PROGRESS_FROM
    )
    for lo in range(0, max(len(blocking.left), 1), SCORE_CHUNK):
        part = score_pairs(
            f,
            blocking.left[lo : lo + SCORE_CHUNK],
            blocking.right[lo : lo + SCORE_CHUNK],
            workers=workers,
        )
        fired, vetoed = apply_rules(part)
        keep = (fired != "") | (vetoed != "")
        kept.append((part.subset(keep), fired[keep], vetoed[keep]))
        bar.update(len(part.left))
    bar.close()
    scores = PairScores.concat([k[0] for k in kept])
    rule = np.concatenate([k[1] for k in kept])
    blocked = np.concatenate([k[2] for k in kept])

    uf = UnionFind.of(len(f))
    force_merges(uf, f, merges, splits)
    merged = np.flatnonzero(rule != "")
    ranks = np.fromiter((rule_rank(r) for r in rule[merged]), dtype=np.int64, count=len(merged))
    order = merged[np.lexsort((-scores.total[merged], ranks))]
    accepted: list[int] = []
    review: list[dict[str, Any]] = []
    for k in order:
        a, b = int(scores.left[k]), int(scores.right[k])
        why = join_guarded(uf, f, a, b, splits)
        if why:
            review.append(
                {
                    "record_id_a": f.record_ids[a],
                    "record_id_b": f.record_ids[b],
                    "why_not_merged": f"{rule[k]} refused: {why}",
                    **_score_row(scores, k),
                }
            )
        else:
            accepted.append(int(k))
    for k in np.flatnonzero(blocked != ""):
        a, b = int(scores.left[k]), int(scores.right[k])
        if uf.find(a) != uf.find(b):
            review.append(
                {
                    "record_id_a": f.record_ids[a],
                    "record_id_b": f.record_ids[b],
                    "why_not_merged": blocked[k],
                    **_score_row(scores, int(k)),
                }
            )

    roots = [uf.find(i) for i in range(len(f))]
    groups: dict[int, list[int]] = {}
    for i, r in enumerate(roots):
        groups.setdefault(r, []).append(i)
    study_of_root: dict[int, str] = {}
    studies: list[dict[str, Any]] = []
    for root, members in groups.items():
        recs = sorted((records[i] for i in members), key=anchor_key)
        sid = anchor_study_id(recs)
        study_of_root[root] = sid
        studies.append(study_row(sid, recs))
    studies.sort(key=lambda s: s["study_id"])
    clusters = [
        {"record_id": f.record_ids[i], "study_id": study_of_root[roots[i]]} for i in range(len(f))
    ]

    links: list[dict[str, Any]] = []
    if merges:
        ml = np.asarray([min(a, b) for a, b, _ in merges], dtype=np.int64)
        mr = np.asarray([max(a, b) for a, b, _ in merges], dtype=np.int64)
        ms = score_pairs(f, ml, mr, workers=workers)
        for k in range(len(ml)):
            links.append(_link(f, ms, k, "override_merge", study_of_root[roots[int(ml[k])]]))
    for k in accepted:
        links.append(_link(f, scores, k, rule[k], study_of_root[roots[int(scores.left[k])]]))
    return DedupResult(
        studies=studies,
        clusters=clusters,
        links=links,
        review=review,
        issues=f.issues,
        warnings=warnings,
        n_candidates=len(blocking.left),
        oversized_blocks=blocking.oversized_blocks,
    )


def _link(f: Features, s: PairScores, k: int, rule: str, study_id: str) -> dict[str, Any]:
    return {
        "record_id_a": f.record_ids[int(s.left[k])],
        "record_id_b": f.record_ids[int(s.right[k])],
        "rule": rule,
        **_score_row(s, k),
        "title_via_alt": "yes" if s.title_via_alt[k] else "",
        "study_id": study_id,
    }


def write_outputs(
    result: DedupResult,
    *,
    studies: str | Path,
    clusters: str | Path,
    links: str | Path,
    review: str | Path,
    issues: str | Path,
    with_file: bool = False,
) -> dict[str, Path]:
    """Write studies, clusters, links, the review list and the input issues (atomically).

    ``with_file`` adds the clusters table's optional ``file`` column (records of several
    export files).
    """
    cluster_contract = contract("clusters")
    cluster_columns = cluster_contract.names if with_file else cluster_contract.required
    return {
        "studies": write_table(studies, result.studies, contract("studies")),
        "clusters": write_table(
            clusters, result.clusters, cluster_contract, columns=cluster_columns
        ),
        "links": write_table(links, result.links, contract("dedup_links")),
        "review": write_table(review, result.review, contract("dedup_review")),
        "issues": write_table(
            issues,
            (
                {"record_id": i.record_id, "issue": i.issue, "detail": i.detail}
                for i in result.issues
            ),
            contract("dedup_issues"),
        ),
    }

"""The order in which studies are offered to screeners: predicted relevance, best first.

The model is :func:`review.screening.ranking.relevance_scores` (trained on the decisions given);
until it can train (it needs one included and one excluded study) the order falls back to a
lexical score: how many distinct words of the protocol's queries and research questions a
study's text contains. That puts on-topic studies first from the very first sheet, and is
deterministic (ties by study id), so two runs on the same data give the same sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from review.errors import ProtocolError
from review.protocol import Protocol
from review.records import normalise_title
from review.screening import ranking
from review.states import Decision, ScreeningState

_STOP = {"and", "or", "not", "the", "of", "in", "for", "to", "a", "an", "with", "by", "on", "are"}


def study_text(study: Mapping[str, str]) -> str:
    """The text a study is ranked on: titles, abstract, team summary and keywords."""
    parts = ("title", "title_alt", "abstract", "summary", "keywords")
    return " ".join(str(study.get(p) or "").strip() for p in parts if study.get(p))


def query_terms(protocol: Protocol | None) -> set[str]:
    if protocol is None:
        return set()
    texts = [str(s.get("query", "")) for s in protocol.sources]
    texts += [str(q.get("text", "")) for q in protocol.data.get("research_questions", [])]
    words = set(normalise_title(" ".join(texts)).split())
    return {w for w in words if len(w) >= 3 and w not in _STOP and not w.isdigit()}


def lexical_scores(texts: Sequence[str], terms: set[str]) -> np.ndarray:
    out = np.zeros(len(texts))
    if not terms:
        return out
    for i, text in enumerate(texts):
        words = set(normalise_title(text).split())
        out[i] = len(words & terms)
    return out


def relevance(
    texts: Sequence[str],
    labels: Mapping[int, int],
    *,
    protocol: Protocol | None = None,
) -> tuple[np.ndarray, str]:
    """Scores for every text (higher = more relevant) and what produced them."""
    model = None
    if protocol is not None:
        model = (protocol.data.get("screening", {}).get("ranking") or {}).get("model")
    if model and ranking.ALIASES.get(model, model) not in ranking.MODELS:
        raise ProtocolError(
            f"screening.ranking.model: {model!r} is not a ranking model; "
            f"allowed: {', '.join(ranking.MODELS)}"
        )
    if labels:
        kwargs = {"model": model} if model else {}
        scores = ranking.relevance_scores(list(texts), dict(labels), **kwargs)
        if scores is not None:
            return np.asarray(scores, dtype=float), f"model {model or ranking.DEFAULT_MODEL}"
    terms = query_terms(protocol)
    return lexical_scores(texts, terms), "lexical (query terms; too few decisions to train)"


def order(ids: Sequence[str], scores: Sequence[float]) -> list[str]:
    """Ids by score (highest first), ties by id."""
    return [i for _s, i in sorted(zip((-float(s) for s in scores), ids, strict=True))]


def rank_studies(
    rows: list[dict[str, Any]], studies: Sequence[Mapping[str, str]], protocol: Protocol
) -> str:
    """Fill ``relevance`` (every study) and ``rank`` (studies still to screen) of the state rows,
    trained on the title/abstract decisions so far; return what produced the scores."""
    texts = [study_text(s) for s in studies]
    labels = {
        i: 1 if r["ta_decision"] == Decision.INCLUDE else 0
        for i, r in enumerate(rows)
        if r["state"] != ScreeningState.EXCLUDED_AUTO
        and r["ta_decision"] in (Decision.INCLUDE, Decision.EXCLUDE)
    }
    scores, how = relevance(texts, labels, protocol=protocol)
    for row, score in zip(rows, scores, strict=True):
        row["relevance"] = f"{float(score):.4f}"
    waiting = [
        (r["study_id"], s)
        for r, s in zip(rows, scores, strict=True)
        if r["state"] == ScreeningState.TO_SCREEN
    ]
    ranked = order([w[0] for w in waiting], [w[1] for w in waiting])
    position = {sid: i for i, sid in enumerate(ranked, start=1)}
    for row in rows:
        if row["study_id"] in position:
            row["rank"] = position[row["study_id"]]
    return how

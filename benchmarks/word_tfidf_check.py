"""The word TF-IDF of the ranking against scikit-learn's TfidfVectorizer on every shared
screening set: the same matrix bit for bit (indptr, indices, data), and the CPU each takes.

    .venv/bin/python benchmarks/word_tfidf_check.py

``review.screening.features.word_tfidf`` builds the matrix itself so that the screening state
and ``review simulate`` need not import scikit-learn (~0.8 s of CPU per process); the default
ranking must stay ASReview's, so the matrix must be identical, not close.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from review.screening.features import _fit_or_empty, word_tfidf
from review.screening.ranking import record_text

SETS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "screening"


def _sklearn(texts: list[str]) -> object:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.95, dtype=np.float64
    )
    return _fit_or_empty(vectoriser, texts)


def main() -> int:
    if not SETS.is_dir():
        print(f"{SETS} is not here: nothing to check")
        return 0
    started = time.process_time()
    from sklearn.feature_extraction import text  # noqa: F401 (the import, timed once)

    print(f"import scikit-learn's text features: {time.process_time() - started:.2f} CPU s")
    print("| set | records | identical | ours CPU s | scikit-learn CPU s |")
    print("|---|---|---|---|---|")
    failed = 0
    for path in sorted(SETS.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if not rows or "abstract" not in rows[0]:
            continue  # an index of the sets, not a set
        texts = [record_text(r.get("title"), r.get("abstract"), r.get("keywords")) for r in rows]
        t0 = time.process_time()
        ours = word_tfidf(texts)
        t1 = time.process_time()
        theirs: Any = _sklearn(texts)
        t2 = time.process_time()
        same = (
            ours.shape == theirs.shape
            and np.array_equal(ours.indptr, theirs.indptr)
            and np.array_equal(ours.indices, theirs.indices)
            and np.array_equal(ours.data, theirs.data)
        )
        failed += not same
        verdict = "yes" if same else "NO"
        print(f"| {path.stem} | {len(texts)} | {verdict} | {t1 - t0:.2f} | {t2 - t1:.2f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The relevance ranking's model names (:mod:`review.screening.ranking` describes each).

Kept apart from the ranking, as data: ``review simulate`` offers them as choices, and the CLI
builds every command's parser on each call (each workflow rule is one call), so naming the
models must not import numpy and scipy.
"""

from __future__ import annotations

MODELS: tuple[str, ...] = (
    "naive_bayes",
    "logistic_regression",
    "svm",
    "ensemble",
    "svm_char",
    "svm_rrf_char",
    "svm_minilm",
    "svm_e5",
)
ALIASES: dict[str, str] = {"nb": "naive_bayes", "lr": "logistic_regression"}
DEFAULT_MODEL = "svm"

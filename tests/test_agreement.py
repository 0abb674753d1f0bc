"""Agreement statistics (review.agreement) against textbook values and scikit-learn."""

from __future__ import annotations

import pytest

from review.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    percent_agreement,
)


def _yes_no(n_yy: int, n_yn: int, n_ny: int, n_nn: int) -> tuple[list[str], list[str]]:
    a = ["y"] * (n_yy + n_yn) + ["n"] * (n_ny + n_nn)
    b = ["y"] * n_yy + ["n"] * n_yn + ["y"] * n_ny + ["n"] * n_nn
    return a, b


def test_cohen_kappa_textbook() -> None:
    # 50 proposals, A/B yes-yes 20, yes-no 5, no-yes 10, no-no 15: p_o = 0.7, p_e = 0.5, k = 0.4
    a, b = _yes_no(20, 5, 10, 15)
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    a, b = _yes_no(45, 15, 25, 15)  # p_o 0.6, p_e 0.54: k = 0.1304
    assert cohen_kappa(a, b) == pytest.approx(0.06 / 0.46)
    # Imported here, not at the top: scikit-learn's metrics cost every test worker ~1 s of
    # collection, for this one comparison.
    from sklearn.metrics import cohen_kappa_score

    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_undefined_when_one_category_only() -> None:
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None
    assert cohen_kappa([], []) is None


def test_fleiss_kappa_textbook() -> None:
    # Fleiss (1971) as tabulated on Wikipedia: 10 subjects, 14 raters, 5 categories: 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=5e-5)


def test_fleiss_kappa_needs_equal_raters() -> None:
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[2, 0], [1, 2]])


def test_krippendorff_alpha_textbook_with_missing_data() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers x 12 units
    # with missing values; nominal alpha = 0.743.
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
    c = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
    d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
    units = [[v for v in unit if v is not None] for unit in zip(a, b, c, d, strict=True)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)


def test_alpha_two_raters_by_hand() -> None:
    a, b = _yes_no(20, 5, 10, 15)
    alpha = krippendorff_alpha_nominal([list(p) for p in zip(a, b, strict=True)])
    # 100 values: 55 y, 45 n. Observed disagreement 1 - 0.7 = 0.3; expected (pairable values)
    # 1 - (55*54 + 45*44) / (100*99) = 0.5; alpha = 1 - 0.3/0.5 = 0.4 (Scott's pi would be 0.394).
    assert alpha == pytest.approx(0.4)


def test_percent_agreement() -> None:
    assert percent_agreement([["a", "a"], ["a", "b"], ["b", "b", "b"], ["a"]]) == pytest.approx(
        2 / 3
    )

"""Field-by-field similarity of candidate pairs, vectorised with ``rapidfuzz.process.cpdist``.

Each score is in [0, 1], or NaN where one record lacks the field: *unknown* is not *different*,
and the rules treat the two apart. ``cpdist`` compares element-wise across two equally long
lists in C on all cores, so scoring a million pairs is a handful of calls, not a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from review.dedup.prepare import Features, pages_compatible, venue_abbreviates

#: Weights of the summary score (used only to order links and to show a reviewer one number).
WEIGHTS = {"title": 0.45, "authors": 0.2, "year": 0.1, "venue": 0.05, "pages": 0.1, "abstract": 0.1}
MIN_PREFIX_CHARS = 30


@dataclass(slots=True)
class PairScores:
    """Scores of the candidate pairs ``(left[k], right[k])``; NaN = not comparable."""

    left: np.ndarray
    right: np.ndarray
    title: np.ndarray
    title_via_alt: np.ndarray  # bool: the best title score came from a title_alt
    title_prefix: np.ndarray  # a truncated title against the start of the other
    authors: np.ndarray
    year_diff: np.ndarray  # |year a - year b|, NaN when unknown
    year: np.ndarray
    venue: np.ndarray
    pages: np.ndarray
    page_range: np.ndarray  # both give a page range and it is the same
    volume: np.ndarray
    doi: np.ndarray
    url: np.ndarray
    abstract: np.ndarray
    abstract_same: np.ndarray  # 1/0: the whole long abstracts are identical; NaN: not both long
    slug_title: np.ndarray  # bool: an untitled record's URL slug spells the other's whole title
    title_len: np.ndarray  # the shorter folded title, in characters
    title_words: np.ndarray
    preprint_pair: np.ndarray
    notice_mismatch: np.ndarray
    numbers_differ: np.ndarray  # both titles carry numbers and they differ ("FOCUS 1"/"FOCUS 2")
    numbers_same: np.ndarray  # the titles carry the same numbers, or none
    title_part: np.ndarray  # one whole title against the other's main title or subtitle
    part_words: np.ndarray  # words of the matched part (a short part says little)
    issue: np.ndarray
    generic_pair: np.ndarray  # either title is a recurring heading ("Editorial")
    conference_pair: np.ndarray  # either venue is a conference or its proceedings
    same_locus: np.ndarray  # same year, volume and page range (or article number >= 10000)
    total: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    def subset(self, mask: np.ndarray) -> PairScores:
        return PairScores(**{k: getattr(self, k)[mask] for k in self.__slots__})

    @classmethod
    def concat(cls, parts: list[PairScores]) -> PairScores:
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in cls.__slots__})


def _take(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return values[idx]


def _fuzzy(a: np.ndarray, b: np.ndarray, scorer, workers: int) -> np.ndarray:
    """Element-wise similarity in [0, 1]; NaN where either side is empty."""
    out = np.full(len(a), np.nan)
    known = (a != "") & (b != "")
    if known.any():
        out[known] = cpdist(list(a[known]), list(b[known]), scorer=scorer, workers=workers) / 100.0
    return out


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.full(len(a), np.nan)
    known = (a != "") & (b != "")
    out[known] = (a[known] == b[known]).astype(float)
    return out


def score_pairs(
    features: Features, left: np.ndarray, right: np.ndarray, *, workers: int = -1
) -> PairScores:
    """Score every candidate pair on every field."""
    ta, tb = _take(features.array("title"), left), _take(features.array("title"), right)
    aa, ab = _take(features.array("title_alt"), left), _take(features.array("title_alt"), right)
    title = _fuzzy(ta, tb, fuzz.ratio, workers)
    via_alt = np.zeros(len(left), dtype=bool)
    has_alt = (aa != "") | (ab != "")
    if has_alt.any():
        sub = np.flatnonzero(has_alt)
        best = np.nan_to_num(title[sub], nan=-1.0)
        for x, y in ((aa, tb), (ta, ab), (aa, ab)):
            s = np.nan_to_num(_fuzzy(x[sub], y[sub], fuzz.ratio, workers), nan=-1.0)
            better = s > best
            via_alt[sub[better]] = True
            best = np.maximum(best, s)
        title[sub] = np.where(best < 0, np.nan, best)
    if "title_len" not in features._arrays:
        features._arrays["title_len"] = np.fromiter(
            (len(t) for t in features.title), dtype=np.int64, count=len(features)
        )
        features._arrays["title_words"] = np.fromiter(
            (t.count(" ") + 1 for t in features.title), dtype=np.int64, count=len(features)
        )
    lens, nwords = features._arrays["title_len"], features._arrays["title_words"]
    la, lb = lens[left], lens[right]
    shorter = np.minimum(la, lb)
    words = np.minimum(nwords[left], nwords[right])
    prefix = np.full(len(left), np.nan)
    t0 = np.nan_to_num(title, nan=0.0)
    cut = (shorter >= MIN_PREFIX_CHARS) & (np.abs(la - lb) >= 3) & (t0 >= 0.6) & (t0 < 0.97)
    if cut.any():
        sub = np.flatnonzero(cut)
        short = [a if len(a) < len(b) else b for a, b in zip(ta[sub], tb[sub], strict=True)]
        long_ = [
            b[: len(a)] if len(a) < len(b) else a[: len(b)]
            for a, b in zip(ta[sub], tb[sub], strict=True)
        ]
        prefix[sub] = cpdist(short, long_, scorer=fuzz.ratio, workers=workers) / 100.0

    authors = _fuzzy(
        _take(features.array("authors"), left),
        _take(features.array("authors"), right),
        fuzz.token_set_ratio,
        workers,
    )
    part, part_words = _title_part(features, left, right, ta, tb, title, authors, workers)
    years = features.array("year")
    ya, yb = years[left], years[right]
    year_diff = np.where((ya > 0) & (yb > 0), np.abs(ya - yb), np.nan).astype(float)
    year = np.where(
        np.isnan(year_diff), np.nan, np.select([year_diff == 0, year_diff == 1], [1.0, 0.5], 0.0)
    )
    venue = _fuzzy(
        _take(features.array("venue"), left),
        _take(features.array("venue"), right),
        fuzz.token_set_ratio,
        workers,
    )
    va, vb = _take(features.array("venue"), left), _take(features.array("venue"), right)
    # Python-level checks only where they can change a decision (titles or authors close).
    near = (np.nan_to_num(title, nan=0.0) >= 0.85) | (np.nan_to_num(authors, nan=0.0) >= 0.9)
    ra, rb = _take(features.array("page_range"), left), _take(features.array("page_range"), right)
    near |= (ra != "") & (ra == rb)  # one page range: the venue may be abbreviated
    for k in np.flatnonzero(near & (np.nan_to_num(venue, nan=1.0) < 0.9)):
        if venue_abbreviates(va[k], vb[k]):
            venue[k] = 0.9  # an abbreviation of the same name
    pa, pb = _take(features.array("start_page"), left), _take(features.array("start_page"), right)
    pages = _equal(pa, pb)
    pages[(pages == 0) & ((pa == "1") | (pb == "1"))] = np.nan  # a PDF's page 1 vs an article no.
    raw = features.pages_raw
    for k in np.flatnonzero(near & (pages == 0)):
        if pages_compatible(raw[left[k]], raw[right[k]]):
            pages[k] = np.nan  # garbled or differently written: unknown, not different
    page_rng = _equal(
        _take(features.array("page_range"), left), _take(features.array("page_range"), right)
    )
    volume = _equal(_take(features.array("volume"), left), _take(features.array("volume"), right))
    doi = _equal(_take(features.array("doi"), left), _take(features.array("doi"), right))
    url = _equal(_take(features.array("url"), left), _take(features.array("url"), right))
    abstract = _fuzzy(
        _take(features.array("abstract"), left),
        _take(features.array("abstract"), right),
        fuzz.ratio,
        workers,
    )
    abstract_same = _equal(
        _take(features.array("abstract_key"), left), _take(features.array("abstract_key"), right)
    )
    pre = features.array("preprint")
    notice = features.array("notice")
    parts = {
        "title": title,
        "authors": authors,
        "year": year,
        "venue": venue,
        "pages": pages,
        "abstract": abstract,
    }
    num = np.zeros(len(left))
    den = np.zeros(len(left))
    for name, values in parts.items():
        known = ~np.isnan(values)
        num += np.where(known, values, 0.0) * WEIGHTS[name]
        den += known * WEIGHTS[name]
    total = np.where(doi == 1, 1.0, np.divide(num, den, out=np.zeros_like(num), where=den > 0))
    issue = _equal(_take(features.array("issue"), left), _take(features.array("issue"), right))
    generic = features.array("generic").astype(bool)
    numbers = features.array("title_numbers")
    conference = features.array("conference").astype(bool)
    return PairScores(
        left=left,
        right=right,
        title=title,
        title_via_alt=via_alt,
        title_prefix=prefix,
        authors=authors,
        year_diff=year_diff,
        year=year,
        venue=venue,
        pages=pages,
        page_range=page_rng,
        volume=volume,
        doi=doi,
        url=url,
        abstract=abstract,
        abstract_same=abstract_same,
        slug_title=_slug_title(features, left, right),
        title_len=shorter,
        title_words=words,
        preprint_pair=pre[left] != pre[right],
        notice_mismatch=notice[left] != notice[right],
        numbers_differ=_equal(
            _take(features.array("title_numbers"), left),
            _take(features.array("title_numbers"), right),
        )
        == 0,
        numbers_same=numbers[left] == numbers[right],
        title_part=part,
        part_words=part_words,
        issue=issue,
        generic_pair=generic[left] | generic[right],
        conference_pair=conference[left] | conference[right],
        same_locus=(year_diff == 0)
        & (volume == 1)
        & ((page_rng == 1) | ((pages == 1) & (np.char.str_len(pa.astype(str)) >= 5))),
        total=total,
    )


#: Shortest title a URL slug may match (``url_slug_title``): a short slug says little.
MIN_SLUG_TITLE_CHARS = 40


def _slug_title(features: Features, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether one record, untitled, has a URL slug that spells the other's whole title.

    Letters and digits only on both sides (the packed folded title), exactly, over at least
    :data:`MIN_SLUG_TITLE_CHARS` characters.
    """
    slug, title = features.array("url_slug"), features.array("title")
    out = np.zeros(len(left), dtype=bool)
    for a, b in ((left, right), (right, left)):
        for k in np.flatnonzero((slug[a] != "") & (title[b] != "")):
            packed = title[b[k]].replace(" ", "")
            out[k] |= len(packed) >= MIN_SLUG_TITLE_CHARS and packed == slug[a[k]]
    return out


def _title_part(
    features: Features,
    left: np.ndarray,
    right: np.ndarray,
    ta: np.ndarray,
    tb: np.ndarray,
    title: np.ndarray,
    authors: np.ndarray,
    workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Best ratio of one record's whole title against the other's main title or subtitle.

    Scored only where it can matter: the titles differ (< 0.95), the authors agree (>= 0.75)
    and one record has a subtitle separator, so the cost stays a small share of scoring.
    """
    part = np.full(len(left), np.nan)
    words = np.zeros(len(left), dtype=np.int64)
    head, tail = features.array("title_head"), features.array("title_tail")
    ha, hb, xa, xb = head[left], head[right], tail[left], tail[right]
    todo = (
        (np.nan_to_num(title, nan=1.0) < 0.95)
        & (np.nan_to_num(authors, nan=0.0) >= 0.75)
        & ((ha != "") | (hb != ""))
    )
    if not todo.any():
        return part, words
    sub = np.flatnonzero(todo)
    best = np.full(len(sub), -1.0)
    best_words = np.zeros(len(sub), dtype=np.int64)
    for whole, piece in ((ta, hb), (ta, xb), (tb, ha), (tb, xa)):
        w, p = whole[sub], piece[sub]
        known = (w != "") & (p != "")
        if not known.any():
            continue
        s = np.full(len(sub), -1.0)
        s[known] = cpdist(list(w[known]), list(p[known]), scorer=fuzz.ratio, workers=workers) / 100
        better = s > best
        best = np.where(better, s, best)
        n = np.fromiter((x.count(" ") + 1 if x else 0 for x in p), dtype=np.int64, count=len(p))
        best_words = np.where(better, n, best_words)
    part[sub] = np.where(best < 0, np.nan, best)
    words[sub] = best_words
    return part, words

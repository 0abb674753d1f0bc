"""Candidate pairs: which records are worth comparing at all.

Comparing every pair is quadratic; instead every record emits a few *blocking keys* and only
records sharing a key are compared. Keys are chosen so that one kind of damage never hides a
duplicate from all of them:

- ``doi:``  the DOI (exact matches, the strongest evidence);
- ``tp:`` / ``ts:``  the first and last 24 letters of the folded title (a typo or a subtitle
  at one end still leaves the other end); also of the ``title_alt``, in the same key space,
  so an Indonesian title and its English alternative meet the record that shows only one;
- ``tr:``  the two rarest words of the title (word order, typos elsewhere);
- ``au:``  first-author name token + year (translated titles with no alternative title);
- ``url:`` the folded URL (two copies of one landing page);
- ``ab:`` the digest of a long abstract (one text printed twice, an untitled sighting);
- the title keys of the title an untitled record's URL slug spells (an R Discovery page);
- ``lc:``  year + volume + page range, the article's locus whatever language its title and
  venue are in (a translated title of a record that lists no authors).

Within a key the records are sorted by title and each is compared with the next ``window``
ones: exact for ordinary blocks, and for a huge block (a common surname in a common year) a
sorted-neighbourhood pass whose cost stays linear. Pairs are built with numpy, never in a
Python double loop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.dedup.prepare import Features

WINDOW = 40
PREFIX_CHARS = 24
MIN_TITLE_KEY_CHARS = 12


@dataclass(frozen=True, slots=True)
class Blocking:
    """Candidate pairs (``left < right``) and how many keys were too big to compare fully."""

    left: np.ndarray
    right: np.ndarray
    oversized_blocks: int


def _title_keys(title: str, doc_freq: Counter) -> list[str]:
    packed = title.replace(" ", "")
    if len(packed) < MIN_TITLE_KEY_CHARS:
        return [f"tp:{packed}"] if packed else []
    keys = [f"tp:{packed[:PREFIX_CHARS]}", f"ts:{packed[-PREFIX_CHARS:]}"]
    words = sorted({w for w in title.split() if len(w) > 3}, key=lambda w: (doc_freq[w], w))
    if len(words) >= 3:
        keys.append(f"tr:{words[0]}|{words[1]}")
    return keys


def block_keys(features: Features) -> tuple[list[int], list[str]]:
    """The long table (record index, key) of every blocking key of every record."""
    doc_freq: Counter = Counter()
    for t in features.title:
        doc_freq.update({w for w in t.split() if len(w) > 3})
    idx: list[int] = []
    keys: list[str] = []
    for i in range(len(features)):
        own: list[str] = []
        if features.doi[i]:
            own.append(f"doi:{features.doi[i]}")
        own.extend(_title_keys(features.title[i], doc_freq))
        if features.title_alt[i]:
            own.extend(_title_keys(features.title_alt[i], doc_freq))
        if features.first_author[i] and features.year[i]:
            own.append(f"au:{features.first_author[i]}|{features.year[i]}")
        if features.url[i]:
            own.append(f"url:{features.url[i]}")
        if features.url_slug[i]:
            # packed already: the same tp:/ts: key space as a title's (the slug has no spaces)
            own.extend(_title_keys(features.url_slug[i], doc_freq)[:2])
        if features.abstract_key[i]:
            own.append(f"ab:{features.abstract_key[i]}")
        if features.page_range[i] and features.volume[i] and features.year[i]:
            own.append(f"lc:{features.year[i]}|{features.volume[i]}|{features.page_range[i]}")
        for key in dict.fromkeys(own):
            idx.append(i)
            keys.append(key)
    return idx, keys


def candidate_pairs(features: Features, *, window: int = WINDOW) -> Blocking:
    """Every pair of records that share a blocking key (within ``window`` in huge blocks)."""
    idx, keys = block_keys(features)
    if not idx:
        empty = np.empty(0, dtype=np.int64)
        return Blocking(empty, empty, 0)
    rec = np.asarray(idx, dtype=np.int64)
    codes, _ = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    # Sort by key, then by title so neighbours inside a huge block are the likeliest matches.
    title_rank = pd.factorize(pd.Series(features.title, dtype=object), sort=True)[0]
    order = np.lexsort((rec, title_rank[rec], codes))
    codes = codes[order]
    rec = rec[order]
    sizes = np.bincount(codes)
    oversized = int((sizes > window + 1).sum())
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    n = len(codes)
    for d in range(1, min(window, int(sizes.max()) - 1) + 1):
        same = codes[: n - d] == codes[d:]
        if not same.any():
            break
        a = rec[: n - d][same]
        b = rec[d:][same]
        lefts.append(np.minimum(a, b))
        rights.append(np.maximum(a, b))
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return Blocking(empty, empty, oversized)
    left = np.concatenate(lefts)
    right = np.concatenate(rights)
    keep = left != right
    pair_code = np.unique(left[keep] * np.int64(len(features)) + right[keep])
    return Blocking(pair_code // len(features), pair_code % len(features), oversized)

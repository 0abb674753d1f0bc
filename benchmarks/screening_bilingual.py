"""Do the ranking's features bridge Indonesian and English? Translation pairs of the UMKM corpus.

The default review is bilingual. A bag of words in one language cannot tell that "Transformasi
UMKM melalui pendampingan literasi digital" and "Transformation of SMEs through digital literacy
coaching" are the same study, so a decision on one teaches the model nothing about the other.

Pairs: every row of ``../shared/corpus/umkm/records.csv`` (and its update round) that shows a
second-language title (``title`` / ``title_alt``), plus works seen once in Indonesian and once
in English under different titles (same ``work_key``). For each pair, one title is the query and
every other distinct title of the corpus (both collections, both columns) is a candidate; we
report where the partner ranks by cosine similarity, both directions: recall@1, recall@10, MRR.
A feature set that bridges the languages puts the translation first.

Usage: ``.venv/bin/python benchmarks/screening_bilingual.py [--models word char minilm e5]``
(``minilm`` needs the ``embeddings`` extra, ``e5`` the ``multilingual`` extra; a missing one is
reported and skipped). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from review.errors import ReviewError  # noqa: E402
from review.screening import features  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "umkm"


def load_pairs() -> tuple[list[str], list[tuple[int, int]]]:
    """All distinct titles (candidates) and (indonesian, english) index pairs among them."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in _files()]
    df = pd.concat(frames, ignore_index=True)
    titles: dict[str, int] = {}

    def idx(t: str) -> int:
        return titles.setdefault(t.strip(), len(titles))

    for t in list(df["title"]) + list(df["title_alt"]):
        if t.strip():
            idx(t)
    pairs: set[tuple[int, int]] = set()
    for row in df.itertuples():
        if row.title.strip() and row.title_alt.strip():
            first, second = idx(row.title), idx(row.title_alt)
            pairs.add((first, second) if row.language == "id" else (second, first))
    for _key, work in df.groupby("work_key"):
        by_lang = {lang: set(work.loc[work["language"] == lang, "title"]) for lang in ("id", "en")}
        for t_id in by_lang["id"]:
            for t_en in by_lang["en"]:
                if t_id.strip() and t_en.strip() and t_id.strip() != t_en.strip():
                    pairs.add((idx(t_id), idx(t_en)))
    return list(titles), sorted(pairs)


def _files() -> list[Path]:
    files = [CORPUS / "records.csv", CORPUS / "update-2026-11-30" / "records.csv"]
    return [f for f in files if f.is_file()]


def represent(model: str, texts: list[str]) -> np.ndarray:
    if model == "word":
        x = features.word_tfidf(texts)
    elif model == "char":
        x = features.char_tfidf(texts)
    else:
        return features.embed(texts, model=model)
    return x.toarray()


def ranks(x: np.ndarray, pairs: list[tuple[int, int]]) -> list[int]:
    """Rank (1 = first) of the partner among all other titles, both directions of each pair."""
    sim = x @ x.T
    out = []
    for a, b in pairs:
        for q, t in ((a, b), (b, a)):
            s = sim[q].copy()
            s[q] = -np.inf
            out.append(int((s > s[t]).sum()) + 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--models", nargs="+", default=["word", "char", "minilm", "e5"])
    args = parser.parse_args()
    if not _files():
        raise SystemExit(f"corpus not found under {CORPUS}")
    texts, pairs = load_pairs()
    print(f"{len(pairs)} translation pairs among {len(texts)} distinct titles\n")
    print("| features | recall@1 | recall@10 | MRR | median rank | CPU s |")
    print("|---|---|---|---|---|---|")
    for model in args.models:
        start = time.process_time()
        try:
            x = represent(model, texts)
        except ReviewError as exc:
            print(f"| {model} | not run: {exc} | | | | |")
            continue
        cpu = time.process_time() - start
        r = np.array(ranks(x, pairs))
        print(
            f"| {model} | {np.mean(r == 1):.2f} | {np.mean(r <= 10):.2f} | "
            f"{np.mean(1 / r):.2f} | {int(np.median(r))} | {cpu:.1f} |"
        )


if __name__ == "__main__":
    main()

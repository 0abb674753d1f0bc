"""How well do the protocol's keyword suggestions predict what coders coded?

Compares, per choice field with keywords, the ``suggested_<field>`` values of the coding sheet
with each coder's values in ``data/decisions/coding/<coder>.csv`` for the studies that coder
coded: micro precision and recall over (study, value) pairs for multiple-choice fields, and
exact-match accuracy for single-choice fields. Suggestions are hints for the coder, never coded
values; these figures say how often a hint is right and how much it misses.

Run from the project root (needs data/interim/studies.csv from the dedup stage):

    .venv/bin/python benchmarks/extraction_prefill.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from review.extraction.fields import coding_fields, separator
from review.extraction.inputs import read_studies
from review.extraction.prefill import suggest
from review.extraction.validate import Problems, coder_files, read_coder_file
from review.protocol import load_protocol


def main() -> int:
    protocol = load_protocol("config/protocol.yaml")
    all_fields = coding_fields(protocol)
    fields = [f for f in all_fields if f.is_choice and f.has_keywords]
    sep = separator(protocol)
    studies = read_studies("data/interim/studies.csv")
    problems = Problems()
    print("| coder | field | type | studies | precision | recall | exact match |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    start = time.perf_counter()
    n_suggest = 0
    for path in coder_files(Path("data/decisions/coding")):
        rows = [r for r in read_coder_file(path, all_fields, studies, problems) if not r.superseded]
        problems.raise_if_any()
        for f in fields:
            tp = fp = fn = exact = 0
            for r in rows:
                value, _ = suggest(f, studies[r.study_id], sep)
                n_suggest += 1
                got = set(value.split(sep)) if value else set()
                coded = r.values.get(f.name) or []
                want = set(coded) if isinstance(coded, list) else {coded} - {""}
                tp += len(got & want)
                fp += len(got - want)
                fn += len(want - got)
                exact += got == want
            prec = f"{tp / (tp + fp):.2f}" if tp + fp else "n/a"
            rec = f"{tp / (tp + fn):.2f}" if tp + fn else "n/a"
            print(
                f"| {path.stem} | {f.name} | {f.type} | {len(rows)} | {prec} | {rec} | "
                f"{exact}/{len(rows)} |"
            )
    elapsed = time.perf_counter() - start
    print(f"\n{n_suggest} suggestions in {elapsed:.3f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The synthesis computations of the report: pure functions over the included studies.

A *study* here is a main study (PRISMA 2020's study: a group of linked reports, issue 12 item
7); every count, vote and verdict is per main study. Nothing here writes prose: the report's
templates lay the numbers out, and reviewers write what they mean.

- :mod:`.studies` — the main studies with their coded values, directions and appraisal;
- :mod:`.window` — the review window of this version (``synthesis.window``);
- :mod:`.grouping` — the synthesis groups (SWiM item 1);
- :mod:`.direction` — the effect-direction table and vote counting on direction of effect;
- :mod:`.heterogeneity` — directions tabulated by study characteristics;
- :mod:`.comparison` — the verdicts on a published review's conclusions;
- :mod:`.sensitivity` — everything above recomputed without some studies;
- :mod:`.stats` — the sign test and the Wilson interval.
"""

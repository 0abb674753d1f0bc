"""The decision rule, written as named rules a reviewer can read (``review dedup --explain``).

A pair is merged when one *merge rule* holds and none of that rule's *vetoes* does. Rules are
tried in order and the first that fires is recorded in ``dedup_links.csv``, with every score,
so a reviewer sees why two records became one study. Thresholds were set on the public SRA
and ASySD sets (see ``benchmarks/RESULTS.md``) with a false merge costing far more than a
missed one: a missed duplicate costs a reviewer a minute, a false merge loses a study.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from review.dedup.scoring import PairScores

Test = Callable[[PairScores], np.ndarray]


def _ge(x: np.ndarray, t: float) -> np.ndarray:
    return np.nan_to_num(x, nan=-1.0) >= t


def _le(x: np.ndarray, t: float) -> np.ndarray:
    """``x <= t``, false where ``x`` is unknown."""
    return np.nan_to_num(x, nan=np.inf) <= t


def _within(x: np.ndarray, t: float) -> np.ndarray:
    """``x <= t``, true where ``x`` is unknown (a missing year does not contradict)."""
    return np.nan_to_num(x, nan=-np.inf) <= t


def _unknown(x: np.ndarray) -> np.ndarray:
    return np.isnan(x)


def _long_title(s: PairScores) -> np.ndarray:
    return (s.title_len >= 40) & (s.title_words >= 5)


@dataclass(frozen=True, slots=True)
class Veto:
    name: str
    text: str
    test: Test


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    text: str
    test: Test
    vetoes: tuple[str, ...]


VETOES: dict[str, Veto] = {
    v.name: v
    for v in (
        Veto(
            "doi_conflict",
            "both records have a DOI and they differ (unless one is a preprint DOI)",
            lambda s: (s.doi == 0) & ~s.preprint_pair,
        ),
        Veto(
            "doi_conflict_off_locus",
            "both records have a DOI and they differ, unless the titles are the same (>= 0.97) "
            "at the same year, volume and page range: then one database's DOI is wrong (a DOI "
            "with another journal's ISSN)",
            lambda s: (s.doi == 0) & ~s.preprint_pair & ~(_ge(s.title, 0.97) & s.same_locus),
        ),
        Veto(
            "notice_mismatch",
            "one title is an erratum/retraction/comment/reply notice and the other is not",
            lambda s: s.notice_mismatch,
        ),
        Veto(
            "year_far",
            "years differ by more than 1 (more than 3 for a preprint and its published version)",
            lambda s: np.nan_to_num(s.year_diff, nan=0) > np.where(s.preprint_pair, 3, 1),
        ),
        Veto(
            "title_numbers_differ",
            "both titles carry numbers and they differ (FOCUS 1 / FOCUS 2, five-year / "
            "six-year follow-up, part 1 / part 2)",
            lambda s: s.numbers_differ & ~s.title_via_alt,
        ),
        Veto(
            "pages_conflict",
            "both records give a first page and the pages differ (page 1 of a PDF against an "
            "article number is not a conflict)",
            lambda s: s.pages == 0,
        ),
        Veto(
            "volume_conflict",
            "both records give a volume and the volumes differ (another issue, or a conference "
            "abstract and the article that followed it), unless title, year, venue and authors "
            "all agree (a typo in the volume)",
            lambda s: (
                (s.volume == 0)
                & ~(
                    _ge(s.title, 0.99)
                    & (s.year_diff == 0)
                    & _ge(s.venue, 0.9)
                    & _ge(s.authors, 0.9)
                )
            ),
        ),
        Veto(
            "venue_conflict",
            "both records name a venue, the names barely overlap (< 0.5) and neither "
            "abbreviates the other, unless title, authors (>= 0.75), year and pages all agree "
            "(a venue named in two languages, a book series and its volume title)",
            lambda s: (
                (s.venue < 0.5)
                & ~(
                    _ge(s.title, 0.99)
                    & _ge(s.authors, 0.75)
                    & (s.year_diff == 0)
                    & ((s.pages == 1) | (s.page_range == 1))
                )
            ),
        ),
        Veto(
            "authors_conflict",
            "both records list authors and the names barely overlap (< 0.5)",
            lambda s: s.authors < 0.5,
        ),
        Veto(
            "generic_title",
            "a title is a recurring heading (Editorial, Editor's Comments, Issue information, "
            "Reviewer acknowledgement, Erratum, Reply ...): the same title, editor, journal "
            "and year recur in every issue, so such records merge only on the same DOI, or "
            "the same volume and issue, or the same first page, with no issue that differs",
            lambda s: (
                s.generic_pair
                & ((s.issue == 0) | ~((s.pages == 1) | ((s.volume == 1) & (s.issue == 1))))
            ),
        ),
    )
}
_ALL = tuple(v for v in VETOES if v != "doi_conflict_off_locus")
_NOT_DOI = ("notice_mismatch",)

RULES: tuple[Rule, ...] = (
    Rule(
        "doi_exact",
        "same DOI, and the titles are not unrelated (title >= 0.6 in either language, or a "
        "title is missing): a supplement's DOI shared by many abstracts must not merge them",
        lambda s: (s.doi == 1) & (_ge(s.title, 0.6) | _unknown(s.title)),
        _NOT_DOI,
    ),
    Rule(
        "preprint_published",
        "one is a preprint, the other not (their DOIs may differ); title >= 0.95 and "
        "authors >= 0.7, or a long identical title where a side lists no authors; "
        "years within 3",
        lambda s: (
            s.preprint_pair
            & (
                (_ge(s.title, 0.95) & _ge(s.authors, 0.7))
                | (_ge(s.title, 0.99) & _long_title(s) & _unknown(s.authors))
            )
            & _within(s.year_diff, 3)
        ),
        ("notice_mismatch", "year_far", "authors_conflict"),
    ),
    Rule(
        "title_high+year+author",
        "title >= 0.95, authors >= 0.75, same year (or years 1 apart with venue >= 0.6 or "
        "the same first page: online-first and print)",
        lambda s: (
            _ge(s.title, 0.95)
            & _ge(s.authors, 0.75)
            & ((s.year_diff == 0) | ((s.year_diff == 1) & (_ge(s.venue, 0.6) | (s.pages == 1))))
        ),
        _ALL,
    ),
    Rule(
        "title_high+author+conference_year",
        "a conference paper dated by its conference year in one database and by its "
        "proceedings year in another: long title >= 0.97, authors >= 0.9, years 1 apart, a "
        "venue names a conference and the venues do not conflict",
        lambda s: (
            _ge(s.title, 0.97)
            & _long_title(s)
            & _ge(s.authors, 0.9)
            & (s.year_diff == 1)
            & s.conference_pair
        ),
        _ALL,
    ),
    Rule(
        "title_high+year+pages",
        "title >= 0.95, years within 1, same first page",
        lambda s: (
            _ge(s.title, 0.95) & _le(s.year_diff, 1) & ~_unknown(s.year_diff) & (s.pages == 1)
        ),
        _ALL,
    ),
    Rule(
        "title_exact+venue",
        "long title identical after folding, same year or a year missing, venue >= 0.8",
        lambda s: _ge(s.title, 0.99) & _long_title(s) & _within(s.year_diff, 0) & _ge(s.venue, 0.8),
        _ALL,
    ),
    Rule(
        "title_exact+year",
        "long title identical after folding, same year, authors missing on one side",
        lambda s: _ge(s.title, 0.99) & _long_title(s) & (s.year_diff == 0) & _unknown(s.authors),
        _ALL,
    ),
    Rule(
        "title_exact+author",
        "long title identical after folding, authors >= 0.75, year missing on one side",
        lambda s: (
            _ge(s.title, 0.99) & _long_title(s) & _ge(s.authors, 0.75) & _unknown(s.year_diff)
        ),
        _ALL,
    ),
    Rule(
        "title_similar+author+year+venue",
        "title >= 0.88, authors >= 0.9, same year, venue >= 0.8 or same first page",
        lambda s: (
            _ge(s.title, 0.88)
            & _ge(s.authors, 0.9)
            & (s.year_diff == 0)
            & (_ge(s.venue, 0.8) | (s.pages == 1))
        ),
        _ALL,
    ),
    Rule(
        "title_similar+locus",
        "title >= 0.9 at the same year, volume and page range (or article number of 5+ "
        "digits) in the same venue (>= 0.8): that locus names one article, so authors written "
        "another way (a study group for its chair, a surname with initials against full "
        "names) and a number written another way ('p16(INK4a)' / 'p6INK4a') do not separate "
        "the two records; nor does a second DOI when the titles are the same",
        lambda s: _ge(s.title, 0.9) & s.same_locus & _ge(s.venue, 0.8),
        (
            "doi_conflict_off_locus",
            *(
                v
                for v in _ALL
                if v not in ("doi_conflict", "authors_conflict", "title_numbers_differ")
            ),
        ),
    ),
    Rule(
        "title_prefix+author",
        "a truncated title matches the start of the other (>= 0.97 over >= 30 characters), "
        "authors >= 0.75, same year or a year missing",
        lambda s: _ge(s.title_prefix, 0.97) & _ge(s.authors, 0.75) & _within(s.year_diff, 0),
        _ALL,
    ),
    Rule(
        "title_prefix+venue",
        "a truncated title matches the start of the other (>= 0.97 over >= 40 characters), "
        "venue >= 0.9, same year or a year missing",
        lambda s: (
            _ge(s.title_prefix, 0.97)
            & (s.title_len >= 40)
            & _ge(s.venue, 0.9)
            & _within(s.year_diff, 0)
        ),
        _ALL,
    ),
    Rule(
        "title_part+author",
        "one record's whole title equals the other's main title without its subtitle, or "
        "its title after a lead-in ('X' / 'X: an investigation of Y', 'Review article: X'): "
        ">= 0.97 over >= 3 words, authors >= 0.75, years within 1 (or one missing), and venue "
        ">= 0.8 or the same first page; no number in one title that the other lacks (a "
        "'5-year follow-up' subtitle is another paper)",
        lambda s: (
            _ge(s.title_part, 0.97)
            & (s.part_words >= 3)
            & s.numbers_same
            & _ge(s.authors, 0.75)
            & _within(s.year_diff, 1)
            & (_ge(s.venue, 0.8) | (s.pages == 1))
        ),
        _ALL,
    ),
    Rule(
        "title_exact+author+venue+volume",
        "long title identical after folding, authors >= 0.9, venue >= 0.8, same volume, years "
        "within 1, and only the pages differ: a page or year typo, or a meeting abstract and "
        "the article printed in one volume of one journal (one study)",
        lambda s: (
            _ge(s.title, 0.99)
            & _long_title(s)
            & _ge(s.authors, 0.9)
            & _ge(s.venue, 0.8)
            & (s.volume == 1)
            & _le(s.year_diff, 1)
        ),
        tuple(v for v in _ALL if v != "pages_conflict"),
    ),
    Rule(
        "url_exact",
        "the same web address (ignoring scheme and www.), or the same article identifier in "
        "it (an OJS article id on one journal site, a Garuda document number, a KoreaScience "
        "JAKO id, an AnyFlip book, an ISSN/volume/issue/article path on a mirror), titles "
        ">= 0.9 or one missing",
        lambda s: (s.url == 1) & (_ge(s.title, 0.9) | _unknown(s.title)),
        _ALL,
    ),
    Rule(
        "url_slug_title",
        "a record that shows no title has a web address whose slug spells the other record's "
        "whole title, letter for letter (>= 40 letters over >= 6 words; an article page named "
        "by its title, e.g. R Discovery), nothing conflicts",
        lambda s: s.slug_title,
        _ALL,
    ),
    Rule(
        "abstract_exact_long",
        "the whole abstracts are identical after folding (>= 400 characters) and the titles "
        "agree (>= 0.95) or one is missing: one text printed twice (a meeting abstract in "
        "two journals' supplements, each with its own DOI), so two DOIs, venues, volumes or "
        "pages do not separate them; years within 1, authors and title numbers must not "
        "conflict, and a notice never joins its paper",
        lambda s: (s.abstract_same == 1) & (_ge(s.title, 0.95) | _unknown(s.title)),
        (
            "notice_mismatch",
            "year_far",
            "title_numbers_differ",
            "authors_conflict",
            "generic_title",
        ),
    ),
    Rule(
        "authors+year+venue+pages",
        "titles differ (e.g. translated) but both exist, authors >= 0.9, same year, "
        "venue >= 0.9, same volume and the same page range (one-page abstracts share pages)",
        lambda s: (
            ~_unknown(s.title)
            & _ge(s.authors, 0.9)
            & (s.year_diff == 0)
            & _ge(s.venue, 0.9)
            & (s.page_range == 1)
            & (s.volume == 1)
        ),
        _ALL,
    ),
    Rule(
        "translated_title+locus",
        "titles in two languages (or one translated, one original) with the same year, "
        "volume and page range (or article number of 5+ digits) and authors >= 0.9; the "
        "venue may be named in another language, so it is not compared. Where one record "
        "lists no authors, the venue must agree (>= 0.9) and the titles be related (>= 0.5)",
        lambda s: (
            ~_unknown(s.title)
            & s.same_locus
            & (_ge(s.authors, 0.9) | (_unknown(s.authors) & _ge(s.venue, 0.9) & _ge(s.title, 0.5)))
        ),
        tuple(v for v in _ALL if v != "venue_conflict"),
    ),
    Rule(
        "title_exact_long",
        "title identical after folding, at least 60 characters and 8 words, same year or a "
        "year missing, nothing conflicts",
        lambda s: (
            _ge(s.title, 0.99)
            & (s.title_len >= 60)
            & (s.title_words >= 8)
            & _within(s.year_diff, 0)
        ),
        _ALL,
    ),
)

#: Priority of each rule (lower fires first, and links are clustered in this order).
RULE_RANK = {r.name: k for k, r in enumerate(RULES)}


def rule_rank(name: str) -> int:
    """Priority of a fired rule name (``title_alt_*`` ranks as its ``title_*`` rule)."""
    if name.startswith("title_alt_"):
        name = "title_" + name[len("title_alt_") :]
    return RULE_RANK[name]


def apply_rules(scores: PairScores) -> tuple[np.ndarray, np.ndarray]:
    """The rule that fired for each pair ("" = not merged) and the vetoes that stopped others.

    Returns ``(rule, blocked_by)``: ``blocked_by`` names the vetoes of the first rule whose
    test held but was vetoed, so near misses can be shown to a reviewer.
    """
    n = len(scores)
    veto_hits = {name: v.test(scores) for name, v in VETOES.items()}
    rule = np.full(n, "", dtype=object)
    blocked = np.full(n, "", dtype=object)
    open_ = np.ones(n, dtype=bool)
    for r in RULES:
        hit = r.test(scores) & open_
        if not hit.any():
            continue
        stopped = np.zeros(n, dtype=bool)
        why = np.full(n, "", dtype=object)
        for v in r.vetoes:
            h = hit & veto_hits[v]
            why[h] = np.where(why[h] == "", v, why[h] + "+" + v)
            stopped |= h
        fire = hit & ~stopped
        rule[fire] = r.name
        open_ &= ~fire
        first_block = hit & stopped & (blocked == "")
        blocked[first_block] = r.name + " vetoed by " + why[first_block]
    via_alt = scores.title_via_alt & (rule != "")
    for k in np.flatnonzero(via_alt):
        if rule[k].startswith("title_") and not rule[k].startswith("title_prefix"):
            rule[k] = "title_alt_" + rule[k][len("title_") :]
    blocked[rule != ""] = ""
    return rule, blocked


def explain() -> str:
    """The rules and vetoes as plain text, in the order they are tried."""
    lines = ["Merge rules (tried in order; the first that holds and is not vetoed fires):"]
    for k, r in enumerate(RULES, 1):
        lines.append(f"  {k:2d}. {r.name}: {r.text}")
        lines.append(f"      vetoed by: {', '.join(r.vetoes)}")
    lines.append("Vetoes:")
    lines.extend(f"  - {v.name}: {v.text}" for v in VETOES.values())
    lines.append(
        "Clustering: links are joined strongest first; a join is refused when any two records of "
        "the joined study would have different DOIs (preprint pairs aside, and one title at one "
        "year, volume and page range: a wrong DOI; and one long abstract printed twice), "
        "years more than 1 "
        "apart, unrelated titles (< 0.5, alternative titles included, unless both give the "
        "same year, volume and page range), a notice and a non-notice, two recurring "
        "headings in different issues, or a reviewer's split."
    )
    lines.append(ERRATA_CONVENTION)
    return "\n".join(lines)


#: The convention for errata, corrigenda, retractions, comments and replies, stated in
#: ``--explain``, the README and benchmarks/RESULTS.md.
ERRATA_CONVENTION = (
    "Errata convention: an erratum, corrigendum, correction, retraction or expression of "
    "concern, a comment on a paper and a reply to one are notices, each its own record: never "
    "merged with the paper they concern (veto notice_mismatch, and refused in clustering), "
    "while two copies of the same notice merge like any records (a notice titled only "
    "'Erratum' or 'Reply' is a recurring heading and needs the same DOI or issue and pages). "
    "A notice is recognised by its title (Erratum..., Correction to..., Reply..., Re: ..., "
    "Comment on..., or a title ending in the corrected article's citation such as '(vol 360, "
    "pg 542, 2009)') or by a document type naming an erratum, correction or retraction."
)

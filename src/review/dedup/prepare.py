"""Turn records into the comparable features deduplication works on, and report bad input.

Everything here is per record and linear in the number of records. The features are folded forms
(titles without case, accents and punctuation; author names reduced to their name tokens, so
"Sunuantari, Manik" and "Manik Sunuantari" agree; DOIs in canonical form) kept in parallel lists,
so that blocking and scoring can index them with numpy arrays instead of walking objects.
Problems that would make a merge unsafe (no title, a DOI that is not a DOI, an impossible year,
a field so long it is surely a parsing accident) are collected as :class:`QualityIssue` rows:
they never stop the run, they are always reported, and they never make a merge easier.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from review.errors import SchemaError
from review.records import Record, anchor_key, normalise_doi, normalise_title

#: Longest title and abstract text compared; longer values are cut (and reported as huge).
MAX_TITLE_CHARS = 400
MAX_ABSTRACT_CHARS = 600
#: Shortest folded abstract whose exact identity counts as evidence (rule ``abstract_exact_long``):
#: below it sit the boilerplate texts databases put in the field ("Abstract not available",
#: a copyright line, a one-sentence meeting note) that many different records share.
MIN_ABSTRACT_KEY_CHARS = 400
#: Fewest words a web address's slug must spell for it to count as a title (``url_slug_title``).
MIN_SLUG_WORDS = 6
#: A field longer than this is reported as huge: it is most likely two fields run together.
HUGE_FIELD_CHARS = {"title": 1000, "title_alt": 1000, "venue": 500, "abstract": 20000}
HUGE_AUTHOR_COUNT = 500
#: Authors compared per record (long consortium lists add cost and no evidence).
MAX_AUTHORS = 12

#: DOI prefixes of preprint servers: a preprint and its published version have different DOIs
#: and are still one study, so such a pair is the one DOI conflict that does not veto a merge.
PREPRINT_DOI_PREFIXES = (
    "10.1101/",  # bioRxiv, medRxiv
    "10.48550/",  # arXiv
    "10.2139/",  # SSRN
    "10.21203/",  # Research Square
    "10.20944/",  # Preprints.org
    "10.31219/",  # OSF Preprints
    "10.31234/",  # PsyArXiv
    "10.31235/",  # SocArXiv
    "10.31224/",  # engrXiv
    "10.35542/",  # EdArXiv
    "10.22541/",  # Authorea
    "10.36227/",  # TechRxiv
    "10.26434/",  # ChemRxiv
    "10.32942/",  # EcoEvoRxiv
    "10.1002/essoar",  # ESS Open Archive
)
#: DOIs that name a database's record of a work (Cochrane CENTRAL) rather than the work, so two
#: of them, or one and the article's own DOI, say nothing about identity.
DATABASE_DOI_PREFIXES = ("10.1002/central/",)
_PREPRINT_WORDS = re.compile(
    r"preprint|arxiv|biorxiv|medrxiv|ssrn|research square|psyarxiv|socarxiv|osf preprints",
    re.IGNORECASE,
)
#: Titles of notices about another paper: never the same study as the paper they are about
#: (the errata convention, stated in ``review dedup --explain``): errata, corrigenda,
#: retractions, expressions of concern, replies and comments on a paper.
_NOTICE = re.compile(
    r"^(?:erratum|errata|corrigendum|corrigenda|correction|retraction|retracted|withdrawn|"
    r"withdrawal|expression of concern|notice of retraction|reply|in reply|response to|"
    r"comment on|commentary on|author s reply|authors reply|authors response|addendum|"
    r"publisher correction|author correction|editorial expression of concern)\b"
)
#: A correction record titled with the corrected article's title and its citation: Web of
#: Science "(vol 360, pg 542, 2009)", Embase "(New England Journal of Medicine (2009) 360
#: (542-544))". The citation is cut from the compared title and the record is a notice.
_CITED_CORRECTION = re.compile(
    r"\s*\((?:vol\.? ?\d+[^()]*\bpg\.? ?\d+[^()]*|[^()]*\(\d{4}\)\s*\d+\s*"
    r"(?:\(\d+\)\s*)?\([^()]*\d[^()]*\))\)\s*\.?\s*$",
    re.IGNORECASE,
)
_NOTICE_DOC_TYPE = re.compile(r"errat|correct|retract|corrigend", re.IGNORECASE)
#: Recurring headings: the same title printed in many issues of one journal by the same
#: editor ("Editor's Comments", "Editorial", "Issue information"). The title says nothing
#: about which issue, so such records merge only on a DOI or on the same issue and pages.
_GENERIC = re.compile(
    r"^(?:(?:guest |an |the )?editorials?|editor s (?:comments?|notes?|introduction|corner|"
    r"preface|letter|message|remarks)|editors (?:comments?|notes?|introduction|preface)|"
    r"editorial (?:introduction|comments?|note|board|preface|statement)|"
    r"(?:remarks|notes?|letter|message|comments?|a word|a note) from the (?:editors?|"
    r"editor in chief|editors in chief|guest editors?)|from the editors?(?: in chief)?|"
    r"letters? to the editor|issue information|in this issue|this issue|"
    r"(?:reviewers? |referees? )?acknowledge?ments?"
    r"(?: (?:to|of) (?:the )?(?:reviewers?|referees?))?|"
    r"acknowledge?ment of (?:the )?(?:reviewers?|referees?)|thanks? to (?:our )?(?:reviewers?|"
    r"referees?)|(?:list of )?reviewers?(?: list)?|(?:table of )?contents|front matter|"
    r"back matter|front cover|cover|masthead|(?:author|subject|cumulative|annual) index|index|"
    r"announcements?|calendar|news|book reviews?|correspondence|letters?|preface|foreword|"
    r"introduction|erratum|errata|corrigendum|corrigenda|correction|corrections|reply|"
    r"in reply|author s reply|authors reply|response|retraction|retraction notice|"
    r"expression of concern|call for papers|obituary|in memoriam|about the authors|"
    r"information for authors|instructions (?:for|to) authors)$"
)
#: Separators of a main title from its subtitle or lead-in ("X: Y", "X - Y", "X? Y", "X. Y").
_SUBTITLE = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s|[?!.]\s)\s*")
_ROMAN_PAGES = re.compile(r"^\s*([ivxlc]+)\s*(?:[-\u2013]+\s*([ivxlc]+))?\s*\.?$", re.I)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_LANG_TAG = re.compile(
    r"\s*[\[(](?:chinese|german|french|spanish|japanese|russian|italian|polish|portuguese|"
    r"korean|dutch|czech|hungarian|turkish|indonesian|danish|swedish|norwegian|hebrew|persian|"
    r"author'?s? transl\.?)[\])]\s*\.?\s*$",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\([^)]*\)")
_NAME_TOKEN = re.compile(r"[^\W\d_]+")
_ET_AL = re.compile(r"\bet\.? al\.?", re.IGNORECASE)
_FIRST_NUMBER = re.compile(r"[A-Za-z]?(\d+)")
_DIGITS = re.compile(r"\d+")
_URL_SCHEME = re.compile(r"^[a-z]+://", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"(?:doi\.org|/doi)/(10\.\d{4,9}/\S+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One problem with one input record, written to the dedup report."""

    record_id: str
    issue: str
    detail: str


@dataclass(slots=True)
class Features:
    """Parallel lists of folded fields, one entry per record, in input order."""

    record_ids: list[str]
    anchor_keys: list[tuple[tuple[int, tuple[int, ...], str], str]]
    title: list[str]
    title_alt: list[str]
    authors: list[str]
    first_author: list[str]
    year: list[int]  # 0 = unknown
    venue: list[str]
    volume: list[str]
    issue: list[str]
    start_page: list[str]
    page_range: list[str]
    pages_raw: list[str]
    doi: list[str]
    url: list[str]
    url_slug: list[str]  # an untitled record's URL slug, spelt as a packed title ("" if none)
    abstract: list[str]
    abstract_key: list[str]  # digest of the whole folded abstract when long enough, else ""
    title_numbers: list[str]
    title_head: list[str]  # main title before a subtitle separator ("" when none)
    title_tail: list[str]  # the rest after it (subtitle, or the title after a lead-in)
    preprint: list[bool]
    notice: list[bool]
    generic: list[bool]  # a recurring heading ("Editorial", "Editor's Comments")
    conference: list[bool]  # the venue is a conference or its proceedings
    issues: list[QualityIssue] = field(default_factory=list)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.record_ids)

    def array(self, name: str) -> np.ndarray:
        """A field as a numpy array (object dtype for text), built once and reused."""
        if name not in self._arrays:
            values = getattr(self, name)
            dtype = object if values and isinstance(values[0], str) else None
            self._arrays[name] = np.asarray(values, dtype=dtype)
        return self._arrays[name]


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def fast_normalise_title(raw: str) -> str:
    """:func:`review.records.normalise_title`, with a fast path for plain ASCII text.

    Plain ASCII with no markup or entities needs none of the Unicode folding, and skipping it
    makes the fold several times faster on the millions of titles a large run compares. The
    result is identical (``tests/test_dedup.py`` checks it on real titles).
    """
    if raw.isascii() and "<" not in raw and "&" not in raw:
        return _SPACES.sub(" ", _PUNCT.sub(" ", raw.lower())).strip()
    return normalise_title(raw)


_BRACKET_NOTE = re.compile(r"(?<=\S)\s*\[[^\]]*\]?")
_QUOTES = '"\u201c\u201d\u201e'


def unquote_title(raw: str) -> str:
    """The title without double quotes wrapped around it.

    Some exports quote whole titles (``"[Prevention of empyema ...]"``); left on, the opening
    quote makes a translated title's opening bracket look like a trailing database note, and
    the whole title would be cut away.
    """
    raw = raw.strip()
    if raw[:1] in _QUOTES or raw[-1:] in _QUOTES:
        raw = raw.strip(_QUOTES + " ")
    return raw


def fold_title(raw: str) -> str:
    """The title as compared: :func:`normalise_title` without trailing database notes.

    MEDLINE-style exports append "[Review] [33 refs]", "[Chinese]" or "[Erratum appears in
    ...]" to titles, and correction records append the corrected article's citation; a
    bracket that *opens* the title (a translated title) is kept.
    """
    if not raw:
        return ""
    raw = unquote_title(raw)
    if "[" in raw or "(" in raw:
        raw = _BRACKET_NOTE.sub("", _LANG_TAG.sub("", _CITED_CORRECTION.sub("", raw)))
    return fast_normalise_title(raw)[:MAX_TITLE_CHARS]


#: Words that mark a trailing bracket as a database's note rather than a second title.
_NOTE_WORDS = re.compile(
    r"^\s*(?:review|refs?|\d+ refs?|erratum|errata|published erratum|see comments?|comment|"
    r"letter|editorial|abstract|english abstract|author'?s? transl|retracted|corrected|"
    r"in press|epub|online|meeting abstract|proceedings)\b",
    re.IGNORECASE,
)
_TRAILING_BRACKET = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]\s*\.?\s*$")


def bracketed_title(raw: str) -> str:
    """A second-language title in square brackets after the title, or "".

    Databases give a translated title as "English title [Original title]" (or the other way
    round); the bracket is a title when it has at least three words and is not one of the
    notes MEDLINE appends ("[Review]", "[33 refs]", "[Erratum appears in ...]").
    """
    if not raw or "]" not in raw:
        return ""
    m = _TRAILING_BRACKET.match(unquote_title(raw))
    if not m or _NOTE_WORDS.match(m.group(2)) or _LANG_TAG.match(f"[{m.group(2)}]"):
        return ""
    inner = m.group(2).strip()
    return inner if len(inner.split()) >= 3 else ""


def title_parts(raw: str) -> tuple[str, str]:
    """(main title, rest) folded, split at the first subtitle separator, or ("", "").

    "X: an investigation of Y" gives ("x", "an investigation of y"); "Review article: X"
    gives ("review article", "x"). A database that drops the subtitle, or a lead-in, then
    leaves one of the two parts equal to the other record's whole title.
    """
    if not raw or not any(c in raw for c in ":-\u2013\u2014?!."):
        return "", ""
    text = _BRACKET_NOTE.sub("", _CITED_CORRECTION.sub("", unquote_title(raw)))
    text = text.strip().rstrip(".?! ")
    parts = _SUBTITLE.split(text, maxsplit=1)
    if len(parts) != 2:
        return "", ""
    head, tail = fast_normalise_title(parts[0]), fast_normalise_title(parts[1])
    if not head or not tail:
        return "", ""
    return head[:MAX_TITLE_CHARS], tail[:MAX_TITLE_CHARS]


def _roman(text: str) -> int:
    total, prev = 0, 0
    for ch in reversed(text.lower()):
        v = _ROMAN[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def roman_pages(pages: str) -> str:
    """Front-matter pages in roman numerals as "R3-R10" ("iii-x"), or "" when not roman.

    Editorials are paged iii-x; read as digits they would have no first page at all, so two
    editorials of different issues could never show a page conflict.
    """
    m = _ROMAN_PAGES.match(pages or "")
    if not m:
        return ""
    start = _roman(m.group(1))
    return f"R{start}-R{_roman(m.group(2))}" if m.group(2) else f"R{start}"


def author_tokens(authors: Sequence[str]) -> tuple[str, str]:
    """(signature, first-author key) of an author list.

    The signature is every name token of the first authors, sorted, so that "Surname, Given",
    "Given Surname", all-caps surnames and Indonesian single names ("Muchlis") compare by the
    names they share whatever order a source printed them in; initials stay as one-letter tokens,
    which a token-set comparison treats as weak, partial evidence. Affiliations in parentheses and
    "et al." are dropped. The first-author key is that author's family name when written
    "Surname, Given", else the longest name token, the part most likely to be the family name
    in either order.
    """
    tokens: list[str] = []
    first = ""
    for k, name in enumerate(authors[:MAX_AUTHORS]):
        if "(" in name:
            name = _PAREN.sub(" ", name)
        if "et" in name:
            name = _ET_AL.sub(" ", name)
        parts = _NAME_TOKEN.findall(_fold(name))
        if not parts:
            continue
        if not first and k == 0:
            # "Surname, Given": the surname is before the comma ("Imazio, Massimo" and
            # "Imazio, M." share "imazio", not "massimo"); otherwise the longest token.
            family = _NAME_TOKEN.findall(_fold(name.split(",", 1)[0])) if "," in name else []
            first = sorted(family or parts, key=lambda p: (-len(p), p))[0]
        tokens.extend(parts)
    return " ".join(sorted(tokens)), first


def start_page(pages: str) -> str:
    """The first page (or article number) as digits: "S123-9" and "123" both give "123"."""
    m = _FIRST_NUMBER.search(pages or "")
    return m.group(1).lstrip("0") if m else ""


_RANGE = re.compile(r"[A-Za-z]?(\d+)\s*[-\u2013\u2014]+\s*[A-Za-z]?(\d+)")


def page_range(pages: str) -> str:
    """``"start-end"`` with the end written out ("221-8" gives "221-228"), or "" for one page."""
    m = _RANGE.search(pages or "")
    if not m:
        return ""
    start, end = m.group(1).lstrip("0"), m.group(2).lstrip("0")
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}" if start and end and int(end) > int(start) else ""


_CLEAN_PAGES = re.compile(r"^([A-Za-z]{0,4})(\d+)(?:\s*[-\u2013]+\s*[A-Za-z]{0,4}(\d+))?$")


def pages_compatible(a: str, b: str) -> bool:
    """Whether two page fields whose first pages differ can still be the same article.

    Exports garble pages ("Suppl-12" for S109-S112, "01-Sep" for 1-9, "t-8"), and journals give
    an article number (e1234, a1754) where print gives a range, so only two clean values that
    truly disagree count as a conflict: a single page inside the other's range, or ranges that
    end alike (one end a suffix of the other), are compatible.
    """
    ma, mb = _CLEAN_PAGES.match(a.strip()), _CLEAN_PAGES.match(b.strip())
    if not ma or not mb:
        return True
    for m in (ma, mb):
        if (
            m.group(1)
            and m.group(1).lower() not in ("s", "i", "ii", "iii", "iv")
            and not m.group(3)
        ):
            return True  # an e-locator / article number: not comparable with print pages
    ea, eb = ma.group(3) or "", mb.group(3) or ""
    if ea and eb and (ea.endswith(eb) or eb.endswith(ea)):
        return True
    for single, other in ((ma, mb), (mb, ma)):
        if not single.group(3) and other.group(3):
            lo, hi = int(other.group(2)), int(page_range(other.group(0)).split("-")[-1] or 0)
            if lo <= int(single.group(2)) <= hi:
                return True
    return False


def normalise_url(url: str) -> str:
    """A URL folded for identity: no scheme, no ``www.``, no fragment, no trailing slash."""
    url = (url or "").strip()
    if not url or "doi.org/" in url.lower():
        return ""
    url = _URL_SCHEME.sub("", url).split("#", 1)[0].rstrip("/")
    url = url.removeprefix("www.")
    return url if "/" in url else ""  # a bare host names a site, not a work


#: Article identifiers that name one work whatever else the address says: two pages of one
#: OJS article (``/article/view/58`` and ``/article/download/58/188``), a Garuda document
#: number, a KoreaScience JAKO id (``.page`` and ``.view``), an AnyFlip book and its pages, an
#: ``ISSN/volume/issue/article`` path (MDPI) on the publisher, a proxy or a mirror host.
_URL_IDS = (
    (
        re.compile(r"^([^/]+)/(?:index\.php/)?([^/]+)/article/(?:view|download|viewfile)/(\d+)"),
        "ojs:{0}/{1}/{2}",
    ),
    (re.compile(r"^garuda\.[^/]+/documents/detail/(\d+)"), "garuda:{0}"),
    (re.compile(r"/article/(jako\d{9,})"), "jako:{0}"),
    (re.compile(r"^anyflip\.com/([^/?]+)/([^/?]+)"), "anyflip:{0}/{1}"),
    (re.compile(r"/(\d{4}-\d{3}[\dx])/(\d+)/(\d+)/(\d+)(?:[/?]|$)"), "issn:{0}/{1}/{2}/{3}"),
)
_HOST_PREFIX = re.compile(r"^(?:www|mail)\.")


def url_identity(url: str, found_at: str = "") -> str:
    """What identifies the work in its web address: an article identifier, else the folded URL.

    The page a record was *found at* is used only for an article identifier, never as a whole
    address: a search or listing page is shared by many works.
    """
    for k, raw in enumerate((url, found_at)):
        if not raw or not _URL_SCHEME.match(raw.strip()):
            continue
        folded = _HOST_PREFIX.sub("", _URL_SCHEME.sub("", raw.strip()).split("#", 1)[0].lower())
        for pattern, form in _URL_IDS:
            m = pattern.search(folded)
            if m:
                return form.format(*m.groups())
        if k == 0:
            return normalise_url(raw)
    return ""


_SLUG_EXT = re.compile(r"\.(?:html?|php|aspx?|pdf)$")


def url_title_slug(url: str) -> str:
    """The title an address spells in its slug, packed (no spaces), or "".

    Article pages name themselves by their title ("/article/what-shapes-innovation-capability-
    in-microenterprises-newtothemarket-product-and-process-perspective/8c36dd..."): the slug of
    a record that shows no title then spells the title of another sighting of the same work.
    The longest path segment of at least :data:`MIN_SLUG_WORDS` hyphenated words is taken,
    without a file extension and without trailing tokens that carry digits (a mirror's id:
    "...-avenues-6014-c60c388b"). A slug keeps only letters and digits, as a packed folded
    title does, so "Micro-Enterprises" and "microenterprises" agree.
    """
    if not url or not _URL_SCHEME.match(url.strip()):
        return ""
    path = _URL_SCHEME.sub("", url.strip()).split("#", 1)[0].split("?", 1)[0]
    best: list[str] = []
    for segment in path.split("/")[1:]:
        words = [w for w in _SLUG_EXT.sub("", _fold(segment)).split("-") if w]
        while words and any(c.isdigit() for c in words[-1]):
            words.pop()
        if len(words) >= MIN_SLUG_WORDS and len(words) > len(best):
            best = words
    return "".join(re.sub(r"[\W_]", "", w) for w in best)


def abstract_key(abstract: str) -> str:
    """A digest of the whole folded abstract, or "" when it is shorter than the floor.

    Exact identity of a long abstract is kept as a digest rather than the text: the whole text
    must agree (two abstracts of one study that share their first paragraph are not one text),
    and a digest costs the same memory however long the abstract is.
    """
    if not abstract:
        return ""
    folded = fast_normalise_title(abstract[: HUGE_FIELD_CHARS["abstract"]])
    if len(folded) < MIN_ABSTRACT_KEY_CHARS:
        return ""
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=12).hexdigest()


_VENUE_STOP = {"of", "and", "the", "for", "in", "on", "de", "la", "le", "der", "und", "dan"}
#: Words of a conference's name that change from year to year or between databases:
#: "ICIS 2015 Proceedings", "Proceedings of the 36th International Conference on ...".
_VENUE_EDITION = re.compile(r"^(?:\d+|\d+(?:st|nd|rd|th)|proceedings|proc|annual)$")
_CONFERENCE = re.compile(
    r"\b(?:proceedings|proc|conference|conf|symposium|workshop|congress|colloquium|meeting|"
    r"icis|ecis|amcis|pacis|hicss|chi|cscw|kdd|www)\b"
)


#: A number printed with thousands spaces after folding ("10 000 women", "10,000"), joined so
#: that it compares with "10000".
_THOUSANDS = re.compile(r"\b(\d{1,3}) (?=\d{3}\b)")


def title_numbers(folded: str) -> str:
    """The numbers of a folded title, sorted, with thousands groups joined."""
    if not any(c.isdigit() for c in folded):
        return ""
    return " ".join(sorted(_DIGITS.findall(_THOUSANDS.sub(r"\1", folded))))


def fold_venue(raw: str) -> str:
    """A venue folded for comparison: no accents, apostrophes or punctuation, no stop words,
    no edition numbers or years (a conference keeps one name across its years)."""
    text = _fold(raw or "").replace("'", "").replace("\u2019", "")
    words = [
        w
        for w in re.split(r"[^\w]+", text)
        if w and w not in _VENUE_STOP and not _VENUE_EDITION.match(w)
    ]
    return " ".join(words)[:200]


def venue_abbreviates(a: str, b: str) -> bool:
    """Whether one folded venue abbreviates the other.

    "j open innov technol mark complex" abbreviates "journal open innovation technology
    market complexity", "neuro endocrinol lett" abbreviates "neuroendocrinology letters", "bmj"
    abbreviates "british medical journal"; "acp journal club" does not abbreviate "annals
    internal medicine". The test: same first letter, and the shorter name's letters appear in
    order in the longer one, each word starting where a word or the previous match left off.
    """
    short, long_ = sorted((a, b), key=len)
    short, long_ = short.replace(" ", ""), long_.replace(" ", "")
    if len(short) < 3 or not long_ or short[0] != long_[0] or len(short) == len(long_):
        return False
    pos = 0
    for ch in short:
        pos = long_.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


def is_preprint_doi(doi: str) -> bool:
    return doi.startswith(PREPRINT_DOI_PREFIXES)


def _plain(value: str) -> str:
    return re.sub(r"\s+", " ", _fold(value)).strip()


def build_features(records: Sequence[Record], *, today: _dt.date | None = None) -> Features:
    """Fold every record; collect the quality issues of bad input on the way."""
    max_year = (today or _dt.date.today()).year + 1
    issues: list[QualityIssue] = []
    seen: set[str] = set()
    cols: dict[str, Any] = {
        k: []
        for k in (
            "title",
            "title_alt",
            "authors",
            "first_author",
            "year",
            "venue",
            "volume",
            "issue",
            "start_page",
            "page_range",
            "pages_raw",
            "doi",
            "url",
            "url_slug",
            "abstract",
            "abstract_key",
            "title_numbers",
            "title_head",
            "title_tail",
            "preprint",
            "notice",
            "generic",
            "conference",
        )
    }
    for rec in records:
        rid = rec.record_id
        if rid in seen:
            raise SchemaError(f"record_id {rid!r} appears more than once in the dedup input")
        seen.add(rid)
        for name, limit in HUGE_FIELD_CHARS.items():
            value = getattr(rec, name) or ""
            if len(value) > limit:
                issues.append(
                    QualityIssue(rid, "huge_field", f"{name} has {len(value)} characters")
                )
        if len(rec.authors) > HUGE_AUTHOR_COUNT:
            issues.append(QualityIssue(rid, "huge_field", f"authors has {len(rec.authors)} names"))
        title = fold_title(rec.title)
        alt = fold_title(rec.title_alt or bracketed_title(rec.title))
        if alt == title:
            alt = ""
        if not title:
            issues.append(
                QualityIssue(
                    rid,
                    "no_title",
                    "no title: merged only on an exact DOI, an identical URL or an override",
                )
            )
        doi = normalise_doi(rec.doi)
        if (rec.doi and rec.doi.strip() and not doi) or "unusable DOI" in rec.notes:
            issues.append(
                QualityIssue(
                    rid,
                    "malformed_doi",
                    f"DOI {rec.doi[:80]!r} is not a DOI; ignored"
                    if rec.doi
                    else "the export's DOI is not a DOI; ignored",
                )
            )
        if not doi and rec.url:
            m = _DOI_IN_URL.search(rec.url)
            doi = normalise_doi(m.group(1)) if m else ""
        if doi.startswith(DATABASE_DOI_PREFIXES):
            doi = ""  # names a database's record of the work, not the work: never compared
        year = rec.year or 0
        if year and not 1500 <= year <= max_year:
            issues.append(
                QualityIssue(rid, "absurd_year", f"year {year} is outside 1500-{max_year}; ignored")
            )
            year = 0
        signature, first = author_tokens(rec.authors)
        venue = fold_venue(rec.venue)
        cols["title"].append(title)
        cols["title_alt"].append(alt)
        cols["authors"].append(signature)
        cols["first_author"].append(first)
        cols["year"].append(year)
        cols["venue"].append(venue)
        cols["volume"].append(start_page(rec.volume))
        cols["issue"].append(start_page(rec.issue))
        roman = roman_pages(rec.pages)
        cols["start_page"].append(roman.split("-")[0].lower() if roman else start_page(rec.pages))
        cols["page_range"].append(roman.lower() if "-" in roman else page_range(rec.pages))
        cols["pages_raw"].append(roman or (rec.pages or "").strip()[:40])
        cols["doi"].append(doi)
        cols["url"].append(url_identity(rec.url, rec.found_at))
        cols["url_slug"].append("" if title else url_title_slug(rec.url))
        cols["abstract"].append(
            fast_normalise_title(rec.abstract[: MAX_ABSTRACT_CHARS * 2])[:MAX_ABSTRACT_CHARS]
        )
        cols["abstract_key"].append(abstract_key(rec.abstract))
        cols["preprint"].append(
            is_preprint_doi(doi)
            or bool(_PREPRINT_WORDS.search(rec.doc_type or ""))
            or bool(_PREPRINT_WORDS.search(venue))
        )
        cols["title_numbers"].append(title_numbers(title))
        head, tail = title_parts(rec.title)
        cols["title_head"].append(head)
        cols["title_tail"].append(tail)
        raw_title = rec.title.lstrip(' "[(').lower()
        cols["notice"].append(
            bool(_NOTICE.match(title))
            or raw_title.startswith(("re:", "re :"))
            or bool(_CITED_CORRECTION.search(rec.title))
            or bool(_NOTICE_DOC_TYPE.search(rec.doc_type or ""))
        )
        cols["generic"].append(bool(_GENERIC.match(title)))
        cols["conference"].append(bool(_CONFERENCE.search(venue)))

    return Features(
        record_ids=[r.record_id for r in records],
        anchor_keys=[anchor_key(r) for r in records],
        issues=issues,
        **cols,
    )

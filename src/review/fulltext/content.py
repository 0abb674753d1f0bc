"""What a downloaded body really is: a PDF, a full text in HTML or JATS, or only a landing page.

A server's ``Content-Type`` is a claim, not a fact: repositories send PDFs as
``application/octet-stream`` and paywalls answer a PDF link with an HTML login page and status
200. So the bytes decide. A PDF must start with ``%PDF-`` *and* open in pypdf with at least one
page. An HTML page is a landing page unless it carries an article body, by a deliberately
conservative rule (:func:`read_html`): at least :data:`MIN_SECTIONS` distinct section headings
of a research report (introduction, methods, results, discussion, conclusion, in English or
Indonesian) *and* at least :data:`MIN_WORDS` words of text outside navigation, headers,
footers and scripts. Anything less (an abstract page, a publisher's "buy this article" page, an
OJS article page with a download button) is a landing page: it is not a full text, and the one
thing taken from it is the ``citation_pdf_url`` meta tag (Highwire Press tags, which OJS and
most publishers emit), followed one level only. A JATS XML document is a full text when its
``<body>`` holds sections or paragraphs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PDF = "application/pdf"
HTML = "text/html"
XML = "application/xml"
TEXT = "text/plain"
EXTENSIONS = {PDF: ".pdf", HTML: ".html", XML: ".xml", TEXT: ".txt"}
MEDIA_BY_EXTENSION = {ext: media for media, ext in EXTENSIONS.items()}

#: An HTML page is a full text only with this many distinct report-section headings ...
MIN_SECTIONS = 3
#: ... and this many words of visible text outside navigation, headers and footers.
MIN_WORDS = 1000

#: Headings of a research report's sections (lower case, matched at the heading's start,
#: after any numbering): IMRaD in English and Indonesian.
SECTION_HEADINGS = {
    "introduction": "introduction",
    "background": "introduction",
    "pendahuluan": "introduction",
    "latar belakang": "introduction",
    "method": "methods",
    "methods": "methods",
    "methodology": "methods",
    "materials and methods": "methods",
    "research method": "methods",
    "metode": "methods",
    "metodologi": "methods",
    "metode penelitian": "methods",
    "result": "results",
    "results": "results",
    "results and discussion": "results",
    "findings": "results",
    "hasil": "results",
    "hasil dan pembahasan": "results",
    "discussion": "discussion",
    "pembahasan": "discussion",
    "conclusion": "conclusion",
    "conclusions": "conclusion",
    "kesimpulan": "conclusion",
    "simpulan": "conclusion",
    "penutup": "conclusion",
}
_SKIPPED = {"script", "style", "nav", "header", "footer", "noscript", "template", "svg", "form"}
_HEADINGS = {"h1", "h2", "h3", "h4"}
_NUMBERING = re.compile(r"^[\s\dIVXivx.)(:-]+")


def sniff(body: bytes, content_type: str = "") -> str:
    """The media type of ``body`` from its first bytes ("" when it is none of ours)."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if body[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        return HTML
    if head.startswith(b"<?xml") or head.startswith((b"<article", b"<!doctype article")):
        return HTML if b"<html" in body[:4096].lower() else XML
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") and b"<" in head:
        return HTML
    if ctype == "text/plain" and _is_text(body):
        return TEXT
    return ""


def _is_text(body: bytes) -> bool:
    try:
        body[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in body[:65536]


@dataclass(frozen=True)
class PdfCheck:
    ok: bool
    pages: int = 0
    problem: str = ""


def check_pdf(body: bytes) -> PdfCheck:
    """Does ``body`` open as a PDF with pages? (An encrypted PDF is still a PDF: reading it
    is :mod:`review.fulltext.reading`'s business.)"""
    if not body.lstrip()[:5] == b"%PDF-":
        return PdfCheck(False, problem="does not start with %PDF-")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            return PdfCheck(True, len(reader.pages) if _opens(reader) else 0)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return PdfCheck(False, problem=f"pypdf cannot open it ({type(exc).__name__}: {exc})")
    if pages < 1:
        return PdfCheck(False, problem="the PDF has no pages")
    return PdfCheck(True, pages)


def _opens(reader: object) -> bool:
    from pypdf.errors import PyPdfError

    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]
    except (PyPdfError, NotImplementedError, ValueError):
        return False


@dataclass
class HtmlPage:
    """What an HTML page holds: its title, the sections it names, its text, its PDF link."""

    title: str = ""
    pdf_url: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    words: int = 0

    @property
    def report_sections(self) -> set[str]:
        return {k for k in (section_kind(h) for h, _ in self.sections) if k}

    @property
    def is_full_text(self) -> bool:
        """The conservative rule of the module docstring."""
        return len(self.report_sections) >= MIN_SECTIONS and self.words >= MIN_WORDS


def section_kind(heading: str) -> str:
    """The report section a heading names ("" for none): "2. Metode Penelitian" → methods."""
    text = _NUMBERING.sub("", heading).strip().lower().rstrip(".:")
    for name in sorted(SECTION_HEADINGS, key=len, reverse=True):
        if text == name or text.startswith(name + " "):
            return SECTION_HEADINGS[name]
    return ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self.skip = 0
        self.in_title = False
        self.heading: list[str] | None = None
        self.current = ("", [])  # type: tuple[str, list[str]]
        self.sections: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta" and a.get("name", "").lower() == "citation_pdf_url":
            self.page.pdf_url = self.page.pdf_url or a.get("content", "").strip()
        if tag in _SKIPPED:
            self.skip += 1
        elif tag == "title":
            self.in_title = True
        elif tag in _HEADINGS and not self.skip:
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skip:
            self.skip -= 1
        elif tag == "title":
            self.in_title = False
        elif tag in _HEADINGS and self.heading is not None:
            text = " ".join("".join(self.heading).split())
            self.heading = None
            if text:
                self.sections.append(self.current)
                self.current = (text, [])

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.skip:
            return
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.current[1].append(data)

    def result(self) -> HtmlPage:
        self.sections.append(self.current)
        for heading, parts in self.sections:
            text = " ".join(" ".join(parts).split())
            if heading or text:
                self.page.sections.append((heading, text))
        self.page.title = " ".join(self.page.title.split())
        self.page.words = sum(len(t.split()) for _, t in self.page.sections)
        return self.page


def read_html(body: bytes) -> HtmlPage:
    """Parse an HTML page: sections (split at h1-h4), visible words, ``citation_pdf_url``."""
    reader = _Reader()
    reader.feed(body.decode("utf-8", errors="replace"))
    reader.close()
    return reader.result()


def jats_sections(body: bytes) -> list[tuple[str, str]]:
    """The ``<body>`` of a JATS article as (heading, text) per top-level ``<sec>`` (or one
    untitled section when the body has paragraphs but no sections); [] when it has none."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException):
        return []
    doc_body = next((e for e in root.iter() if _local(e.tag) == "body"), None)
    if doc_body is None:
        return []
    secs = [e for e in doc_body if _local(e.tag) == "sec"]
    if not secs:
        text = _text_of(doc_body)
        return [("", text)] if text else []
    out = []
    for sec in secs:
        title = next((e for e in sec if _local(e.tag) == "title"), None)
        heading = _text_of(title) if title is not None else ""
        out.append((heading, _text_of(sec)))
    return out


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _text_of(element: object) -> str:
    return " ".join(" ".join(element.itertext()).split())  # type: ignore[attr-defined]

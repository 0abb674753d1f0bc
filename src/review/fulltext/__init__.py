"""The full-text stage: find each sought report, keep it, read it, and say what is at hand.

- :mod:`~review.fulltext.locations`: where a study's full text may be, from the metadata the
  searches already harvested (OpenAlex, Crossref, DOAJ, Semantic Scholar pages), the records'
  own addresses, and Unpaywall by DOI;
- :mod:`~review.fulltext.content`: what a response really is (a PDF that parses, an HTML or
  JATS full text, or a landing page), and the one link a landing page may offer;
- :mod:`~review.fulltext.store`: the content-addressed files and the append-only manifest
  under ``data/raw/fulltext/``;
- :mod:`~review.fulltext.retrieve`: the live retrieval run (resumable, polite, size-limited);
- :mod:`~review.fulltext.added`: files reviewers add by hand;
- :mod:`~review.fulltext.reading`: text page by page (pypdf for PDFs);
- :mod:`~review.fulltext.status`: ``fulltext.csv``, the status that drives PRISMA;
- :mod:`~review.fulltext.evidence`: the pages where the protocol's keywords occur.
"""

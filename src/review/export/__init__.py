"""``review export``: the studies of a chosen screening state, written for the tools reviewers
use (RIS, BibTeX, CSV, a Zotero collection).

:mod:`~review.export.select` chooses the studies, :mod:`~review.export.ris`,
:mod:`~review.export.bibtex` and :mod:`~review.export.table` write them, and
:mod:`~review.export.doctypes` maps the studies' free-text document types to the closed
vocabularies of RIS and BibTeX. What an export writes, ``review import`` reads back: the
values in the file are the values read (see each writer for how it makes sure).
"""

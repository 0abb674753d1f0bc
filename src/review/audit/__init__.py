"""Auditing screening decisions at any scale.

- :mod:`~review.audit.timeline`: one study's decisions as an auditor reads them (every ledger
  row in order, superseded rows marked, the reviewers side by side with the conflict and how it
  was settled);
- :mod:`~review.audit.reviewers`: one reviewer's decisions, reasons and agreement with others;
- :mod:`~review.audit.verification`: a reproducible random sample of decisions for a second
  person to re-decide blind, its import into a verification ledger, and the agreement of that
  check;
- :mod:`~review.audit.rows`: the compact rows the audit index filters;
- :mod:`~review.audit.pages`: the audit view written as files (an index that loads its data in
  chunks, one page per study and per reviewer), offline and under a strict content policy.

The study trail itself (records, dedup links, events, coding) is built by
:mod:`review.report.audit`, shared with ``review audit STUDY_ID`` in the terminal.
"""

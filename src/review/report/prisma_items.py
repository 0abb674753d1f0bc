"""The PRISMA 2020 checklist's items (Page et al., BMJ 2021;372:n71), in our own short words:
all 27 items and their sub-items, by part of the report. Which section reports each item is
declared by the sections themselves (``PRISMA`` in :mod:`review.report.sections`); this table
only names the items, and says why the items no section can report are not reported."""

from __future__ import annotations

#: (part, item, topic) in checklist order.
ITEMS: tuple[tuple[str, str, str], ...] = (
    ("Title", "1", "Identify the report as a systematic review"),
    ("Abstract", "2", "Structured abstract (PRISMA 2020 for Abstracts)"),
    ("Introduction", "3", "Rationale in the context of existing knowledge"),
    ("Introduction", "4", "Objectives or questions the review addresses"),
    ("Methods", "5", "Eligibility criteria, and how studies were grouped for the syntheses"),
    ("Methods", "6", "Information sources, with the date each was last searched"),
    ("Methods", "7", "Full search strategies, with filters and limits"),
    ("Methods", "8", "Selection process: reviewers, independence, automation tools"),
    ("Methods", "9", "Data collection process: reviewers, independence, automation tools"),
    ("Methods", "10a", "Data items: outcomes sought"),
    ("Methods", "10b", "Data items: other variables sought"),
    ("Methods", "11", "Study risk of bias assessment: tool, assessors, independence"),
    ("Methods", "12", "Effect measures for each outcome"),
    ("Methods", "13a", "Synthesis methods: which studies were eligible for each synthesis"),
    ("Methods", "13b", "Synthesis methods: preparing the data for synthesis"),
    ("Methods", "13c", "Synthesis methods: tabulating and displaying results"),
    ("Methods", "13d", "Synthesis methods: methods used and their rationale"),
    ("Methods", "13e", "Synthesis methods: exploring causes of heterogeneity"),
    ("Methods", "13f", "Synthesis methods: sensitivity analyses"),
    ("Methods", "14", "Reporting bias assessment (risk of bias due to missing results)"),
    ("Methods", "15", "Certainty assessment methods"),
    ("Results", "16a", "Study selection: numbers from search to inclusion, flow diagram"),
    ("Results", "16b", "Studies that seemed eligible but were excluded, and why"),
    ("Results", "17", "Characteristics of each included study"),
    ("Results", "18", "Risk of bias in each included study"),
    ("Results", "19", "Results of individual studies"),
    ("Results", "20a", "Syntheses: characteristics and risk of bias of contributing studies"),
    ("Results", "20b", "Syntheses: results of all syntheses"),
    ("Results", "20c", "Syntheses: investigations of possible causes of heterogeneity"),
    ("Results", "20d", "Syntheses: sensitivity analyses"),
    ("Results", "21", "Reporting biases: risk of bias due to missing results"),
    ("Results", "22", "Certainty of evidence for each outcome"),
    ("Discussion", "23a", "Interpretation in the context of other evidence"),
    ("Discussion", "23b", "Limitations of the evidence"),
    ("Discussion", "23c", "Limitations of the review processes"),
    ("Discussion", "23d", "Implications for practice, policy and research"),
    ("Other information", "24a", "Registration: register name and number, or not registered"),
    ("Other information", "24b", "Where the protocol can be accessed, or none prepared"),
    ("Other information", "24c", "Amendments to the registration or protocol"),
    ("Other information", "25", "Sources of support and the role of funders"),
    ("Other information", "26", "Competing interests"),
    ("Other information", "27", "Availability of data, code and other materials"),
)

#: Why an item that no section of the report declares is not reported (none now: every item
#: has a section, whose gaps say why it cannot report it yet).
NOT_BUILT: dict[str, str] = {}

"""Published versions of the review and what changed between them (issue 14): freezing a
version (:mod:`.freeze`), reading versions (:mod:`.store`), study identity across versions
(:mod:`.identity`), the PRISMA flow of an update (:mod:`.flow`), the changes a report lists
(:mod:`.changes`) and protocol amendments (:mod:`.amendments`)."""

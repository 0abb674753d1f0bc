"""Union-find clustering of merged pairs, with guards against chaining.

Pairwise links are transitive once clustered: A~B and B~C put A and C in one study even if A and
C share nothing. One bad link can so chain two different studies. Links are therefore joined
strongest first, and a join is refused when *any* two records of the resulting study would be
incompatible: different DOIs (a preprint and its published version aside, one title at one
article's locus: a database's wrong DOI, and one long abstract printed twice), years more than one
apart, unrelated titles (unless both are printed at the same year, volume and page range: a
translated title), a notice beside the paper it may concern, one recurring heading
("Editorial") from two issues, or a reviewer's split. A refused join is reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from review.dedup.prepare import Features
from review.errors import DecisionError

MIN_TITLE_IN_CLUSTER = 50.0


@dataclass(slots=True)
class UnionFind:
    parent: list[int]
    members: dict[int, list[int]]

    @classmethod
    def of(cls, n: int) -> UnionFind:
        return cls(list(range(n)), {})

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, self.parent[i]
        return root

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ga, gb = self.group(ra), self.group(rb)
        if len(ga) < len(gb):
            ra, rb, ga, gb = rb, ra, gb, ga
        self.parent[rb] = ra
        self.members[ra] = ga + gb
        self.members.pop(rb, None)


def _same_locus(f: Features, a: int, b: int) -> bool:
    """The same year, volume and page range (or article number of 5+ digits): one article."""
    return (
        (
            (bool(f.page_range[a]) and f.page_range[a] == f.page_range[b])
            or (len(f.start_page[a]) >= 5 and f.start_page[a] == f.start_page[b])
        )
        and bool(f.volume[a])
        and f.volume[a] == f.volume[b]
        and f.year[a] == f.year[b]
    )


def incompatibility(f: Features, a: int, b: int, splits: set[frozenset[int]]) -> str:
    """Why records ``a`` and ``b`` cannot be in one study ("" when they can)."""
    if frozenset((a, b)) in splits:
        return "reviewer split"
    preprint_pair = f.preprint[a] != f.preprint[b]
    if f.doi[a] and f.doi[b] and f.doi[a] != f.doi[b] and not preprint_pair:
        same_text = bool(f.abstract_key[a]) and f.abstract_key[a] == f.abstract_key[b]
        if not same_text and not (
            _same_locus(f, a, b) and fuzz.ratio(f.title[a], f.title[b]) >= 97
        ):
            return f"different DOIs ({f.doi[a]} / {f.doi[b]})"
    if f.year[a] and f.year[b] and abs(f.year[a] - f.year[b]) > (3 if preprint_pair else 1):
        return f"years {f.year[a]} / {f.year[b]}"
    same_doi = bool(f.doi[a]) and f.doi[a] == f.doi[b]
    if f.notice[a] != f.notice[b] and not same_doi:
        return "a notice (erratum, reply, ...) and the paper it may concern"
    if (f.generic[a] or f.generic[b]) and not same_doi:
        if f.issue[a] and f.issue[b] and f.issue[a] != f.issue[b]:
            return f"recurring heading in issues {f.issue[a]} / {f.issue[b]}"
        if f.start_page[a] and f.start_page[b] and f.start_page[a] != f.start_page[b]:
            return f"recurring heading on pages {f.start_page[a]} / {f.start_page[b]}"
    same_doi_and_page = same_doi and f.start_page[a] == f.start_page[b]
    if f.title[a] and f.title[b] and not same_doi_and_page and not _same_locus(f, a, b):
        ta = [t for t in (f.title[a], f.title_alt[a]) if t]
        tb = [t for t in (f.title[b], f.title_alt[b]) if t]
        best = max(fuzz.ratio(x, y, score_cutoff=MIN_TITLE_IN_CLUSTER) for x in ta for y in tb)
        if best < MIN_TITLE_IN_CLUSTER:
            return "unrelated titles"
    return ""


def join_guarded(uf: UnionFind, f: Features, a: int, b: int, splits: set[frozenset[int]]) -> str:
    """Join the clusters of ``a`` and ``b`` unless that makes an incompatible pair."""
    ra, rb = uf.find(a), uf.find(b)
    if ra == rb:
        return ""
    for x in uf.group(ra):
        for y in uf.group(rb):
            why = incompatibility(f, x, y, splits)
            if why:
                return f"{f.record_ids[x]} and {f.record_ids[y]}: {why}"
    uf.union(ra, rb)
    return ""


def force_merges(
    uf: UnionFind, f: Features, merges: list[tuple[int, int, str]], splits: set[frozenset[int]]
) -> None:
    """Apply reviewers' merges; a merge that contradicts a reviewer's split is an error."""
    for a, b, where in merges:
        ra, rb = uf.find(a), uf.find(b)
        for x in uf.group(ra):
            for y in uf.group(rb):
                if frozenset((x, y)) in splits:
                    raise DecisionError(
                        f"{where}: merging {f.record_ids[a]} and {f.record_ids[b]} would put "
                        f"{f.record_ids[x]} and {f.record_ids[y]} in one study, but another "
                        "override splits them; remove one of the two overrides"
                    )
        uf.union(ra, rb)

"""The labelled deduplication sets in ../shared/benchmarks/dedup, loaded with their truth.

Each set is read with the project's own importers from the original file, exactly as
``review dedup FILE`` reads it. Truth comes in two forms (see each PROVENANCE.md):
``clusters`` (lists of record ids of one work; convention (b) needs these) and ``flagged``
(records an annotator marked "Duplicate", i.e. every member of a duplicate set; convention (a)).
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path

from review.importers import read_file
from review.records import Record

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "dedup"
UMKM_CORPUS = ROOT.parent / "shared" / "corpus" / "umkm"
#: The sets pooled into one run (each with cluster truth), to look for merges across sets.
POOLED = ("diabetes", *("cytology_screening", "haematology", "respiratory", "stroke"), "umkm_both")
SRA = ("cytology_screening", "haematology", "respiratory", "stroke")


@dataclass
class BenchSet:
    name: str
    path: Path
    records: list[Record]
    #: our record id -> the benchmark's id (id_%07d) used by the truth files and by bib-dedupe
    bench_id: dict[str, str]
    clusters: list[list[str]] | None = None  # benchmark ids
    flagged: set[str] | None = None  # benchmark ids
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _clusters(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as fh:
        return [row["merged_ids"].split(";") for row in csv.DictReader(fh)]


def _captions(path: Path) -> list[bool]:
    root = ET.parse(path).getroot()  # noqa: S314 - a public benchmark file, read locally
    out = []
    for rec in root.iter("record"):
        cap = rec.find("caption")
        text = "".join(cap.itertext()).strip().lower() if cap is not None else ""
        out.append(text == "duplicate")
    return out


def _by_position(records: list[Record]) -> dict[str, str]:
    return {r.record_id: f"id_{r.prov_position:07d}" for r in records}


def load_sets(names: list[str] | None = None) -> list[BenchSet]:
    sets: list[BenchSet] = []

    def want(name: str) -> bool:
        return names is None or name in names

    if want("diabetes"):
        p = SHARED / "asysd_diabetes" / "labelled_test_set.csv"
        recs = read_file(p, source_id="diabetes")
        ids = {r.record_id: f"id_{int(r.record_id.split(':', 1)[1]):07d}" for r in recs}
        clusters = _clusters(SHARED / "asysd_diabetes" / "merged_record_ids_bibdedupe.csv")
        sets.append(
            BenchSet(
                "diabetes",
                p,
                recs,
                ids,
                clusters=clusters,
                flagged={i for c in clusters for i in c},
            )
        )
    for name in SRA:
        if not want(name):
            continue
        p = SHARED / "sra_rathbone2015" / f"{name}_records.csv"
        recs = read_file(p, source_id=name)
        ids = {r.record_id: r.record_id.split(":", 1)[1] for r in recs}
        clusters = _clusters(SHARED / "sra_rathbone2015" / f"{name}_merged_record_ids.csv")
        sets.append(
            BenchSet(
                name,
                p,
                recs,
                ids,
                clusters=clusters,
                flagged={i for c in clusters for i in c},
                notes="flagged = members of the reconstructed clusters",
            )
        )
    if want("respiratory_xml"):
        p = SHARED / "sra_rathbone2015" / "Respiratory_original_endnote.xml"
        recs = read_file(p, source_id="respiratory_xml")
        ids = _by_position(recs)
        caps = _captions(p)
        clusters = _clusters(SHARED / "sra_rathbone2015" / "respiratory_merged_record_ids.csv")
        sets.append(
            BenchSet(
                "respiratory_xml",
                p,
                recs,
                ids,
                clusters=clusters,
                flagged={f"id_{k + 1:07d}" for k, c in enumerate(caps) if c},
                notes="original EndNote XML (abstracts, DOIs); flagged = captions",
            )
        )
    for name in ("copper", "tafenoquine"):
        if not want(name):
            continue
        p = SHARED / "iebh_deduplicator" / f"{name}.xml"
        recs = read_file(p, source_id=name)
        ids = _by_position(recs)
        caps = _captions(p)
        sets.append(
            BenchSet(
                name,
                p,
                recs,
                ids,
                clusters=None,
                flagged={f"id_{k + 1:07d}" for k, c in enumerate(caps) if c},
                notes="captions only: convention (a)",
            )
        )
    if want("umkm_both") or want("pooled"):
        umkm = _umkm_both()
        if umkm is not None and want("umkm_both"):
            sets.append(umkm)
    if want("pooled"):
        parts = [b for b in load_sets([n for n in POOLED if n != "umkm_both"])]
        if umkm is not None:
            parts.append(umkm)
        sets.append(_pool(parts))
    return sets


def _umkm_both() -> BenchSet | None:
    """Both collection rounds of the UMKM corpus together, labelled by ``work_key``.

    The update round re-finds 57 works of the first (often at another address, in the other
    language, or with fewer fields), so the two rounds together are the realistic case of an
    update search deduplicated against the original one.
    """
    from review.sources.corpus_csv import read_collection

    files = [UMKM_CORPUS / "records.csv", UMKM_CORPUS / "update-2026-11-30" / "records.csv"]
    if not all(f.is_file() for f in files):
        return None
    recs: list[Record] = []
    key: dict[str, str] = {}
    for k, path in enumerate(files):
        recs += read_collection(path, source_id="umkm_web", run_id=f"r{k + 1}")
        with path.open(encoding="utf-8") as fh:
            key.update({row["sighting_id"]: row["work_key"] for row in csv.DictReader(fh)})
    ids = {r.record_id: r.record_id.split(":", 1)[1] for r in recs}
    by_work: dict[str, list[str]] = {}
    for sid, work in key.items():
        by_work.setdefault(work, []).append(sid)
    clusters = [c for c in by_work.values() if len(c) > 1]
    return BenchSet(
        "umkm_both",
        files[0],
        recs,
        ids,
        clusters=clusters,
        flagged={i for c in clusters for i in c},
        notes="UMKM corpus, first round + update round; truth = work_key",
    )


def _pool(parts: list[BenchSet]) -> BenchSet:
    """Several sets in one input: every record keeps its set's truth, ids prefixed by set."""
    recs: list[Record] = []
    ids: dict[str, str] = {}
    clusters: list[list[str]] = []
    for b in parts:
        for r in b.records:
            rid = f"{b.name}/{r.record_id}"
            recs.append(replace(r, record_id=rid))
            ids[rid] = f"{b.name}/{b.bench_id[r.record_id]}"
        clusters += [[f"{b.name}/{i}" for i in c] for c in b.clusters or []]
    return BenchSet(
        "pooled",
        parts[0].path,
        recs,
        ids,
        clusters=clusters,
        flagged={i for c in clusters for i in c},
        notes="the sets " + ", ".join(b.name for b in parts) + " in one run",
    )


def to_bibdedupe_csv(bench: BenchSet, out: Path) -> Path:
    """The same records as bib-dedupe's input table (ID, ENTRYTYPE, title, author, ...)."""
    cols = [
        "ID",
        "ENTRYTYPE",
        "title",
        "author",
        "year",
        "journal",
        "volume",
        "number",
        "pages",
        "doi",
        "abstract",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in bench.records:
            w.writerow(
                {
                    "ID": bench.bench_id[r.record_id],
                    "ENTRYTYPE": "article",
                    "title": r.title,
                    "author": " and ".join(r.authors),
                    "year": r.year or "",
                    "journal": r.venue,
                    "volume": r.volume,
                    "number": r.issue,
                    "pages": r.pages,
                    "doi": r.doi,
                    "abstract": r.abstract,
                }
            )
    return out

"""A small review whose records have open-access copies on a loopback server.

Five studies, each with one record: an OpenAlex work whose ``best_oa_location`` names a PDF
(``A``), a closed OpenAlex work whose landing page redirects to a login page (``B``), a web
record found on an OJS article page that links its PDF by ``citation_pdf_url`` (``C``), a
record with only a DOI that Unpaywall resolves (``D``), and a study excluded at title/abstract
(``E``). The OpenAlex page is stored as a search run, as ``review search`` keeps it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from yaml_helpers import dump_yaml

from review.tables import contract, write_table

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fulltext"
FAKE_HOST = "https://oa.example.org"
A, B, C, D, E = ("st-a0000001", "st-b0000002", "st-c0000003", "st-d0000004", "st-e0000005")
RUN = "2026-11-01T000000Z"
PAGE = f"data/raw/openalex_en/{RUN}/page-0001.json.gz"

PROTOCOL = {
    "title": "Full-text test review",
    "contact_email": "tester@example.org",
    "research_questions": [{"id": "RQ1", "text": "How do volunteers help UMKM go digital?"}],
    "sources": [
        {
            "id": "openalex_en",
            "kind": "database",
            "database": "openalex",
            "query": "UMKM",
            "search_field": "title_and_abstract",
        },
        {
            "id": "umkm_web",
            "kind": "websites",
            "path": "data/raw/websites/records.csv",
            "format": "corpus_csv",
        },
    ],
    "criteria": [
        {
            "code": "E3-not-indonesia",
            "label": "Not about Indonesia",
            "stage": "title_abstract",
            "keywords": ["Indonesia", "desa"],
        },
        {
            "code": "E7-no-outcome",
            "label": "Reports no outcome",
            "stage": "full_text",
            "needs_full_text": True,
            "keywords": ["hasil", "omzet", "meningkat*"],
        },
        {
            "code": "E8-full-text-unavailable",
            "label": "Full text unavailable",
            "stage": "full_text",
            "retired": "counted from the retrieval status now",
        },
    ],
    "fulltext": {"assessment_basis": "full_text"},
    "coding": {
        "fields": [
            {
                "name": "strategy",
                "type": "multiple",
                "required": True,
                "values": {"volunteers": ["relawan", "volunteer*"], "mentoring": ["pendampingan"]},
            },
            {"name": "evidence", "type": "text"},
        ]
    },
    "synthesis": {"theme_field": "strategy", "themes": [{"id": "volunteers", "label": "V"}]},
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(root: Path, base: str) -> Path:
    """Write the project under ``root``; every fixture address points at ``base``."""
    (root / "config").mkdir(parents=True)
    (root / "config" / "protocol.yaml").write_text(dump_yaml(PROTOCOL), encoding="utf-8")
    page = (FIXTURES / "openalex_works_oa.json").read_text(encoding="utf-8")
    body = page.replace(FAKE_HOST, base).encode("utf-8")
    run = root / PAGE
    run.parent.mkdir(parents=True)
    run.write_bytes(gzip.compress(body, mtime=0))
    blank = dict.fromkeys(contract("records").names, "")
    records = [
        {
            **blank,
            "record_id": "openalex_en:W4390000001",
            "source_id": "openalex_en",
            "source_kind": "database",
            "database": "openalex",
            "title": "Relawan TIK",
            "doi": "10.31004/example.2023.7",
            "prov_file": PAGE,
            "prov_position": "1",
            "prov_sha256": sha(body),
            "run_id": RUN,
        },
        {
            **blank,
            "record_id": "openalex_en:W4390000002",
            "source_id": "openalex_en",
            "source_kind": "database",
            "database": "openalex",
            "title": "Klinik UMKM",
            "doi": "10.31004/example.2024.9",
            "prov_file": PAGE,
            "prov_position": "2",
            "prov_sha256": sha(body),
            "run_id": RUN,
        },
        {
            **blank,
            "record_id": "umkm_web:S3",
            "source_id": "umkm_web",
            "source_kind": "websites",
            "title": "Pendampingan UMKM go digital",
            "found_at": f"{base}/index.php/jpm/article/view/118",
        },
        {
            **blank,
            "record_id": "umkm_web:S4",
            "source_id": "umkm_web",
            "source_kind": "websites",
            "title": "Pelatihan pemasaran daring",
            "doi": "10.31004/example.2022.118",
        },
        {
            **blank,
            "record_id": "umkm_web:S5",
            "source_id": "umkm_web",
            "source_kind": "websites",
            "title": "SME adoption in Vietnam",
        },
    ]
    interim = root / "data" / "interim"
    write_table(interim / "records.csv", records, contract("records"))
    sblank = dict.fromkeys(contract("studies").names, "")
    studies = []
    for sid, rec in zip((A, B, C, D, E), records, strict=True):
        studies.append(
            {
                **sblank,
                "study_id": sid,
                "record_ids": rec["record_id"],
                "n_records": "1",
                "source_ids": rec["source_id"],
                "title": rec["title"],
                "doi": rec["doi"],
                "year": "2023",
                "language": "id",
                "fingerprint": f"title:{sid}",
            }
        )
    write_table(interim / "studies.csv", studies, contract("studies"))
    write_table(
        interim / "clusters.csv",
        [
            {"record_id": r["record_id"], "study_id": s["study_id"]}
            for r, s in zip(records, studies, strict=True)
        ],
        contract("clusters"),
    )
    ledger = root / "data" / "decisions" / "screening" / "title_abstract" / "r1.csv"
    ledger.parent.mkdir(parents=True)
    rows = ["study_id,fingerprint,decision,reason,note,timestamp"]
    for sid in (A, B, C, D):
        rows.append(f"{sid},title:{sid},include,,,2026-11-02T10:00:00Z")
    rows.append(f"{E},title:{E},exclude,E3-not-indonesia,,2026-11-02T10:00:00Z")
    ledger.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def unpaywall_doc(base: str) -> dict:
    text = (FIXTURES / "unpaywall_doi.json").read_text(encoding="utf-8")
    return json.loads(text.replace(FAKE_HOST, base))

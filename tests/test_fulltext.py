"""The full-text stage end to end on a loopback server: locations from the harvested pages,
retrieval through the HTTP layer with its checks, reviewer-added files, reading with pypdf,
the retrieval status, and what it drives (PRISMA, the screening state, the sheets)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fulltext_project import FIXTURES, A, B, C, D, E, build, unpaywall_doc
from pdf_maker import encrypted_pdf, image_pdf, text_pdf
from pytest_httpserver import HTTPServer
from test_prisma import svg_text
from werkzeug import Request, Response

from review.cli import main
from review.exitcodes import DATA_ERROR
from review.fulltext import content, locations
from review.fulltext.reading import read_file, read_pdf
from review.tables import contract, read_jsonl, read_table

MANIFEST = "data/raw/fulltext/manifest.jsonl"
PDF_A = text_pdf(
    [
        "Relawan TIK mendampingi UMKM di desa Sukamaju, Indonesia.",
        "Metode: pendampingan selama enam bulan.",
        "Hasil: omzet UMKM meningkat setelah pelatihan pemasaran digital.",
    ]
)
PDF_C = text_pdf(["Pendampingan UMKM", "Hasil: penjualan daring meningkat 30 persen."])
PDF_D = text_pdf(["Pelatihan pemasaran daring untuk UMKM oleh volunteers kampus."])
LOGIN = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><form>Login to read this article</form></body></html>"
)


def serve(server: HTTPServer, *, slow: threading.Event | None = None) -> None:
    """The fixture addresses: PDFs, a paywall redirect, an OJS landing page, Unpaywall."""
    base = server.url_for("").rstrip("/")
    server.expect_request("/index.php/jpm/article/download/7/21").respond_with_data(
        PDF_A, content_type="application/octet-stream"
    )
    server.expect_request("/index.php/jpm/article/view/7").respond_with_data(
        b"<html><body>landing</body></html>", content_type="text/html"
    )
    server.expect_request("/closed/article/9").respond_with_response(
        Response(status=302, headers={"Location": "/login?return=/closed/article/9"})
    )
    server.expect_request("/login").respond_with_data(LOGIN, content_type="text/html")
    server.expect_request("/index.php/jpm/article/view/118").respond_with_data(
        (FIXTURES / "landing_page.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    server.expect_request("/index.php/jpm/article/download/118/301").respond_with_data(
        PDF_C, content_type="application/pdf"
    )
    server.expect_request("/v2/10.31004/example.2022.118").respond_with_json(unpaywall_doc(base))
    server.expect_request("/v2/10.31004/example.2023.7").respond_with_json(
        {"HTTP_status_code": 404, "error": True, "message": "not in Unpaywall"}, status=404
    )
    server.expect_request("/v2/10.31004/example.2024.9").respond_with_json(
        {"HTTP_status_code": 404, "error": True, "message": "not in Unpaywall"}, status=404
    )
    if slow is None:
        server.expect_request("/articles/umkm-mentoring.pdf").respond_with_data(
            PDF_D, content_type="application/pdf"
        )
    else:

        def trickle(request: Request) -> Response:
            slow.set()

            def body():
                yield PDF_D[:100]
                time.sleep(30)
                yield PDF_D[100:]

            return Response(body(), content_type="application/pdf")

        server.expect_request("/articles/umkm-mentoring.pdf").respond_with_handler(trickle)


@pytest.fixture
def project(tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = build(tmp_path / "project", httpserver.url_for("").rstrip("/"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("REVIEW_UNPAYWALL_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setattr("review.http.time.sleep", lambda seconds: None)  # polite pauses: skipped
    return root


def rows(path: Path, table: str) -> dict[str, dict[str, str]]:
    return {r["study_id"]: r for r in read_table(path, contract(table))}


def requested(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _response in server.log if request.path == path)


# ---- what a response is ---------------------------------------------------------------------
def test_a_landing_page_is_not_a_full_text_and_names_its_pdf() -> None:
    page = content.read_html((FIXTURES / "landing_page.html").read_bytes())
    assert not page.is_full_text
    assert page.pdf_url == "/index.php/jpm/article/download/118/301"
    article = content.read_html((FIXTURES / "fulltext_article.html").read_bytes())
    assert article.is_full_text
    assert article.report_sections >= {"introduction", "methods", "results", "conclusion"}


def test_sniffing_trusts_the_bytes_not_the_content_type() -> None:
    assert content.sniff(PDF_A, "application/octet-stream") == content.PDF
    assert content.sniff(LOGIN, "application/pdf") == content.HTML
    assert content.sniff(b"\x89PNG\r\n", "application/pdf") == ""
    assert not content.check_pdf(b"%PDF-1.4 then nothing").ok
    assert content.check_pdf(PDF_A) == content.PdfCheck(True, 3)


def test_ojs_viewer_pages_are_tried_as_downloads_first() -> None:
    found = locations.order(
        [locations.Location("https://j.example/index.php/x/article/view/58/188", "page", "r")]
    )
    assert [loc.url for loc in found] == [
        "https://j.example/index.php/x/article/download/58/188",
        "https://j.example/index.php/x/article/view/58/188",
    ]


def test_locations_of_recorded_crossref_doaj_and_openalex_items(shared_dir: Path) -> None:
    api = shared_dir / "fixtures" / "api"
    cr = json.loads((api / "crossref" / "work_10.1371_journal.pone.0033693.json").read_text())
    [link] = locations.crossref_locations(cr["message"])
    assert (link.url, link.kind, link.licence) == (
        "http://dx.plos.org/10.1371/journal.pone.0033693",
        "page",
        "http://creativecommons.org/licenses/by/4.0/",
    )
    doaj = json.loads((api / "doaj" / "v2_article_by_id.json").read_text())
    [full] = locations.doaj_locations(doaj)
    assert full.url.endswith("/full")
    assert full.found_via == "doaj fulltext link"
    page = json.loads(
        (
            api
            / "openalex"
            / "works_title_and_abstract_search_boolean_cursor_page1_200results.json"
        ).read_text()
    )
    work = next(w for w in page["results"] if w["id"].endswith("W100927044"))
    first = locations.openalex_locations(work)[0]
    assert first.kind == "pdf"
    assert first.url.endswith("Financing-Biodiversity-Conservation.pdf")
    closed = json.loads((api / "openalex" / "work_W2162348455.json").read_text())
    # A closed work offers only its landing pages, tried last and labelled so.
    found = locations.openalex_locations(closed)
    assert [loc.url for loc in found] == [
        "https://doi.org/10.1038/35002501",
        "https://pubmed.ncbi.nlm.nih.gov/10706275",
    ]
    assert {(loc.kind, loc.found_via) for loc in found} == {
        ("page", "openalex location (not known to be open)")
    }


def test_unpaywall_locations_best_first() -> None:
    found = locations.unpaywall_locations(unpaywall_doc("https://oa.example.org"))
    assert found[0].url == "https://oa.example.org/articles/umkm-mentoring.pdf"
    assert (found[0].kind, found[0].licence, found[0].version) == (
        "pdf",
        "cc-by",
        "publishedVersion",
    )
    assert "https://repository.example.ac.id/1304/" in [f.url for f in found]


# ---- reading ---------------------------------------------------------------------------------
def test_pdf_text_page_by_page() -> None:
    reading = read_pdf(PDF_A)
    assert reading.status == "extracted"
    assert [p["label"] for p in reading.pages] == ["p. 1", "p. 2", "p. 3"]
    assert "omzet UMKM meningkat" in reading.pages[2]["text"]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (image_pdf(3), "no_text_layer", "none of its 3 page(s) has a text layer"),
        (encrypted_pdf(["a secret report text"]), "encrypted", "empty password does not open"),
        (PDF_A[:400], "unreadable", "pypdf cannot read it"),
    ],
)
def test_unreadable_pdfs_are_a_status_not_an_error(body: bytes, status: str, problem: str) -> None:
    reading = read_pdf(body)
    assert reading.status == status
    assert problem in reading.problem


def test_html_and_jats_are_read_section_by_section(tmp_path: Path) -> None:
    html = tmp_path / "a.html"
    html.write_bytes((FIXTURES / "fulltext_article.html").read_bytes())
    labels = [p["label"] for p in read_file(html, content.HTML, "st-1").pages]
    assert labels[1:4] == [
        "sec. 2 (1. Pendahuluan)",
        "sec. 3 (2. Metode)",
        "sec. 4 (3. Hasil dan Pembahasan)",
    ]
    jats = tmp_path / "a.xml"
    jats.write_text(
        "<article><front/><body><sec><title>Methods</title><p>We trained 40 UMKM.</p></sec>"
        "<sec><title>Results</title><p>Sales rose.</p></sec></body></article>",
        encoding="utf-8",
    )
    pages = read_file(jats, content.XML, "st-1").pages
    assert [(p["label"], p["text"]) for p in pages] == [
        ("sec. 1 (Methods)", "Methods We trained 40 UMKM."),
        ("sec. 2 (Results)", "Results Sales rose."),
    ]


# ---- retrieval on the loopback server ---------------------------------------------------------
def fulltext(*extra: str) -> int:
    return main(["fulltext", *extra])


def test_live_retrieval_fetches_checks_and_records_every_attempt(
    project: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver)
    assert fulltext("--live") == 0
    status = rows(project / "data/interim/fulltext.csv", "fulltext")
    assert {k: v["status"] for k, v in status.items()} == {
        A: "retrieved",
        B: "not_retrieved",
        C: "retrieved",
        D: "retrieved",
        E: "not_sought",
    }
    assert status[A]["found_via"] == "openalex best_oa_location"
    assert status[A]["licence"] == "cc-by-sa"
    # The paywall answered the closed work's landing page with a redirect to a login page.
    assert status[B]["reason"] == "paywalled"
    assert "a landing page after a redirect to" in status[B]["detail"]
    assert status[C]["found_via"] == "record found_at → citation_pdf_url"
    assert status[D]["found_via"] == "unpaywall"
    assert status[D]["licence"] == "cc-by"
    for sid, pdf in ((A, PDF_A), (C, PDF_C), (D, PDF_D)):
        kept = project / status[sid]["file"]
        assert kept.name == f"{status[sid]['sha256']}.pdf"
        assert kept.read_bytes() == pdf
        assert status[sid]["text_status"] == "extracted"
    pages = read_jsonl(project / status[A]["text_file"], contract("fulltext_pages"))
    assert [p["page"] for p in pages] == [1, 2, 3]
    manifest = read_jsonl(project / MANIFEST, contract("fulltext_manifest"))
    assert {(e["study_id"], e["kind"], e["outcome"]) for e in manifest} >= {
        (A, "download", "retrieved"),
        (B, "download", "failed"),
        (B, "lookup", "not_found"),
        (D, "lookup", "found"),
        (D, "download", "retrieved"),
    }
    assert all("tester@example.org" not in json.dumps(e) for e in manifest)
    assert not (project / "data/raw/fulltext/checkpoint.json").exists()

    # A second run fetches nothing that is already kept.
    assert fulltext("--live") == 0
    assert requested(httpserver, "/index.php/jpm/article/download/7/21") == 1
    assert requested(httpserver, "/index.php/jpm/article/download/118/301") == 1
    assert requested(httpserver, "/articles/umkm-mentoring.pdf") == 1


def test_a_download_over_the_size_limit_is_stopped(project: Path, httpserver: HTTPServer) -> None:
    serve(httpserver)
    assert fulltext("--live", "--max-mb", "0.0002") == 0  # 210 bytes: every PDF here is larger
    status = rows(project / "data/interim/fulltext.csv", "fulltext")
    for sid in (A, C, D):  # a PDF was there, too large: that is the reason, not the paywall
        assert (status[sid]["status"], status[sid]["reason"]) == ("not_retrieved", "too_large")
    assert "more than the limit of 209 bytes" in status[A]["detail"]
    assert not (project / "data/raw/fulltext/files").exists()


def test_offline_status_says_nothing_was_attempted(project: Path) -> None:
    assert fulltext() == 0
    status = rows(project / "data/interim/fulltext.csv", "fulltext")
    assert status[A]["status"] == "not_retrieved"
    assert status[A]["reason"] == "not_attempted"
    assert status[E]["status"] == "not_sought"


def test_a_killed_retrieval_resumes_without_fetching_again(
    project: Path, httpserver: HTTPServer
) -> None:
    started = threading.Event()
    serve(httpserver, slow=started)
    env = {
        **os.environ,
        "REVIEW_UNPAYWALL_BASE_URL": httpserver.url_for("/v2"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "review.cli", "fulltext", "--live"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert started.wait(60), "the slow download never started"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    checkpoint = json.loads((project / "data/raw/fulltext/checkpoint.json").read_text())
    assert checkpoint["done"] == [A, B, C]  # D was being downloaded when it was killed
    assert not list((project / "data/raw/fulltext/files").glob("*.part"))
    httpserver.clear()
    serve(httpserver)
    assert fulltext("--live") == 0
    status = rows(project / "data/interim/fulltext.csv", "fulltext")
    assert status[D]["status"] == "retrieved"
    assert requested(httpserver, "/index.php/jpm/article/download/7/21") == 0  # A: not again
    assert requested(httpserver, "/articles/umkm-mentoring.pdf") == 1
    manifest = read_jsonl(project / MANIFEST, contract("fulltext_manifest"))
    assert {e["run_id"] for e in manifest if e["study_id"] in (A, D)} == {checkpoint["run_id"]}


# ---- files reviewers add ---------------------------------------------------------------------
def test_a_reviewer_adds_a_paywalled_report(project: Path, tmp_path: Path) -> None:
    scan = tmp_path / "from-the-library.pdf"
    scan.write_bytes(image_pdf(2))
    assert fulltext("add", str(scan), "--study", B, "--reviewer", "ana", "--note", "ILL") == 0
    kept = project / "data/raw/fulltext/added" / f"{B}.pdf"
    assert kept.read_bytes() == scan.read_bytes()
    assert fulltext() == 0
    status = rows(project / "data/interim/fulltext.csv", "fulltext")[B]
    assert (status["status"], status["added_by"], status["detail"]) == (
        "added_by_reviewer",
        "ana",
        "ILL",
    )
    assert status["text_status"] == "no_text_layer"  # a scan: reported, not fatal
    # A file dropped in by hand names its reviewer in a sidecar.
    (project / "data/raw/fulltext/added" / f"{C}.txt").write_text(
        "Hasil: omzet naik.", encoding="utf-8"
    )
    (project / "data/raw/fulltext/added" / f"{C}.added.yaml").write_text("reviewer: budi\n")
    assert fulltext() == 0
    status = rows(project / "data/interim/fulltext.csv", "fulltext")[C]
    assert (status["status"], status["added_by"], status["n_pages"]) == (
        "added_by_reviewer",
        "budi",
        "1",
    )


def test_adding_a_file_that_is_not_what_its_name_says_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "paper.pdf"
    fake.write_bytes(LOGIN)
    assert fulltext("add", str(fake), "--study", B, "--reviewer", "ana") == DATA_ERROR
    assert "named .pdf, but its content is text/html" in capsys.readouterr().err
    assert fulltext("add", str(fake), "--study", "st-ffffffff", "--reviewer", "ana") == DATA_ERROR
    assert "'st-ffffffff' is not a study of studies.csv" in capsys.readouterr().err
    assert not (project / "data/raw/fulltext/manifest.jsonl").exists()


def test_a_runaway_download_without_a_length_is_cut_at_the_limit(httpserver: HTTPServer) -> None:
    from review.http import Client, TooLarge

    httpserver.expect_request("/big.pdf").respond_with_response(
        Response(iter([b"%PDF-1.4\n" + b"0" * 4096] * 50), content_type="application/pdf")
    )
    client = Client(source="fulltext", sleep=lambda s: None)
    with pytest.raises(TooLarge, match=r"passed the limit of 10000 bytes; download stopped"):
        client.get(httpserver.url_for("/big.pdf"), max_bytes=10_000)


# ---- what the status drives: the order of work, the sheets, PRISMA ----------------------------
def write_sheet_decisions(path: Path, decisions: dict[str, tuple[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        sheet = list(csv.DictReader(fh))
        columns = list(sheet[0])
    for row in sheet:
        row["decision"], row["reason"] = decisions.get(row["study_id"], ("", ""))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(sheet)


def test_done_when_retrieved_reports_give_page_located_evidence_and_honest_prisma(
    project: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(httpserver)
    assert fulltext("--live") == 0
    assert main(["screen", "state"]) == 0
    # r1 is not in this protocol's reviewers: added knowingly (data/decisions/reviewers.csv).
    sheet = ["screen", "sheet", "--reviewer", "r1", "--stage", "full_text", "--new-reviewer"]
    assert main(sheet) == 0
    sheet_path = project / "data/screening_sheets/full_text/r1.csv"
    sheet = {r["study_id"]: r for r in csv.DictReader(sheet_path.read_text("utf-8").splitlines())}
    assert set(sheet) == {A, B, C, D}
    assert sheet[A]["full_text"].startswith("data/raw/fulltext/files/")
    assert sheet[A]["full_text"].endswith("(retrieved; 3 page(s) read)")
    assert sheet[A]["pages_E7-no-outcome"] == "p. 3"
    assert sheet[A]["pages_E3-not-indonesia"] == "p. 1"
    assert sheet[A]["pages_strategy"] == "mentoring: p. 2; volunteers: p. 1"  # protocol order
    assert sheet[B]["full_text"] == "not_retrieved (paywalled)"
    assert sheet[B]["pages_E7-no-outcome"] == ""

    # Full-text decisions: the report not retrieved and the study excluded at title/abstract
    # are refused, row by row, and nothing is appended.
    write_sheet_decisions(
        sheet_path,
        {A: ("include", ""), B: ("exclude", "E7-no-outcome"), C: ("exclude", "E7-no-outcome")},
    )
    with sheet_path.open("a", encoding="utf-8") as fh:
        fh.write(f",{E},exclude,E7-no-outcome,,,,,,,,,,,,\n")
    capsys.readouterr()
    assert main(["screen", "import", str(sheet_path)]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "2 decision(s) cannot be recorded; nothing was appended" in err
    assert (
        f"field 'reason': uses E7-no-outcome, a criterion that needs the full text, but study {B}"
        in err
    )
    assert f"field 'study_id': full-text decision for study {E}, which is not included" in err
    assert not (project / "data/decisions/screening/full_text/r1.csv").exists()
    write_sheet_decisions(sheet_path, {A: ("include", ""), C: ("exclude", "E7-no-outcome")})
    assert main(["screen", "import", str(sheet_path)]) == 0

    assert main(["screen", "state"]) == 0
    state = rows(project / "data/interim/screening.csv", "screening")
    assert {k: (v["state"], v["ft_basis"], v["ft_retrieval"]) for k, v in state.items()} == {
        A: ("included_ft", "full_text", "retrieved"),
        B: ("not_retrieved", "", "not_retrieved"),
        C: ("excluded_ft", "full_text", "retrieved"),
        D: ("included_ta", "", "retrieved"),
        E: ("excluded_ta", "", "not_sought"),
    }
    assert main(["prisma"]) == 0
    svg = svg_text((project / "reports/prisma.svg").read_text(encoding="utf-8"))
    assert "Reports not retrieved (n = 1)" in svg  # B: the one study without a file
    assert "paywalled, or a landing page only: n = 1" in svg
    assert "on the full text: n = 2" in svg

    assert main(["extract"]) == 0
    coded = (project / "data/extracted/coding_sheet.csv").read_text(encoding="utf-8")
    coding = {r["study_id"]: r for r in csv.DictReader(coded.splitlines())}
    assert set(coding) == {A}
    assert (
        'volunteers: "relawan" (full text, p. 1): »Relawan« TIK' in coding[A]["evidence_strategy"]
    )
    assert 'mentoring: "pendampingan" (full text, p. 2)' in coding[A]["evidence_strategy"]
    assert coding[A]["full_text"].endswith("(retrieved; 3 page(s) read)")


# ---- one address at a time: what each kind of answer becomes ----------------------------------
JATS = (
    b'<?xml version="1.0"?><article><front><article-meta/></front><body>'
    b"<sec><title>Introduction</title><p>UMKM go digital.</p></sec></body></article>"
)


def retrieval(tmp_path: Path, *, email: str = "tester@example.org"):
    from review.fulltext.retrieve import Retrieval
    from review.fulltext.store import Store

    store = Store(tmp_path / "store")
    pages = locations.PageReader(tmp_path, {})
    return store, Retrieval(store=store, pages=pages, email=email, sleep=lambda s: None)


@pytest.mark.parametrize(
    ("path", "response", "outcome"),
    [
        (
            "/article.html",
            Response((FIXTURES / "fulltext_article.html").read_bytes(), content_type="text/html"),
            ("retrieved", "text/html", ""),
        ),
        (
            "/article.xml",
            Response(JATS, content_type="application/xml"),
            ("retrieved", "application/xml", ""),
        ),
        (
            "/empty.xml",
            Response(b"<?xml version='1.0'?><article><front/></article>", content_type="text/xml"),
            ("failed", "application/xml", "not_full_text"),
        ),
        (
            "/figure.pdf",
            Response(b"\x89PNG\r\n\x1a\n0000", content_type="application/pdf"),
            ("failed", "", "not_full_text"),
        ),
        (
            "/broken.pdf",
            Response(b"%PDF-1.7\nno objects at all", content_type="application/pdf"),
            ("failed", "application/pdf", "not_full_text"),
        ),
        ("/gone.pdf", Response(b"Not Found", status=404), ("failed", "", "broken_link")),
        (
            "/members.pdf",
            Response(b"<html>Members only</html>", status=403),
            ("failed", "", "paywalled"),
        ),
    ],
)
def test_what_each_answer_becomes(
    tmp_path: Path, httpserver: HTTPServer, path: str, response: Response, outcome: tuple
) -> None:
    httpserver.expect_request(path).respond_with_response(response)
    store, run = retrieval(tmp_path)
    run.unpaywall = False
    result = run.run([A], {A: [{"url": httpserver.url_for(path), "database": ""}]})
    [line] = [e for e in store.entries() if e["kind"] == "download"]
    assert (line["outcome"], line["media_type"], line["reason"]) == outcome
    assert result.retrieved == (outcome[0] == "retrieved")


def test_one_address_for_two_studies_is_fetched_once(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/shared.pdf").respond_with_data(
        PDF_A, content_type="application/pdf"
    )
    store, run = retrieval(tmp_path)
    url = httpserver.url_for("/shared.pdf")
    run.run([A, B], {A: [{"url": url}], B: [{"url": url}]})
    assert requested(httpserver, "/shared.pdf") == 1
    lines = {e["study_id"]: e for e in store.entries()}
    assert lines[B]["sha256"] == lines[A]["sha256"]
    assert lines[B]["message"] == f"already downloaded for {A}: not fetched again"


def test_unpaywall_is_not_asked_without_a_contact_address(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REVIEW_CONTACT_EMAIL", raising=False)
    store, run = retrieval(tmp_path, email="")
    run.run([A], {A: [{"doi": "10.1000/x"}]})
    kinds = [(e["kind"], e["outcome"], e["reason"]) for e in store.entries()]
    assert kinds == [("lookup", "not_found", ""), ("download", "failed", "no_oa_copy")]
    assert "Unpaywall needs a contact e-mail" in store.entries()[0]["message"]
    assert not httpserver.log


def test_an_unpaywall_answer_that_is_not_json_is_recorded(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEW_UNPAYWALL_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/10.1000/x").respond_with_data(b"<html>oops</html>")
    store, run = retrieval(tmp_path)
    run.run([A], {A: [{"doi": "10.1000/x"}]})
    lookup = store.entries()[0]
    assert (lookup["kind"], lookup["outcome"]) == ("lookup", "not_found")
    assert "not valid JSON" in lookup["message"]
    assert "tester@example.org" not in json.dumps(store.entries())


def test_added_folder_problems_are_named_and_replacing_needs_a_flag(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "v1.pdf", tmp_path / "v2.pdf"
    first.write_bytes(PDF_C)
    second.write_bytes(PDF_A)
    assert fulltext("add", str(first), "--study", C, "--reviewer", "ana") == 0
    assert fulltext("add", str(second), "--study", C, "--reviewer", "ana") == DATA_ERROR
    assert "already has an added file" in capsys.readouterr().err
    assert fulltext("add", str(second), "--study", C, "--reviewer", "ana", "--replace") == 0
    added = project / "data/raw/fulltext/added"
    assert (added / f"{C}.pdf").read_bytes() == PDF_A
    (added / "notes.docx").write_bytes(b"PK\x03\x04")
    (added / "st-ffffffff.txt").write_text("a report of no study", encoding="utf-8")
    (added / f"{D}.pdf").write_bytes(LOGIN)
    (added / f"{A}.txt").write_text("Hasil.", encoding="utf-8")
    (added / f"{A}.added.yaml").write_text("note: no reviewer named\n", encoding="utf-8")
    capsys.readouterr()
    assert fulltext() == 0
    err = capsys.readouterr().err
    assert "notes.docx: not a full-text file" in err
    assert "study st-ffffffff is not a study of studies.csv; ignored" in err
    assert f"{D}.pdf: named .pdf, but its content is text/html; ignored" in err
    assert f"{A}.added.yaml: expected 'reviewer: NAME'" in err
    status = rows(project / "data/interim/fulltext.csv", "fulltext")
    assert status[C]["sha256"] == content_sha(PDF_A)
    assert (status[A]["status"], status[A]["added_by"]) == ("added_by_reviewer", "")


def content_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_a_kept_file_changed_after_retrieval_stops_the_status(
    project: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(httpserver)
    assert fulltext("--live") == 0
    kept = next((project / "data/raw/fulltext/files").glob("*.pdf"))
    kept.write_bytes(PDF_D)
    capsys.readouterr()
    assert fulltext() == DATA_ERROR
    assert "the kept full text was changed after it was recorded" in capsys.readouterr().err


def test_text_and_empty_documents(tmp_path: Path) -> None:
    empty = tmp_path / "e.txt"
    empty.write_text("", encoding="utf-8")
    assert read_file(empty, content.TEXT, "st-1").status == "no_text_layer"
    bare = tmp_path / "b.html"
    bare.write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    assert read_file(bare, content.HTML, "st-1").status == "no_text_layer"

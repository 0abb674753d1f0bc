"""Sheets a person can work in: wrapped text in rows tall enough for it, a frozen header, and a
print set-up (landscape, one page wide, the header on every page); citations without a year."""

from __future__ import annotations

from pathlib import Path

from evidence_helpers import appraise_args, build, evidence_project
from openpyxl import load_workbook

from review.cli import main
from review.extraction.fields import CodingField
from review.extraction.sheet import citation, sheet_columns, sheet_rows, write_sheet_xlsx
from review.screening.sheets import study_cells, write_sheet
from review.workbook import LINE_HEIGHT, MAX_ROW_HEIGHT, text_lines

ABSTRACT = " ".join(["Community mentoring raised online sales of small firms."] * 30)


def _assert_workable(ws, *, freeze: str, long_row: int, short_row: int | None = None) -> None:
    assert ws.freeze_panes == freeze
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"
    tall = ws.row_dimensions[long_row].height
    assert 10 * LINE_HEIGHT <= tall <= MAX_ROW_HEIGHT
    if short_row is not None:
        assert ws.row_dimensions[short_row].height < tall
    for cell in ws[long_row]:
        assert cell.alignment.wrap_text
        assert cell.alignment.vertical == "top"


def test_screening_sheet_rows_fit_their_text_and_print(tmp_path: Path) -> None:
    long = study_cells(
        {"study_id": "st-1", "title": "A long one", "abstract": ABSTRACT, "year": "2020"}
    )
    short = study_cells({"study_id": "st-2", "title": "Short", "abstract": "", "year": ""})
    xlsx = tmp_path / "r1.xlsx"
    write_sheet(
        [{"rank": 1, **long}, {"rank": 2, **short}],
        tmp_path / "r1.csv",
        xlsx,
        reasons=["E1-x"],
        stage="title_abstract",
        reviewer="r1",
    )
    ws = load_workbook(xlsx)["screening"]
    _assert_workable(ws, freeze="F2", long_row=2, short_row=3)
    # The abstract column is 80 wide: the row is as tall as the abstract's wrapped lines.
    assert ws.row_dimensions[2].height == text_lines(ABSTRACT, 80) * LINE_HEIGHT


def test_coding_sheet_text_is_wrapped_and_the_sheet_prints(tmp_path: Path) -> None:
    fields = [CodingField(name="design", type="single", values=("qual", "quant"))]
    rows = sheet_rows(
        ["st-1"],
        {"st-1": {"study_id": "st-1", "title": "T", "abstract": ABSTRACT, "authors": "Ali, B."}},
        fields,
        {},
    )
    xlsx = tmp_path / "coding.xlsx"
    write_sheet_xlsx(xlsx, rows, sheet_columns(fields), fields)
    book = load_workbook(xlsx)
    _assert_workable(book["coding"], freeze="C2", long_row=2)
    assert book["codebook"].print_title_rows == "$1:$1"


def test_a_row_never_exceeds_the_largest_height_excel_allows() -> None:
    assert text_lines("x" * 100_000, 10) * LINE_HEIGHT > MAX_ROW_HEIGHT
    assert text_lines("a\nb\n\nc", 50) == 4
    assert text_lines(None, 10) == 1


def test_a_citation_without_a_year_reads_nd_once() -> None:
    assert citation({"authors": "Ali, B.", "title": "On firms"}) == "Ali n.d. On firms."
    assert (
        citation({"title": "On firms", "venue": "J"}) == "[authors not recorded] n.d. On firms. J."
    )
    assert citation({"authors": "Ali, B.", "year": "2021", "title": "T"}) == "Ali 2021. T."


def _expected_height(ws, row: int) -> float:
    widths = {c.column_letter: ws.column_dimensions[c.column_letter].width or 13 for c in ws[1]}
    lines = max(text_lines(c.value, widths[c.column_letter]) for c in ws[row])
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)


def test_appraisal_sheets_are_laid_out_by_the_same_helper(tmp_path: Path) -> None:
    """The appraisal sheet and its items sheet are built by review.workbook too: wrapped, rows
    as tall as their text, header frozen and repeated, landscape one page wide."""
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    xlsx = root / "carla.xlsx"
    args = ["appraise", "sheet", "--appraiser", "carla", *appraise_args(root)]
    assert main([*args, "--csv", str(root / "carla.csv"), "--xlsx", str(xlsx)]) == 0
    book = load_workbook(xlsx)
    for name, freeze in (("appraisal", "D2"), ("items", "A2")):
        ws = book[name]
        assert ws.freeze_panes == freeze
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$1"
        heights = {ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)}
        assert len(heights) > 1, name  # rows differ with their text
        for r in range(1, ws.max_row + 1):
            assert ws.row_dimensions[r].height == _expected_height(ws, r), (name, r)
            assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in ws[r])
    # A link keeps its wrap (the link is drawn by its font, not by a style that resets it).
    ws = book["appraisal"]
    header = [c.value for c in ws[1]]
    link = ws.cell(row=2, column=header.index("doi_link") + 1)
    assert link.hyperlink is not None
    assert link.font.underline == "single"
    assert link.alignment.wrap_text

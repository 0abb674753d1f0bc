"""End to end: the rendered report and audit view in headless Chromium. The diagram and tables
render, the hostile title stays text; the audit index loads its rows in chunks and filters them
offline, every link of the review lands on its study's page, anchors land below the sticky bar,
no page scrolls sideways at 400 px and no header breaks inside a word. Screenshots go to
``reports/`` for a human to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from review.protocol import load_protocol
from review.report.inputs import ReportPaths
from review.report.render import ReportOutputs, render_report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports"

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1300,1600",
    ):
        options.add_argument(flag)
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture review with a checker's verification of four full-text decisions, its audit
    rows in three chunks (three studies each) and pages of three results."""
    from review.audit import pages
    from review.report.inputs import load_inputs

    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(FIXTURE, root)
    ledger = root / "data/decisions/verification/full_text/checker-1.csv"
    ledger.parent.mkdir(parents=True)
    ledger.write_text(
        "study_id,fingerprint,decision,reason,note,timestamp,sample\n"
        "st-3e3b6133c3,,include,,,2026-11-30T08:00:00Z,s\n"
        "st-6f0eebc487,,exclude,E7-no-outcome-or-barrier,,2026-11-30T08:01:00Z,s\n"
        "st-821d6ad8e2,,exclude,E7-no-outcome-or-barrier,,2026-11-30T08:02:00Z,s\n"
        "st-249a57de84,,include,,,2026-11-30T08:03:00Z,s\n",
        encoding="utf-8",
    )
    # a search log with every column of the searches table, whose headers are the page's
    # narrowest ("Retrieved" in a column of 7 %)
    (root / "data" / "interim" / "search_log.csv").write_text(
        "source_id,database,platform,run_id,status,query_as_executed,filters,executed_at,"
        "n_hits_reported,n_records_retrieved\n"
        'openalex_en,openalex,OpenAlex API,2026-11-20T080000Z,complete,"UMKM AND digital",'
        '"{""from"": ""2015""}",2026-11-20T08:00:00Z,120,2\n',
        encoding="utf-8",
    )
    protocol = load_protocol(root / "config" / "protocol.yaml")
    paths = ReportPaths.in_project(root)
    render_report(
        protocol,
        paths=paths,
        outputs=ReportOutputs.in_folder(root / "reports"),
        generated_at="2026-11-29 08:00 UTC",
    )
    chunk_rows = pages.CHUNK_ROWS
    pages.CHUNK_ROWS = 3
    try:
        written = pages.write_audit(
            load_inputs(protocol, paths),
            index=root / "reports" / "audit.html",
            folder=root / "reports" / "audit",
            generated_at="2026-11-29 08:00 UTC",
            page_size=3,
        )
    finally:
        pages.CHUNK_ROWS = chunk_rows
    assert written.chunks == 3
    return root / "reports"


def no_alert(drv: webdriver.Chrome) -> bool:
    try:
        _ = drv.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_review_page_renders(driver: webdriver.Chrome, reports: Path) -> None:
    driver.get((reports / "review.html").as_uri())
    assert no_alert(driver)
    diagram = driver.find_element(By.CSS_SELECTOR, "svg.prisma")
    assert diagram.is_displayed()
    assert diagram.size["height"] > 300
    assert diagram.size["width"] > 500
    assert "Studies included in review (n = 3)" in " ".join(diagram.text.split())
    tables = driver.find_elements(By.TAG_NAME, "table")
    assert len(tables) >= 6
    chars = driver.find_element(By.CSS_SELECTOR, "table.chars")
    assert len(chars.find_elements(By.CSS_SELECTOR, "tbody tr")) == 3
    # the hostile title is on the page as text
    assert "<script>alert('pwned')</script> Klinik UMKM Surabaya" in chars.text
    assert driver.execute_script("return document.scripts.length") == 0
    SCREENSHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1300, min(int(height) + 40, 12000))
    assert driver.save_screenshot(str(SCREENSHOTS / "screenshot-review.png"))
    driver.set_window_size(1300, 1600)


def open_index(drv: webdriver.Chrome, reports: Path, query: str = "") -> None:
    """Open the audit index and wait until every chunk of rows is in."""
    drv.get((reports / "audit.html").as_uri() + query)
    WebDriverWait(drv, 10).until(
        lambda d: d.find_element(By.ID, "audit-index").get_attribute("data-loaded-ms")
    )


def shown(drv: webdriver.Chrome) -> list[str]:
    """The study ids listed on the current page of results."""
    return [c.text for c in drv.find_elements(By.CSS_SELECTOR, "#results td:first-child code")]


def count(drv: webdriver.Chrome) -> str:
    return drv.find_element(By.ID, "filter-count").text


def choose(drv: webdriver.Chrome, **values: str) -> None:
    for name, value in values.items():
        Select(drv.find_element(By.ID, f"filter-{name}")).select_by_value(value)


def test_audit_index_filters(driver: webdriver.Chrome, reports: Path) -> None:
    driver.set_window_size(1300, 1600)
    open_index(driver, reports)
    assert no_alert(driver)
    assert count(driver) == "8 of 8 studies shown"
    assert driver.find_element(By.ID, "page-info").text == "page 1 of 3"
    assert len(shown(driver)) == 3
    driver.find_element(By.ID, "page-next").click()
    driver.find_element(By.ID, "page-next").click()
    assert shown(driver) == ["st-ba7b47746a", "st-0c375048a5"]  # awaiting, then automation
    assert driver.find_element(By.ID, "page-next").get_attribute("disabled")
    text = driver.find_element(By.ID, "filter-text")
    text.send_keys("malaysia")
    assert shown(driver) == ["st-2167270e10"]
    assert count(driver) == "1 of 8 studies shown"
    text.clear()
    text.send_keys("umkm_web:s4")  # a record id finds its study
    assert shown(driver) == ["st-2167270e10"]
    driver.find_element(By.ID, "filter-reset").click()
    choose(driver, stage="full_text", decision="exclude")
    assert sorted(shown(driver)) == ["st-41c96faeb7", "st-821d6ad8e2"]
    choose(driver, code="E8-full-text-unavailable")
    assert shown(driver) == ["st-41c96faeb7"]
    driver.find_element(By.ID, "filter-reset").click()
    # a reviewer's own decisions: reviewer 2 said "maybe" once, at title/abstract
    choose(driver, reviewer="ai-reviewer-2", decision="maybe")
    assert shown(driver) == ["st-249a57de84"]
    choose(driver, reviewer="ai-adjudicator", decision="")  # their resolutions count too
    assert shown(driver) == ["st-249a57de84"]
    choose(driver, reviewer="", conflict="resolved")
    assert shown(driver) == ["st-249a57de84"]
    choose(driver, conflict="unresolved")
    assert count(driver) == "0 of 8 studies shown"
    assert driver.find_element(By.ID, "page-info").text == "no study matches"
    choose(driver, conflict="", stage="title_abstract", decision="none")
    assert sorted(shown(driver)) == ["st-0c375048a5", "st-ba7b47746a"]
    choose(driver, stage="", decision="", verified="yes")
    assert count(driver) == "4 of 8 studies shown"
    choose(driver, verified="disagrees")
    assert shown(driver) == ["st-6f0eebc487"]
    choose(driver, verified="", carried="yes")
    assert count(driver) == "0 of 8 studies shown"
    # no versions in this project: the changed-since filter is not offered
    assert not driver.find_element(By.ID, "filter-changed").is_displayed()
    choose(driver, carried="", box="included_ft")
    assert count(driver) == "3 of 8 studies shown"
    # the filters are in the address: a filtered view can be cited and reopened
    assert "box=included_ft" in driver.current_url
    SCREENSHOTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / "screenshot-audit.png"))
    open_index(driver, reports, "?stage=full_text&decision=exclude&code=E7-no-outcome-or-barrier")
    assert shown(driver) == ["st-821d6ad8e2"]
    assert Select(driver.find_element(By.ID, "filter-code")).first_selected_option.text.startswith(
        "E7-no-outcome-or-barrier"
    )
    open_index(driver, reports, "?box=excluded_ta")  # the old audit page's query still works
    assert shown(driver) == ["st-2167270e10"]


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture review as an update after two published versions: one study carried its
    decisions forward onto a record found since, and the studies that changed since each
    version (what :func:`review.audit.changes.changed_since` computes, tested on the versions'
    own story in test_audit) given to the index as they are."""
    from review.audit import pages
    from review.report.inputs import load_inputs

    root = tmp_path_factory.mktemp("browser-updated") / "project"
    shutil.copytree(FIXTURE, root)
    screening = root / "data" / "interim" / "screening.csv"
    lines = screening.read_text(encoding="utf-8").splitlines(keepends=True)
    (i,) = [i for i, line in enumerate(lines) if line.startswith("st-249a57de84,")]
    assert lines[i].rstrip("\r\n").endswith(",")  # its carried_forward_note, empty until now
    lines[i] = lines[i].rstrip("\r\n") + "record umkm_web:S9 joined (run 2026-11-25)\n"
    screening.write_text("".join(lines), encoding="utf-8")
    protocol = load_protocol(root / "config" / "protocol.yaml")
    pages.write_audit(
        load_inputs(protocol, ReportPaths.in_project(root)),
        index=root / "reports" / "audit.html",
        folder=root / "reports" / "audit",
        generated_at="2026-11-29 08:00 UTC",
        changed_since={
            "v1": ["st-249a57de84", "st-2167270e10", "st-ba7b47746a"],
            "v2": ["st-ba7b47746a"],
        },
    )
    return root / "reports"


def test_audit_index_filters_what_changed_and_what_was_carried(
    driver: webdriver.Chrome, updated: Path
) -> None:
    driver.set_window_size(1300, 1600)
    open_index(driver, updated)
    assert count(driver) == "8 of 8 studies shown"
    changed = driver.find_element(By.ID, "filter-changed")
    assert changed.is_displayed()
    assert [o.text for o in Select(changed).options][1:] == [
        "Changed since v1",
        "Changed since v2",
    ]
    choose(driver, changed="v1")
    assert sorted(shown(driver)) == ["st-2167270e10", "st-249a57de84", "st-ba7b47746a"]
    choose(driver, changed="v2")
    assert shown(driver) == ["st-ba7b47746a"]
    (flags,) = driver.find_elements(By.CSS_SELECTOR, "#results td[data-label='Flags']")
    assert [c.text for c in flags.find_elements(By.CLASS_NAME, "chip")] == [
        "changed since v1",
        "changed since v2",
    ]
    choose(driver, changed="", carried="yes")
    assert shown(driver) == ["st-249a57de84"]
    choose(driver, carried="no")
    assert count(driver) == "7 of 8 studies shown"
    assert "st-249a57de84" not in shown(driver)
    # both filters together, and from the address as an auditor would cite them
    open_index(driver, updated, "?changed=v1&carried=no&stage=title_abstract&decision=exclude")
    assert shown(driver) == ["st-2167270e10"]
    assert Select(driver.find_element(By.ID, "filter-changed")).first_selected_option.text == (
        "Changed since v1"
    )
    # the study's own page says why it is flagged
    driver.get((updated / "audit" / "studies" / "st-249a57de84.html").as_uri())
    facts = driver.find_element(By.CSS_SELECTOR, "dl.kv").text
    assert "Carried forward\nrecord umkm_web:S9 joined (run 2026-11-25)" in facts
    assert "Changed since\nv1" in facts


def test_audit_csp_blocks_scripts_other_than_its_own(
    driver: webdriver.Chrome, reports: Path
) -> None:
    """A script added to the page (as a record that escaped escaping would be) does not run,
    while the index's own script files do; a study page runs no script at all."""
    open_index(driver, reports)
    driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
        "document.body.appendChild(s);"
    )
    assert driver.execute_script("return window.injected === undefined")
    assert count(driver) == "8 of 8 studies shown"  # its own script and data files ran
    driver.get((reports / "audit" / "studies" / "st-6f0eebc487.html").as_uri())
    assert no_alert(driver)
    assert "<script>alert('pwned')</script> Klinik UMKM Surabaya" in driver.page_source.replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
    assert driver.execute_script("return document.scripts.length") == 0


def test_every_link_of_the_review_lands_on_its_study(
    driver: webdriver.Chrome, reports: Path
) -> None:
    driver.get((reports / "review.html").as_uri())
    hrefs = {
        a.get_attribute("href").split("#", 1)[1]
        for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='audit.html#']")
    }
    assert len(hrefs) >= 4
    open_index(driver, reports)
    for sid in sorted(hrefs):
        target = driver.execute_script("return AuditIndex.resolve(arguments[0])", sid)
        assert target == f"audit/studies/{sid}.html", sid
        assert (reports / target).is_file(), sid
    # followed as a reader follows them: the index opens the study's own page
    for sid in sorted(hrefs)[:2]:
        driver.get((reports / "audit.html").as_uri() + "#" + sid)
        WebDriverWait(driver, 10).until(lambda d: "/studies/" in d.current_url)
        assert driver.current_url.endswith(f"/audit/studies/{sid}.html")
        assert driver.find_element(By.CSS_SELECTOR, "nav.bar .here").text == sid
    # a record id finds its study; an unknown id says so
    driver.get((reports / "audit.html").as_uri() + "#umkm_web:S4")
    WebDriverWait(driver, 10).until(lambda d: "/studies/" in d.current_url)
    assert driver.current_url.endswith("/audit/studies/st-2167270e10.html")
    open_index(driver, reports, "#st-0000000000")
    notice = driver.find_element(By.ID, "notice")
    assert notice.is_displayed()
    assert "No study or record “st-0000000000” in this audit trail" in notice.text


def test_an_anchor_lands_below_the_sticky_bar(driver: webdriver.Chrome, reports: Path) -> None:
    """A timeline row opened from its link is shown whole, under the bar, not behind it."""
    page = reports / "audit" / "studies" / "st-249a57de84.html"
    driver.set_window_size(1000, 500)
    driver.get(page.as_uri() + "#ft-ai-reviewer-2-decision")
    target = driver.find_element(By.ID, "ft-ai-reviewer-2-decision")
    bar = driver.find_element(By.CSS_SELECTOR, "nav.bar")
    assert driver.execute_script("return window.scrollY") > 100  # it did scroll to the row
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", target)
    bar_bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom", bar)
    assert bar_bottom <= top, (bar_bottom, top)
    assert top - bar_bottom < 40  # and right under it
    SCREENSHOTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / "screenshot-audit-anchor.png"))
    driver.set_window_size(1300, 1600)


NARROW_PAGES = (
    "review.html",
    "audit.html",
    "audit/studies/st-2167270e10.html",
    "audit/studies/st-6f0eebc487.html",
    "audit/reviewers/ai-reviewer-1.html",
)


@pytest.mark.parametrize(
    ("name", "width"), [(name, 400) for name in NARROW_PAGES] + [(NARROW_PAGES[1], 760)]
)
def test_no_sideways_scrolling_at_400_px(
    driver: webdriver.Chrome, reports: Path, name: str, width: int
) -> None:
    driver.set_window_size(width, 900)
    try:
        if name == "audit.html":
            open_index(driver, reports)
        else:
            driver.get((reports / name).as_uri())
        width = driver.execute_script("return document.documentElement.clientWidth")
        wide = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{name} is {wide}px wider than the {width}px window"
        if name == "audit/studies/st-2167270e10.html":
            assert driver.save_screenshot(str(SCREENSHOTS / "screenshot-audit-narrow.png"))
    finally:
        driver.set_window_size(1300, 1600)


BROKEN_WORDS = r"""
var broken = [];
document.querySelectorAll("th").forEach(function (th) {
  if (th.scrollWidth > th.clientWidth + 1) { broken.push("too narrow: " + th.textContent); }
  var walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    var re = /\S+/g, m;
    while ((m = re.exec(node.data))) {
      var range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (range.getClientRects().length > 1) { broken.push(m[0]); }
    }
  }
});
return broken;
"""


@pytest.mark.parametrize("width", [1300, 1000, 800])
def test_headers_do_not_break_inside_words(
    driver: webdriver.Chrome, reports: Path, width: int
) -> None:
    driver.set_window_size(width, 1600)
    try:
        for name in ("review.html", "audit/reviewers/ai-reviewer-1.html"):
            driver.get((reports / name).as_uri())
            assert driver.execute_script(BROKEN_WORDS) == [], name
        open_index(driver, reports)
        assert driver.execute_script(BROKEN_WORDS) == []
    finally:
        driver.set_window_size(1300, 1600)

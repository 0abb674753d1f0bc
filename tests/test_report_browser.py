"""End to end: the rendered report in headless Chromium. The diagram and tables render, the
hostile title stays text, and the audit table filters by text and by PRISMA box offline.
Screenshots go to ``reports/`` for a human to look at."""

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
from selenium.webdriver.support.ui import Select  # noqa: E402


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
    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(FIXTURE, root)
    render_report(
        load_protocol(root / "config" / "protocol.yaml"),
        paths=ReportPaths.in_project(root),
        outputs=ReportOutputs.in_folder(root / "reports"),
        generated_at="2026-11-29 08:00 UTC",
    )
    return root / "reports"


def no_alert(drv: webdriver.Chrome) -> bool:
    try:
        _ = drv.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def visible_rows(drv: webdriver.Chrome) -> int:
    return sum(
        1 for row in drv.find_elements(By.CSS_SELECTOR, "tr.study-row") if row.is_displayed()
    )


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


def test_audit_table_filters(driver: webdriver.Chrome, reports: Path) -> None:
    driver.get((reports / "audit.html").as_uri())
    assert no_alert(driver)
    assert visible_rows(driver) == 8
    box = driver.find_element(By.ID, "filter-text")
    box.send_keys("malaysia")
    assert visible_rows(driver) == 1
    assert "1 of 8 studies shown" in driver.find_element(By.ID, "filter-count").text
    box.clear()
    box.send_keys("ai-reviewer-2 include")  # every word must match
    assert visible_rows(driver) == 5  # every study reviewer 2 included at some stage
    box.clear()
    box.send_keys(" ")  # clear() fires no input event; a space (no words) shows every row
    Select(driver.find_element(By.ID, "filter-box")).select_by_value("included_ft")
    assert visible_rows(driver) == 3
    SCREENSHOTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOTS / "screenshot-audit.png"))
    Select(driver.find_element(By.ID, "filter-box")).select_by_value("excluded_auto")
    assert visible_rows(driver) == 1
    Select(driver.find_element(By.ID, "filter-box")).select_by_value("")
    assert visible_rows(driver) == 8


def test_audit_csp_blocks_scripts_other_than_its_own(
    driver: webdriver.Chrome, reports: Path
) -> None:
    """A script added to the page (as a record that escaped escaping would be) does not run."""
    driver.get((reports / "audit.html").as_uri())
    driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
        "document.body.appendChild(s);"
    )
    assert driver.execute_script("return window.injected === undefined")
    # while the page's own script did run: it replaced the static count with its own
    assert driver.find_element(By.ID, "filter-count").text == "8 of 8 studies shown"


def test_audit_anchor_and_query_filter(driver: webdriver.Chrome, reports: Path) -> None:
    driver.get((reports / "audit.html").as_uri() + "?box=excluded_ta")
    assert visible_rows(driver) == 1
    driver.get((reports / "audit.html").as_uri() + "#st-2167270e10")
    row = driver.find_element(By.ID, "st-2167270e10")
    assert row.is_displayed()
    assert "Excluded at title/abstract" in row.text

"""In Chromium: an evaluator logs in and reads the results page on a desktop and on a phone.
Screenshots: tmp and /tmp/screens/results-*.png."""

import shutil
from pathlib import Path

import pytest

from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db as _db
from tests.conftest import BROWSER_TESTS
from tests.conftest import create_user

pytestmark = BROWSER_TESTS
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
PASSWORD = "evaluator password 456"


@pytest.fixture
def seeded(app):
    with app.app_context():
        create_user("li.pingjia", "evaluator", PASSWORD)
        insert_demo_responses(get_survey("nanyang-dcm"), 2000, seed=21)
        _db.session.commit()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("size", list(SIZES))
def test_results_page_in_a_browser(browser, seeded, live_server, tmp_path, size):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server}/auth/login")
    page.fill("#username", "li.pingjia")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/**")
    page.goto(f"{live_server}/console/surveys/nanyang-dcm/results")
    page.wait_for_load_state("networkidle")
    assert page.locator("#indicators tr.r-indicator").count() == 4
    # Charts loaded as images (server-rendered SVG).
    for img in page.locator(".r-chart img").element_handles():
        assert page.evaluate("i => i.complete && i.naturalWidth > 100", img)
    # The copy button appears with JavaScript and copies the sentence.
    page.locator("#section-headline details.r-cite").first.click()
    button = page.locator("#section-headline button.r-copy").first
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("据加权估计") and "置信区间" in copied
    page.locator("#section-headline details.r-cite").first.click()
    path = tmp_path / f"results-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    Path("/tmp/screens").mkdir(exist_ok=True)
    shutil.copyfile(path, f"/tmp/screens/results-{size}.png")
    assert csp_errors == []
    context.close()

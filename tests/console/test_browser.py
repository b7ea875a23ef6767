"""In Chromium: an admin creates an evaluator, who logs in, opens the default survey, sees its QR
code and dashboard, on a desktop and on a phone. Screenshots: tmp and /tmp/screens/console-*.png."""

import shutil
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveyapp.extensions import db as _db
from tests.conftest import BROWSER_TESTS
from tests.conftest import create_user
from tests.console.helpers import add_response
from tests.console.helpers import add_starts
from tests.console.helpers import default_survey

pytestmark = BROWSER_TESTS
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
ADMIN_PASSWORD = "admin password 123"
EVALUATOR_PASSWORD = "evaluator password 456"


@pytest.fixture
def seeded(app):
    """An admin and forty responses over two weeks on three channels."""
    with app.app_context():
        create_user("chief", "admin", ADMIN_PASSWORD)
        survey = default_survey()
        start = datetime(2026, 3, 1, 2, 0)
        for i in range(40):
            add_response(
                survey,
                start + timedelta(hours=7 * i),
                ("wechat", "poster", "hotline-interview")[i % 3],
                300 + 17 * i,
                district=1 + i % 4,
            )
        add_starts(survey, "wechat", 20)
        add_starts(survey, "poster", 25)
        add_starts(survey, "hotline-interview", 14)
        _db.session.commit()


def shoot(page, tmp_path, name):
    path = tmp_path / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    Path("/tmp/screens").mkdir(exist_ok=True)
    shutil.copyfile(path, f"/tmp/screens/console-{name}.png")


def log_in(page, base, username, password):
    page.goto(f"{base}/console/surveys")
    assert "/auth/login" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/surveys")


def log_out(page):
    page.click(".c-account button[type=submit]")
    page.wait_for_url("**/auth/login")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("size", list(SIZES))
def test_admin_creates_evaluator_who_checks_fieldwork(browser, seeded, live_server, tmp_path, size):
    base = live_server
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto(f"{base}/auth/login")
    shoot(page, tmp_path, f"{size}-login")
    log_in(page, base, "chief", ADMIN_PASSWORD)
    page.click(".c-nav >> text=用户")
    page.fill("#username", f"li.{size}")
    page.select_option("#role", "evaluator")
    page.fill("#password", EVALUATOR_PASSWORD)
    page.fill("#confirm", EVALUATOR_PASSWORD)
    page.click("#new-user button[type=submit]")
    expect(page.locator(f"tr[data-username='li.{size}']")).to_have_count(1)
    shoot(page, tmp_path, f"{size}-users")
    log_out(page)

    log_in(page, base, f"li.{size}", EVALUATOR_PASSWORD)
    expect(page.locator(".c-role")).to_have_text("评价人员")
    shoot(page, tmp_path, f"{size}-surveys")
    page.click("table.c-table a >> nth=0")
    page.wait_for_url(f"{base}/console/surveys/nanyang-dcm")
    expect(page.locator("#kpi-submitted")).to_have_text("40")
    expect(page.locator("svg.c-chart")).to_have_count(3)
    shoot(page, tmp_path, f"{size}-dashboard")

    page.click(".c-tabs >> text=发放")
    qr = page.locator(".c-link-card img").first
    qr.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=qr.element_handle(), timeout=15000
    )
    shoot(page, tmp_path, f"{size}-distribution")

    page.click(".c-tabs >> text=问卷定义")
    assert page.locator(".c-status--open").count() >= 1
    shoot(page, tmp_path, f"{size}-versions")
    page.click(".c-tabs >> text=发放")
    page.click("a[href$='/poster?ch=poster']")
    page.locator(".c-poster img").wait_for()
    shoot(page, tmp_path, f"{size}-poster")

    page.click(".c-tabs >> text=配额")
    page.fill("#target_1", "12")
    page.fill("#target_2", "10")
    page.click("form.c-form button[type=submit]")
    expect(page.locator(".c-flash--success")).to_have_count(1)
    shoot(page, tmp_path, f"{size}-quotas")
    page.click(".c-tabs >> text=邀请码")
    page.fill("#count", "3")
    page.click("form.c-form >> nth=0 >> button[type=submit]")
    expect(page.locator("#inv-total")).to_have_text("3")
    shoot(page, tmp_path, f"{size}-invitations")

    assert csp_errors == []
    context.close()

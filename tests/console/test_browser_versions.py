"""In Chromium: an evaluator uploads a changed version of the live default survey, reads the
changes (breaking ones marked), confirms, and respondents get the new wording. Screenshots:
tmp and /tmp/screens/console-version-*.png."""

import pytest
from playwright.sync_api import expect

from surveyapp.extensions import db as _db
from tests.conftest import BROWSER_TESTS
from tests.conftest import create_user
from tests.console.test_browser import log_in
from tests.console.test_browser import shoot
from tests.console.test_versions import changed_default

pytestmark = BROWSER_TESTS
PASSWORD = "evaluator password 789"


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_upload_diff_confirm_publishes_the_new_version(browser, app, live_server, tmp_path):
    with app.app_context():
        create_user("wang", "evaluator", PASSWORD)
        _db.session.commit()
    changed = tmp_path / "nanyang-v2.yaml"
    changed.write_text(changed_default(), encoding="utf-8")
    base = live_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "wang", PASSWORD)

    page.goto(f"{base}/console/surveys/nanyang-dcm/versions")
    page.set_input_files("#definition", str(changed))
    page.click("form[action$='/versions/upload'] button[type=submit]")
    expect(page.locator("#changes")).to_be_visible()
    expect(page.locator("#breaking-summary")).to_be_visible()
    expect(page.locator("tr[data-kind='reworded']")).to_contain_text("您现在住在哪个区？")
    expect(page.locator("tr.c-row--breaking")).to_have_count(4)
    expect(page.locator("tr[data-kind='added']")).to_contain_text("contact_ok")
    shoot(page, tmp_path, "version-diff")

    # Confirming without ticking the box is refused; nothing is published.
    page.click("#confirm-button")
    expect(page.locator("#confirm-form .c-errors")).to_be_visible()
    assert "您目前居住在哪个区？" in _public_form(context, base)
    page.check("#acknowledge")
    page.click("#confirm-button")
    page.wait_for_url(f"{base}/console/surveys/nanyang-dcm/versions")
    expect(page.locator(".c-flash--success")).to_contain_text("2")
    expect(page.locator("a[href$='/versions/2/xlsform']")).to_have_count(1)
    shoot(page, tmp_path, "version-published")
    assert "您现在住在哪个区？" in _public_form(context, base)
    context.close()


def _public_form(context, base):
    public = context.browser.new_context(locale="zh-CN")
    try:
        page = public.new_page()
        page.goto(f"{base}/s/nanyang-dcm")
        return page.content()
    finally:
        public.close()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_imported_xlsform_previews_with_its_conditions_and_constraint(
    browser, app, live_server, tmp_path
):
    from tests.definitions.test_xlsform import KOBO_FORM
    from tests.definitions.test_xlsform import workbook

    with app.app_context():
        create_user("wang", "evaluator", PASSWORD)
        _db.session.commit()
    path = tmp_path / "pilot.xlsx"
    path.write_bytes(workbook(KOBO_FORM))
    result = app.test_cli_runner().invoke(args=["survey", "import-xlsform", str(path)])
    assert result.exit_code == 0, result.output
    base = live_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "wang", PASSWORD)
    page.goto(f"{base}/s/service-pilot?preview=1&lang=en")
    expect(page.locator(".preview-note")).to_be_visible()
    # selected() relevance: the visits question appears once "In person" is ticked.
    expect(page.locator("#q-visits")).to_be_hidden()
    page.check("#used_service-0")
    page.check("#channels-2")
    expect(page.locator("#q-visits")).to_be_visible()
    expect(page.locator("#q-rating_note")).to_be_visible()
    page.fill("#visits", "99")
    page.check("#rate_staff-0")
    page.check("#rate_wait-2")
    page.click("button.submit")
    expect(page.locator("#error-summary")).to_contain_text("Enter a number from 1 to 50")
    shoot(page, tmp_path, "xlsform-constraint")
    page.fill("#visits", "12")
    page.click("button.submit")
    page.wait_for_url("**/s/service-pilot/thanks?preview=1")
    context.close()

"""Back after the thank-you page, in a phone-sized Chromium: what the page shows follows the
answers in it, and sending it again stores no second unflagged response."""

from sqlalchemy import select

from surveyapp.models import Response
from surveyapp.models import ResponseFlag
from tests.conftest import BROWSER_TESTS
from tests.conftest import SAT_ITEMS
from tests.public.test_browser import pick
from tests.public.test_browser import save_screenshot

pytestmark = BROWSER_TESTS


def fill_in(page):
    pick(page, "district", 1)
    page.fill("#years_lived", "12")
    pick(page, "awareness", 1)
    pick(page, "heard_via", 1)
    pick(page, "reported", 1)
    for index, item in enumerate(SAT_ITEMS):
        pick(page, item, index % 3)
    pick(page, "sat_overall", 1)
    pick(page, "env_improved", 1)
    pick(page, "recommend", 8)
    pick(page, "willing_report", 0)
    pick(page, "age_group", 1)
    pick(page, "gender", 1)


def progress_numbers(page):
    text = page.locator("#progress-text").inner_text()
    return [int(s) for s in text.replace("/", " ").split() if s.isdigit()]


def test_back_after_thanks(browser, live_server, db, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/s/nanyang-dcm")
    fill_in(page)
    done_before = progress_numbers(page)
    page.get_by_role("button").last.click()
    page.wait_for_url("**/s/nanyang-dcm/thanks")

    page.go_back()
    page.wait_for_load_state("load")
    shown = page.locator("#survey-form").count()
    save_screenshot(page, tmp_path, "public-back-after-thanks-390.png")
    if shown:
        # The restored page recomputes: answered follow-ups show, progress counts the answers.
        assert page.is_checked("#awareness-1")
        assert page.locator("#q-heard_via").is_visible()
        assert progress_numbers(page)[0] > 0
        assert progress_numbers(page)[0] >= done_before[0] - 1  # the number may not come back
        page.get_by_role("button").last.click()
        page.wait_for_load_state("load")
    else:
        assert page.locator("#already-answered").is_visible()

    # Opening the survey again in this browser: it says it was answered (no second form).
    page.goto(f"{live_server}/s/nanyang-dcm")
    assert page.locator("#already-answered").is_visible()
    assert page.locator("#survey-form").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, tmp_path, "public-already-answered-390.png")
    assert errors == []
    context.close()

    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    flagged = {f.response_id for f in db.session.scalars(select(ResponseFlag))}
    assert responses
    assert all(r.id in flagged for r in responses[1:])  # any second one is a flagged duplicate


def test_restored_answers_are_recomputed_on_pageshow(browser, live_server):
    """A browser that restores answers without input events (back-forward cache, form
    restoration after the scripts ran): progress and follow-up questions follow on pageshow."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/s/nanyang-dcm")
    assert page.locator("#q-heard_via").is_hidden()
    before = progress_numbers(page)[0]
    page.evaluate(
        """() => {
            for (const id of ['awareness-1', 'district-1', 'heard_via-0']) {
                document.getElementById(id).checked = true;  // no change event, as restored
            }
            document.getElementById('years_lived').value = '12';
        }"""
    )
    assert page.locator("#q-heard_via").is_hidden()  # nothing noticed the restored answers yet
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert page.locator("#q-heard_via").is_visible()
    assert progress_numbers(page)[0] == before + 4
    context.close()

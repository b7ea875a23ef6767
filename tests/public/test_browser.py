"""A phone-sized Chromium fills in the default survey against a live server."""

import shutil
from pathlib import Path

from sqlalchemy import select

from surveyapp.models import Answer
from surveyapp.models import Response
from tests.conftest import BROWSER_TESTS
from tests.conftest import SAT_ITEMS

SCREENS = Path("/tmp/screens")

pytestmark = BROWSER_TESTS


def pick(page, name, index):
    """Tap the label of option ``index`` of the radio/checkbox group ``name``."""
    page.locator(f"label[for='{name}-{index}']").click()


def save_screenshot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / name)
    return path


def test_phone_completes_default_survey(browser, live_server, app, db, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server}/s/nanyang-dcm?ch=poster")

    # The keyboard works: arrow keys move between options of a group, Tab to the next question.
    page.focus("#district-0")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#district-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "years_lived"

    # Conditional questions start hidden and follow the answers live.
    assert page.locator("#q-heard_via").is_hidden()
    pick(page, "awareness", 3)  # 完全不了解
    assert page.locator("#q-heard_via").is_hidden()
    pick(page, "awareness", 1)  # 比较了解
    assert page.locator("#q-heard_via").is_visible()
    assert page.locator("#q-heard_via_other").is_hidden()
    assert page.locator("#progress").is_visible()

    pick(page, "district", 1)
    page.fill("#years_lived", "12")
    pick(page, "heard_via", 1)
    pick(page, "heard_via", 4)
    assert page.locator("#q-heard_via_other").is_visible()
    page.fill("#heard_via_other", "公交站广告")
    pick(page, "reported", 1)  # 没有反映过: report_channel stays hidden
    assert page.locator("#q-report_channel").is_hidden()
    for index, item in enumerate(SAT_ITEMS):
        pick(page, item, index % 3)
    pick(page, "sat_overall", 1)
    pick(page, "env_improved", 1)
    pick(page, "recommend", 8)
    pick(page, "willing_report", 0)
    page.fill("#suggestion", "希望夜间也能及时处理占道问题。")
    pick(page, "age_group", 1)
    pick(page, "gender", 1)
    assert "25" not in page.locator("#progress-text").inner_text()  # it counts, it is not static

    # Nothing needs sideways scrolling; every option, link and button is a large touch target.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('.opt, .submit, .lang a')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height))"
    )
    assert smallest >= 44
    save_screenshot(page, tmp_path, "public-survey-phone-390.png")

    page.get_by_role("button").last.click()
    page.wait_for_url("**/s/nanyang-dcm/thanks")
    assert "感谢" in page.locator("main").inner_text()
    save_screenshot(page, tmp_path, "public-thanks-phone-390.png")

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/s/nanyang-dcm")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
    context.close()

    response = db.session.scalars(select(Response)).one()
    assert response.channel == "poster"
    assert response.duration_seconds is not None
    stored = {(a.question, a.code, a.text) for a in db.session.scalars(select(Answer))}
    assert ("heard_via_other", None, "公交站广告") in stored
    assert ("recommend", 8, None) in stored
    assert not any(question == "report_channel" for question, _, _ in stored)


def test_error_summary_links_to_fields_without_javascript(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/nanyang-dcm?lang=en")
    # Without JavaScript every question shows, with a note on the conditional ones.
    assert page.locator("#q-heard_via").is_visible()
    assert page.locator("#q-heard_via .cond-hint").is_visible()
    page.get_by_role("button", name="Submit").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    save_screenshot(page, tmp_path, "public-errors-nojs-390.png")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "district-0"
    context.close()


CONDITION_CASES = [
    ("awareness in [1, 2, 3]", {"awareness": 2}),
    ("awareness in [1, 2, 3]", {"awareness": 4}),
    ("awareness in [1, 2, 3]", {}),
    ("awareness != 4", {}),
    ("awareness != 4", {"awareness": 1}),
    ("awareness not in [4]", {"awareness": None}),
    ("heard_via has 5", {"heard_via": [1, 5]}),
    ("heard_via has 5", {"heard_via": []}),
    ("heard_via == 5", {"heard_via": [5]}),
    ("years >= 2.5 and years < 10", {"years": "2.5"}),
    ("years > 1", {"years": "abc"}),
    ("not (reported == 1) or answered(note)", {"reported": 1, "note": "x"}),
    ("not (reported == 1) or answered(note)", {"reported": 1, "note": ""}),
    ("not answered(note)", {}),
    ("score == -1", {"score": -1}),
]


def test_browser_evaluates_conditions_exactly_like_the_server(browser, live_server):
    from surveyapp.definitions.conditions import parse

    page = browser.new_page()
    page.goto(f"{live_server}/s/nanyang-dcm")
    for source, answers in CONDITION_CASES:
        tree = parse(source).tree
        in_browser = page.evaluate(
            "([t, a]) => window.surveyConditions.holds(t, a)", [tree, answers]
        )
        assert in_browser is parse(source).holds(answers), (source, answers)
    page.close()

"""The questionnaire page itself: weight, markup for assistive technology, no external resources."""

import json
import re
from html.parser import HTMLParser

from sqlalchemy import event

from surveyapp.definitions import builtin_path
from surveyapp.definitions import conditions
from surveyapp.definitions import load_file
from surveyapp.extensions import db as _db
from tests.conftest import fresh_database
from tests.conftest import make_app

PAGE_BUDGET = 60 * 1024


class Inventory(HTMLParser):
    """Collects inputs, labels, fieldsets/legends, scripts, stylesheets and ids of a page."""

    def __init__(self):
        super().__init__()
        self.inputs, self.label_for, self.ids = [], set(), []
        self.fieldsets = self.legends = 0
        self.scripts, self.styles, self.inline_scripts, self.style_attrs = [], [], 0, 0
        self._in_label = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "style" in attrs:
            self.style_attrs += 1
        if tag == "label":
            self._in_label += 1
            if "for" in attrs:
                self.label_for.add(attrs["for"])
        elif tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
            self.inputs.append({**attrs, "_wrapped": self._in_label > 0, "_tag": tag})
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1
        elif tag == "script":
            if "src" in attrs:
                self.scripts.append(attrs["src"])
            else:
                self._in_script = True
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


def inventory(page):
    parser = Inventory()
    parser.feed(page)
    return parser


def test_default_survey_page_with_css_and_js_stays_under_60_kb(client):
    page = client.get("/s/nanyang-dcm").get_data()
    found = inventory(page.decode("utf-8"))
    assert found.scripts == ["/static/js/survey.js"] and found.styles == ["/static/css/survey.css"]
    total = len(page)
    for url in found.scripts + found.styles:
        with client.get(url) as asset:
            assert asset.status_code == 200
            total += len(asset.data)
    assert total < PAGE_BUDGET, f"page weight {total} bytes"


def test_no_external_resources_inline_scripts_or_style_attributes(client):
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    found = inventory(page)
    assert found.inline_scripts == 0 and found.style_attrs == 0
    assert not re.search(r'(src|href)="(https?:)?//', page)
    with client.get("/static/css/survey.css") as css:
        assert b"@import" not in css.data and b"url(" not in css.data


def test_every_input_has_a_label_and_groups_have_legends(client):
    for url in ("/s/nanyang-dcm", "/s/nanyang-dcm?lang=en"):
        found = inventory(client.get(url).get_data(as_text=True))
        assert found.inputs
        for field in found.inputs:
            assert field["_wrapped"] or field.get("id") in found.label_for, field
        # One fieldset per choice question and per Likert item, each with its legend.
        assert found.fieldsets == found.legends == 12 + 7
        assert len(found.ids) == len(set(found.ids)), "duplicate ids"


def test_conditions_are_given_to_the_script_as_parsed_trees(client):
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    definition = load_file(builtin_path("nanyang-dcm"))
    trees = dict(
        re.findall(r'id="q-([a-z_]+)" data-type="[a-z_]+" data-relevant=\'([^\']+)\'', page)
    )
    expected = {q.key: q.relevant for q in definition.questions if q.relevant}
    assert set(trees) == set(expected)
    for key, source in expected.items():
        assert json.loads(trees[key]) == json.loads(json.dumps(conditions.parse(source).tree))


def test_viewport_and_language_are_declared(client):
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'href="/s/nanyang-dcm?lang=en"' in page and 'aria-current="true">中文' in page


def test_security_headers_forbid_inline_code(client):
    response = client.get("/s/nanyang-dcm")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_static_script_and_styles_are_served(client):
    for url in ("/static/js/survey.js", "/static/css/survey.css", "/static/img/icon.svg"):
        with client.get(url) as response:
            assert response.status_code == 200


def test_colour_pairs_meet_wcag_aa(client):
    """The text and control colours of survey.css against their backgrounds (WCAG 2 contrast)."""
    with client.get("/static/css/survey.css") as response:
        css = response.data.decode()

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def ratio(a, b):
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    text_pairs = [
        ("#1b1b1b", "#f2f4f7"),
        ("#1b1b1b", "#ffffff"),
        ("#4a4f57", "#f2f4f7"),
        ("#4a4f57", "#ffffff"),
        ("#0b5394", "#ffffff"),
        ("#0b5394", "#f2f4f7"),
        ("#ffffff", "#0b5394"),
        ("#b3261e", "#ffffff"),
        ("#8a1c15", "#ffffff"),
        ("#1b1b1b", "#e7f0fa"),
        ("#ffffff", "#1e6b34"),
    ]
    for fg, bg in text_pairs:
        assert ratio(fg, bg) >= 4.5, (fg, bg, ratio(fg, bg))
    # Borders of inputs and options: non-text contrast 3:1.
    assert ratio("#767676", "#ffffff") >= 3
    # Any colour added to the stylesheet must be added (and checked) here too.
    used = set()
    for colour in re.findall(r"#[0-9a-fA-F]{3,6}\b", css):
        colour = colour.lower()
        used.add("#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour)
    checked = {c for pair in text_pairs for c in pair} | {"#767676"}
    decorative = {"#d5d9e0", "#083f72"}  # progress track, separator; hover of a checked pair
    assert used <= checked | decorative, used - checked - decorative


def test_opening_a_form_looks_its_survey_up_once(request, tmp_path):
    """The fieldwork gate and the page share one lookup of the survey (SQLite's statement log)."""
    app = make_app(fresh_database(request, "sqlite", tmp_path))
    statements = []
    with app.app_context():
        engine = _db.engine

        @event.listens_for(engine, "checkout")
        def trace(dbapi_connection, _record, _proxy):
            dbapi_connection.set_trace_callback(statements.append)

        response = app.test_client().get("/s/nanyang-dcm")
        engine.dispose()
    assert response.status_code == 200
    lookups = [sql for sql in statements if re.search(r"FROM surveys\b", sql)]
    assert len(lookups) == 1, lookups

"""Helpers for questionnaire tests: a respondent that opens and posts forms, and stored rows."""

import html
import re

import pytest
from sqlalchemy import select

from surveyapp.definitions import load_text
from surveyapp.definitions.store import save_definition
from surveyapp.extensions import db as _db
from surveyapp.models import Answer
from surveyapp.models import FormStart
from surveyapp.models import Response

DEFAULT_URL = "/s/nanyang-dcm"

# A complete, valid set of answers to the default survey (every conditional question relevant).
COMPLETE = {
    "district": "2",
    "years_lived": "12",
    "awareness": "2",
    "heard_via": ["2", "5"],
    "heard_via_other": "公交站广告",
    "reported": "1",
    "report_channel": ["1", "2"],
    "sat_appearance": "5",
    "sat_sanitation": "4",
    "sat_roads": "3",
    "sat_parking": "2",
    "sat_speed": "1",
    "sat_quality": "9",
    "sat_hotline": "4",
    "sat_overall": "4",
    "env_improved": "5",
    "recommend": "8",
    "willing_report": "5",
    "suggestion": "多设垃圾桶。",
    "age_group": "2",
    "gender": "1",
}

EVERY_TYPE_YAML = """
key: every-type
title: {zh: 各种题型, en: Every question type}
scales:
  agree:
    - {code: 1, label: {zh: 同意, en: Agree}}
    - {code: 2, label: {zh: 不同意, en: Disagree}}
    - {code: 9, label: {zh: 不知道, en: "Don't know"}, substantive: false}
questions:
  - key: q_single
    type: single
    required: true
    text: {zh: 单选题, en: Single choice}
    choices:
      - {code: 1, label: {zh: 是, en: "Yes"}}
      - {code: 2, label: {zh: 否, en: "No"}}
  - key: q_follow
    type: single
    required: true
    relevant: q_single == 1
    text: {zh: 追问, en: Follow-up}
    choices:
      - {code: 1, label: {zh: 甲, en: A}}
      - {code: 2, label: {zh: 乙, en: B}}
  - key: q_demo
    type: demographic
    text: {zh: 所在区, en: District}
    choices:
      - {code: 1, label: {zh: 东区, en: East}}
      - {code: 2, label: {zh: 西区, en: West}}
  - {key: q_likert, type: likert, scale: agree, text: {zh: 单项量表, en: One item}}
  - {key: q_note, type: note, text: {zh: 以下请打分, en: Rate the following}}
  - key: q_group
    type: likert_group
    scale: agree
    text: {zh: 量表组, en: Item group}
    items:
      - {key: g_a, label: {zh: 甲项, en: Item A}}
      - {key: g_b, label: {zh: 乙项, en: Item B}}
  - {key: q_rating, type: rating, text: {zh: 打分, en: Rating}}
  - key: q_multi
    type: multiple
    max_choices: 2
    text: {zh: 多选题, en: Multiple choice}
    choices:
      - {code: 1, label: {zh: 一, en: One}}
      - {code: 2, label: {zh: 二, en: Two}}
      - {code: 3, label: {zh: 三, en: Three}}
  - {key: q_number, type: number, min: 0, max: 120, text: {zh: 数字题, en: Number}}
  - {key: q_text, type: text, max_length: 10, text: {zh: 短文字, en: Short text}}
  - {key: q_long, type: long_text, text: {zh: 长文字, en: Long text}}
"""


def hidden_value(page, name):
    """The value of the (first) input called ``name`` in an HTML page, or None."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return None


def is_checked(page, name, value):
    """Whether the radio/checkbox ``name`` with ``value`` is rendered checked."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\bchecked\b", tag) is not None
    raise AssertionError(f"no input {name}={value} on the page")


class Respondent:
    """A browser-like client: opens a questionnaire, then posts it with the page's tokens."""

    def __init__(self, client, url=DEFAULT_URL):
        self.client, self.url = client, url
        self.page = None

    def open(self, url=None):
        response = self.client.get(url or self.url)
        self.page = response.get_data(as_text=True)
        return response

    def hidden(self, name):
        """The value of input ``name`` on the current page."""
        return hidden_value(self.page, name)

    def checked(self, name, value):
        """Whether option ``value`` of ``name`` is checked on the current page."""
        return is_checked(self.page, name, value)

    @property
    def tokens(self):
        return {
            "csrf_token": hidden_value(self.page, "csrf_token"),
            "_st": hidden_value(self.page, "_st"),
        }

    def submit(self, answers, url=None, drop=(), **extra):
        """Post ``answers`` with the current page's CSRF and submission tokens (minus ``drop``)."""
        data = {**self.tokens, **answers, **extra}
        for name in drop:
            data.pop(name, None)
        response = self.client.post(url or self.url, data=data)
        self.page = response.get_data(as_text=True)
        return response


@pytest.fixture
def complete():
    """A fresh copy of complete, valid answers to the default survey."""
    return {k: list(v) if isinstance(v, list) else v for k, v in COMPLETE.items()}


@pytest.fixture
def respondent(client):
    return Respondent(client)


@pytest.fixture
def stored(app):
    """``stored()`` -> list of (response, sorted answer tuples), read in a fresh session."""

    def read():
        with app.app_context():
            result = []
            for response in _db.session.scalars(select(Response).order_by(Response.id)):
                answers = sorted(
                    (a.question, a.code, a.number, a.text)
                    for a in _db.session.scalars(
                        select(Answer).where(Answer.response_id == response.id)
                    )
                )
                _db.session.expunge(response)
                result.append((response, answers))
            return result

    return read


@pytest.fixture
def counts(app):
    """``counts()`` -> (responses, answers, form starts) now in the database."""

    def read():
        with app.app_context():
            return tuple(
                _db.session.scalar(select(_db.func.count()).select_from(model))
                for model in (Response, Answer, FormStart)
            )

    return read


@pytest.fixture
def every_type(app):
    """Load the survey with one question of each type; returns its key."""
    with app.app_context():
        save_definition(load_text(EVERY_TYPE_YAML, "every-type.yaml"), status="open")
        _db.session.commit()
    return "every-type"

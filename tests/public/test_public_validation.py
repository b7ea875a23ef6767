"""Validation, conditions and every kind of bad input: a clear message, nothing stored, no 500."""

import pytest
from sqlalchemy import select

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions import load_text
from surveyapp.definitions.store import save_definition
from surveyapp.extensions import db as _db
from surveyapp.models import Response
from surveyapp.models import Survey


def test_missing_required_answers_are_shown_next_to_fields_and_answers_stay(
    respondent, complete, counts
):
    respondent.open()
    partial = {k: v for k, v in complete.items() if k not in ("district", "sat_roads")}
    response = respondent.submit(partial)
    assert response.status_code == 422
    page = respondent.page
    # The error summary links to the first input of each field, in page order.
    summary = page[page.index('id="error-summary"') : page.index("</ul>")]
    assert summary.index('href="#district-0"') < summary.index('href="#sat_roads-0"')
    assert "有 2 处回答需要修改" in summary
    # Each error is next to its field and linked to it.
    assert '<p class="err" id="district-error">' in page
    assert 'aria-describedby="district-error"' in page
    assert 'aria-describedby="sat_roads-error"' in page
    assert page.count('aria-invalid="true"') == 4 + 6  # district: 4 options, sat_roads: 6
    assert "请回答本题。" in page
    # Answers already given stay filled in.
    assert respondent.checked("awareness", "2") and respondent.checked("heard_via", "5")
    assert 'value="公交站广告"' in page and "多设垃圾桶。" in page
    assert respondent.hidden("years_lived") == "12"
    assert counts()[:2] == (0, 0)


def test_errors_are_in_the_respondents_language(respondent):
    respondent.open("/s/nanyang-dcm?lang=en")
    respondent.submit({"years_lived": "200"}, url="/s/nanyang-dcm?lang=en")
    assert "Please answer this question." in respondent.page
    assert "Enter a number from 0 to 100." in respondent.page
    assert "Answers to check:" in respondent.page


def test_answers_to_questions_whose_condition_is_false_are_discarded(respondent, complete, stored):
    respondent.open()
    # awareness 4 (never heard of it): the four follow-up questions about it do not apply.
    response = respondent.submit({**complete, "awareness": "4"})
    assert response.status_code == 303
    [(_, answers)] = stored()
    asked = {question for question, *_ in answers}
    assert not asked & {"heard_via", "heard_via_other", "reported", "report_channel"}
    assert ("awareness", 4, None, None) in answers


def test_conditions_follow_answers_in_order(respondent, complete, stored):
    respondent.open()
    # heard_via without code 5: its "other" text is dropped; reported 2: no report channel.
    answers = {**complete, "heard_via": ["1"], "reported": "2"}
    assert respondent.submit(answers).status_code == 303
    [(_, rows)] = stored()
    asked = {question for question, *_ in rows}
    assert "heard_via" in asked and "reported" in asked
    assert "heard_via_other" not in asked and "report_channel" not in asked


def test_required_only_applies_to_relevant_questions(client, every_type, stored):
    from urllib.parse import quote  # noqa: F401

    page = client.get("/s/every-type").get_data(as_text=True)
    tokens = _tokens(page)
    # q_follow is required but only asked when q_single == 1.
    assert client.post("/s/every-type", data={**tokens, "q_single": "2"}).status_code == 303
    page = client.get("/s/every-type").get_data(as_text=True)
    response = client.post("/s/every-type", data={**_tokens(page), "q_single": "1"})
    assert response.status_code == 422
    assert 'id="q_follow-error"' in response.get_data(as_text=True)
    assert len(stored()) == 1


def test_every_question_type_round_trips(client, every_type, stored, app):
    page = client.get("/s/every-type").get_data(as_text=True)
    answers = {
        "q_single": "1",
        "q_follow": "2",
        "q_demo": "2",
        "q_likert": "9",
        "g_a": "1",
        "g_b": "2",
        "q_rating": "0",
        "q_multi": ["3", "1"],
        "q_number": "42.5",
        "q_text": "  短句  ",
        "q_long": "第一行\n第二行",
    }
    assert client.post("/s/every-type", data={**_tokens(page), **answers}).status_code == 303
    [(_, rows)] = stored()
    assert rows == sorted(
        [
            ("q_single", 1, None, None),
            ("q_follow", 2, None, None),
            ("q_demo", 2, None, None),
            ("q_likert", 9, None, None),
            ("g_a", 1, None, None),
            ("g_b", 2, None, None),
            ("q_rating", 0, None, None),
            ("q_multi", 1, None, None),
            ("q_multi", 3, None, None),
            ("q_number", None, 42.5, None),
            ("q_text", None, None, "短句"),
            ("q_long", None, None, "第一行\n第二行"),
        ]
    )


BAD_ANSWERS = [
    pytest.param({"district": "7"}, "请从列出的选项中选择。", id="unknown-choice-code"),
    pytest.param({"district": "abc"}, "请从列出的选项中选择。", id="non-numeric-code"),
    pytest.param({"heard_via": ["1", "99"]}, "请从列出的选项中选择。", id="unknown-multiple-code"),
    pytest.param(
        {"heard_via": ["1", "2", "3", "4", "5", "5"]}, "最多选择 5 项。", id="too-many-choices"
    ),
    pytest.param({"years_lived": "101"}, "请输入 0 到 100 之间的数字。", id="number-out-of-range"),
    pytest.param({"years_lived": "-1"}, "请输入 0 到 100 之间的数字。", id="number-below-range"),
    pytest.param({"years_lived": "ten"}, "请输入数字，例如 12。", id="not-a-number"),
    pytest.param({"years_lived": "NaN"}, "请输入数字，例如 12。", id="nan"),
    pytest.param({"years_lived": "1e999"}, "请输入数字，例如 12。", id="infinity"),
    pytest.param({"heard_via_other": "长" * 101}, "请控制在 100 个字以内。", id="over-long-text"),
    pytest.param({"suggestion": "x" * 1001}, "请控制在 1000 个字以内。", id="over-long-long-text"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ANSWERS)
def test_bad_answers_get_a_clear_message_and_store_nothing(
    respondent, complete, counts, bad, message
):
    respondent.open()
    response = respondent.submit({**complete, **bad})
    assert response.status_code == 422
    assert message in respondent.page
    assert counts()[:2] == (0, 0)


def test_control_characters_are_removed_from_texts(respondent, complete, stored):
    respondent.open()
    respondent.submit({**complete, "suggestion": "多设\x00垃圾桶\x07。"})
    [(_, rows)] = stored()
    assert ("suggestion", None, None, "多设垃圾桶。") in rows


def test_junk_field_names_are_ignored_and_only_valid_answers_stored(respondent, complete, stored):
    respondent.open()
    response = respondent.submit({**complete, "evil": "1", "sat_overall_x": "5", "__proto__": "x"})
    assert response.status_code == 303
    [(_, rows)] = stored()
    keys = {question for question, *_ in rows}
    assert keys <= {k for k in complete}


def test_missing_csrf_token_keeps_the_answers_and_gives_a_fresh_token(respondent, complete, counts):
    respondent.open()
    old = respondent.tokens
    response = respondent.submit(complete, drop=["csrf_token"])
    assert response.status_code == 400
    assert "为保障安全，需要重新提交问卷" in respondent.page
    assert respondent.checked("district", "2") and "多设垃圾桶。" in respondent.page
    assert respondent.hidden("csrf_token")
    assert respondent.hidden("_st") == old["_st"]  # the same form: still one response at most
    assert counts()[:2] == (0, 0)
    assert respondent.submit(complete).status_code == 303
    assert counts()[0] == 1


def test_forged_csrf_token_is_refused(respondent, complete, counts):
    respondent.open()
    response = respondent.submit(complete, csrf_token="forged")
    assert response.status_code == 400
    assert counts()[:2] == (0, 0)


@pytest.mark.parametrize(
    "token", [None, "", "garbage", "eyJuIjoiYSIsInYiOjEsInQiOjAsImMiOiJ4In0.forged"]
)
def test_missing_or_forged_submission_token_is_refused(respondent, complete, counts, token):
    respondent.open()
    if token is None:
        response = respondent.submit(complete, drop=["_st"])
    else:
        response = respondent.submit(complete, _st=token)
    assert response.status_code == 400
    assert "无法验证此表单" in respondent.page
    assert respondent.checked("district", "2")
    assert counts()[:2] == (0, 0)


def test_token_of_another_survey_is_refused_with_a_message(
    client, respondent, complete, every_type, counts
):
    other = client.get("/s/every-type").get_data(as_text=True)
    respondent.open()
    response = respondent.submit(complete, _st=_tokens(other)["_st"])
    assert response.status_code == 400
    assert "您提交的是另一份问卷的表单" in respondent.page
    assert counts()[:2] == (0, 0)


def test_form_of_an_outdated_version_is_shown_again_as_the_new_version(
    respondent, complete, app, stored
):
    respondent.open()
    with app.app_context():
        definition = load_file(builtin_path("nanyang-dcm"))
        text = builtin_path("nanyang-dcm").read_text(encoding="utf-8")
        changed = load_text(text.replace("您的性别", "您的性别是"), "changed.yaml")
        assert changed != definition
        version, created = save_definition(changed)
        _db.session.commit()
        new_version_id = version.id
        assert created
    response = respondent.submit(complete)
    assert response.status_code == 409
    assert "您填写期间问卷已更新" in respondent.page
    assert "您的性别是" in respondent.page
    assert respondent.checked("gender", "1") and respondent.checked("heard_via", "5")
    assert stored() == []
    assert respondent.submit(complete).status_code == 303
    [(row, _)] = stored()
    assert row.version_id == new_version_id
    assert row.started_at is not None


def test_body_over_the_size_limit_is_answered_413_and_nothing_stored(respondent, complete, counts):
    respondent.open()
    response = respondent.submit({**complete, "suggestion": "长" * 200_000})
    assert response.status_code == 413
    assert "您填写的内容过长，无法提交" in respondent.page
    assert "Your answers were too long to send" in respondent.page
    assert counts()[:2] == (0, 0)


def test_too_many_multipart_fields_are_answered_413_and_nothing_stored(
    respondent, complete, counts
):
    respondent.open()
    data = {**respondent.tokens, **complete, **{f"junk{i}": "x" for i in range(600)}}
    response = respondent.client.post(respondent.url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert counts()[:2] == (0, 0)


def test_many_junk_fields_in_an_ordinary_post_are_ignored(respondent, complete, stored):
    respondent.open()
    response = respondent.submit({**complete, **{f"junk{i}": "x" for i in range(600)}})
    assert response.status_code == 303
    [(_, rows)] = stored()
    assert {question for question, *_ in rows} <= set(complete)


def test_unknown_survey_is_a_friendly_404_in_the_respondents_language(client):
    response = client.get("/s/no-such-survey")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "找不到该页面或问卷" in page and '<html lang="zh-CN">' in page
    page = client.get("/s/no-such-survey?lang=en").get_data(as_text=True)
    assert "We could not find this page or questionnaire" in page and '<html lang="en">' in page


def test_closed_survey_is_a_friendly_410_and_refuses_posts(respondent, complete, app, counts):
    respondent.open()
    with app.app_context():
        _db.session.scalars(select(Survey)).one().status = "closed"
        _db.session.commit()
    response = respondent.client.get("/s/nanyang-dcm")
    assert response.status_code == 410
    assert "本次调查已结束" in response.get_data(as_text=True)
    assert respondent.submit(complete).status_code == 410
    assert counts()[:2] == (0, 0)


def test_draft_survey_is_not_found(client, app):
    with app.app_context():
        _db.session.scalars(select(Survey)).one().status = "draft"
        _db.session.commit()
    assert client.get("/s/nanyang-dcm").status_code == 404


def test_rate_limit_on_submission_is_a_friendly_429(app_with, complete):
    app = app_with(RATELIMIT_ENABLED=True, RATELIMIT_SUBMIT="2 per minute")
    client = app.test_client()

    def post():
        page = client.get("/s/nanyang-dcm").get_data(as_text=True)  # GETs are not limited
        return client.post("/s/nanyang-dcm", data={**_tokens(page), **complete})

    assert [post().status_code for _ in range(2)] == [303, 303]
    response = post()
    assert response.status_code == 429
    assert "提交过于频繁" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(_db.func.count()).select_from(Response)) == 2


def test_server_error_is_a_friendly_500_page(app):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom?lang=en")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Your answers were not saved" in page and "您的回答未能保存" in page


def test_unknown_page_under_api_gets_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def _tokens(page):
    import re

    def value(name):
        tag = next(t for t in re.findall(r"<input\b[^>]*>", page) if f'name="{name}"' in t)
        return re.search(r'value="([^"]*)"', tag).group(1)

    return {"csrf_token": value("csrf_token"), "_st": value("_st")}

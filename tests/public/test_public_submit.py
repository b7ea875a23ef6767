"""Showing and submitting the questionnaire: storage, idempotency, conditions, channel, language."""

import re

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.extensions import db as _db
from surveyapp.models import Answer
from surveyapp.models import FormStart
from surveyapp.public import services


def test_get_shows_the_latest_version_and_records_a_form_start(respondent, counts, app):
    response = respondent.open("/s/nanyang-dcm?ch=WeChat")
    assert response.status_code == 200
    assert "南阳市“数字城管”公众知晓度与满意度调查" in respondent.page
    assert respondent.hidden("csrf_token") and respondent.hidden("_st")
    assert counts() == (0, 0, 1)
    with app.app_context():
        assert _db.session.scalars(select(FormStart)).one().channel == "wechat"


def test_complete_submission_is_stored_with_its_metadata(respondent, complete, stored):
    respondent.open("/s/nanyang-dcm?ch=poster")
    response = respondent.submit(complete, url="/s/nanyang-dcm?ch=poster")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/s/nanyang-dcm/thanks")
    [(row, answers)] = stored()
    assert row.channel == "poster"
    assert row.language == "zh_CN"
    assert row.version_id is not None and row.started_at is not None
    assert 0 <= row.duration_seconds < 60
    assert row.client_hash and "127.0.0.1" not in row.client_hash
    assert len(row.submission_token) <= 64
    assert ("heard_via", 2, None, None) in answers and ("heard_via", 5, None, None) in answers
    assert ("years_lived", None, 12.0, None) in answers
    assert ("sat_quality", 9, None, None) in answers
    assert ("suggestion", None, None, "多设垃圾桶。") in answers
    assert len(answers) == 23  # 21 keys, two of them with two ticked codes
    assert row.answers_hash == services.answers_hash(list(reversed(answers)))


def test_thanks_page_shows_the_survey_thanks_text(respondent, complete, client):
    respondent.open()
    response = respondent.submit(complete)
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "提交成功，感谢您对城市管理工作的关心和支持！" in thanks.get_data(as_text=True)


def test_same_form_posted_twice_stores_one_response_and_shows_the_same_thanks(
    respondent, complete, counts
):
    respondent.open()
    tokens = respondent.tokens
    first = respondent.client.post(respondent.url, data={**tokens, **complete})
    second = respondent.client.post(respondent.url, data={**tokens, **complete})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert counts()[0] == 1


def test_retry_after_the_session_is_lost_still_shows_thanks(respondent, complete, counts, client):
    respondent.open()
    tokens = respondent.tokens
    assert client.post(respondent.url, data={**tokens, **complete}).status_code == 303
    client.delete_cookie("session")
    retry = client.post(respondent.url, data={**tokens, **complete})
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/thanks")
    assert counts()[0] == 1


def test_a_repeat_that_passes_every_check_is_stopped_by_the_unique_nonce(
    respondent, complete, counts, monkeypatch
):
    """A first submission looks nothing up; a valid repeat fails on the unique submission token,
    is rolled back and gets the thank-you page (the path a simultaneous double post takes)."""
    respondent.open()
    tokens = respondent.tokens
    calls = {"response_exists": 0, "submit_response": 0}
    for name in calls:
        real = getattr(services, name)

        def counted(*args, _name=name, _real=real):
            calls[_name] += 1
            return _real(*args)

        monkeypatch.setattr(services, name, counted)
    assert respondent.client.post(respondent.url, data={**tokens, **complete}).status_code == 303
    assert calls == {"response_exists": 0, "submit_response": 1}
    again = respondent.client.post(respondent.url, data={**tokens, **complete})
    assert again.status_code == 303 and again.headers["Location"].endswith("/thanks")
    # The repeat passed every check, reached the insert, and was caught there by the unique nonce.
    assert calls == {"response_exists": 1, "submit_response": 2}
    assert counts()[0] == 1


def test_two_fresh_forms_are_two_responses_and_equal_answers_hash_equal(
    respondent, complete, stored
):
    for _ in range(2):
        respondent.open()
        assert respondent.submit(complete).status_code == 303
    respondent.open()
    assert respondent.submit({**complete, "gender": "2"}).status_code == 303
    hashes = [row.answers_hash for row, _ in stored()]
    assert hashes[0] == hashes[1] != hashes[2]


def test_english_respondent_sees_english_and_is_recorded_as_such(
    respondent, complete, stored, client
):
    respondent.open("/s/nanyang-dcm?lang=en&ch=hotline-interview")
    assert '<html lang="en">' in respondent.page
    assert "Which district do you live in?" in respondent.page
    assert ">Submit<" in respondent.page
    respondent.submit(complete, url="/s/nanyang-dcm?lang=en&ch=hotline-interview")
    [(row, _)] = stored()
    assert (row.language, row.channel) == ("en", "hotline-interview")
    thanks = client.get("/s/nanyang-dcm/thanks").get_data(as_text=True)
    assert "Thank you! Your answers have been received." in thanks


def test_language_choice_is_remembered_and_chinese_is_the_default(client):
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "提交" in page
    client.get("/s/nanyang-dcm?lang=en")
    assert "Which district" in client.get("/s/nanyang-dcm").get_data(as_text=True)
    assert "您目前居住在哪个区" in client.get("/s/nanyang-dcm?lang=zh").get_data(as_text=True)


def test_channel_is_sanitised():
    assert services.clean_channel("wechat") == "wechat"
    assert services.clean_channel(" Hotline-Interview ") == "hotline-interview"
    assert services.clean_channel("poster_2") == "direct"
    assert services.clean_channel("x" * 33) == "direct"
    assert services.clean_channel("<script>") == "direct"
    assert services.clean_channel("") == services.clean_channel(None) == "direct"


def test_channel_comes_from_the_signed_token_not_the_post_url(respondent, complete, stored):
    respondent.open("/s/nanyang-dcm?ch=poster")
    respondent.submit(complete, url="/s/nanyang-dcm?ch=wechat")
    [(row, _)] = stored()
    assert row.channel == "poster"


def test_landing_redirects_to_the_only_open_survey(client):
    response = client.get("/?ch=poster")
    assert response.status_code == 302
    assert response.headers["Location"] == "/s/nanyang-dcm?ch=poster"


def test_landing_lists_several_open_surveys(client, every_type):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/s/nanyang-dcm"' in page and 'href="/s/every-type"' in page


def test_landing_says_when_nothing_is_open(client, app):
    with app.app_context():
        _db.session.execute(_db.text("UPDATE surveys SET status = 'closed'"))
        _db.session.commit()
    response = client.get("/")
    assert response.status_code == 200
    assert "目前没有正在进行的调查" in response.get_data(as_text=True)


def test_pre_check_can_refuse_and_nothing_is_stored(respondent, complete, counts, monkeypatch):
    def full_quota(submission):
        assert submission.survey.key == "nanyang-dcm" and submission.rows
        raise services.SubmissionRejected("名额已满 / quota full", status=409)

    monkeypatch.setattr(services, "PRE_CHECKS", [full_quota])
    respondent.open()
    response = respondent.submit(complete)
    assert response.status_code == 409
    assert "名额已满 / quota full" in respondent.page
    assert respondent.checked("gender", "1")
    assert counts()[:2] == (0, 0)


def test_post_hook_sees_the_flushed_response_and_can_roll_it_back(
    respondent, complete, counts, monkeypatch
):
    seen = []

    def flag(submission, response):
        stored = _db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
        )
        seen.append((response.id, stored, submission.context["args"]))

    monkeypatch.setattr(services, "POST_HOOKS", [flag])
    respondent.open("/s/nanyang-dcm?ch=poster&t=abc")
    assert respondent.submit(complete, url="/s/nanyang-dcm?ch=poster&t=abc").status_code == 303
    assert seen[0][0] is not None and seen[0][1] == 23
    assert seen[0][2] == {"ch": "poster", "t": "abc"}

    def refuse(submission, response):
        raise services.SubmissionRejected("refused after storing")

    monkeypatch.setattr(services, "POST_HOOKS", [refuse])
    respondent.open()
    assert respondent.submit(complete).status_code == 422
    assert counts()[0] == 1


def test_submission_works_with_csrf_switched_off(app_with, complete):
    app = app_with(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    assert 'name="csrf_token"' not in page
    token = re.search(r'name="_st" value="([^"]+)"', page).group(1)
    assert client.post("/s/nanyang-dcm", data={"_st": token, **complete}).status_code == 303


def test_question_keys_that_are_form_attribute_names_work(client, app, stored):
    from surveyapp.definitions import load_text
    from surveyapp.definitions.store import save_definition

    names = ["data", "errors", "meta", "validate", "process", "hidden_tag"]
    yes_no = "[{code: 1, label: {zh: 是}}, {code: 2, label: {zh: 否}}]"
    questions = "".join(
        f"  - {{key: {name}, type: single, text: {{zh: 题}}, choices: {yes_no}}}\n"
        for name in names
    )
    with app.app_context():
        save_definition(
            load_text(f"key: clash\ntitle: {{zh: 冲突}}\nquestions:\n{questions}"), status="open"
        )
        _db.session.commit()
    page = client.get("/s/clash").get_data(as_text=True)
    data = dict(re.findall(r'name="(csrf_token|_st)"[^>]*?value="([^"]*)"', page))
    assert client.post("/s/clash", data={**data, **dict.fromkeys(names, "2")}).status_code == 303
    [(_, rows)] = stored()
    assert rows == sorted((name, 2, None, None) for name in names)

"""The public questionnaire under fieldwork rules: tokens, quotas and closing, end to end."""

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import Invitation
from surveyapp.models import Quota
from surveyapp.models import Response
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token
from tests.public.conftest import COMPLETE
from tests.public.conftest import Respondent


def answers(**changes):
    data = {k: list(v) if isinstance(v, list) else v for k, v in COMPLETE.items()}
    data.update(changes)
    return data


def response_count(app):
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(Response))


def require_tokens(app, *tokens):
    with app.app_context():
        survey = get_survey("nanyang-dcm")
        survey.requires_token = True
        _db.session.add_all(Invitation(survey_id=survey.id, token=t) for t in tokens)
        _db.session.commit()


def test_token_required_before_the_form_is_shown(app, client):
    require_tokens(app, "tok-a")
    response = client.get("/s/nanyang-dcm?lang=en")
    assert response.status_code == 403
    assert "open to invited respondents only" in response.get_data(as_text=True)
    assert "仅限受邀人员填写" in response.get_data(as_text=True)  # the other language underneath
    response = client.get("/s/nanyang-dcm?t=forged")
    assert response.status_code == 403
    assert "邀请链接无效" in response.get_data(as_text=True)
    assert client.get("/s/nanyang-dcm?t=tok-a").status_code == 200


def test_a_token_answers_once(app, client):
    require_tokens(app, "tok-a", "tok-b")
    url = "/s/nanyang-dcm?t=tok-a&ch=wechat"
    first = Respondent(client, url)
    assert first.open().status_code == 200
    assert first.submit(answers()).status_code == 303
    with app.app_context():
        invitation = _db.session.scalar(select(Invitation).where(Invitation.token == "tok-a"))
        stored = _db.session.scalar(select(Response))
        assert invitation.used_at is not None
        assert stored.invitation_id == invitation.id and stored.channel == "wechat"

    # Opening the link again: a friendly notice, not the form.
    again = client.get(url)
    assert again.status_code == 409
    assert "已用于填写问卷" in again.get_data(as_text=True)

    # A form opened before the token was used, posted afterwards, is refused too.
    early = Respondent(client, "/s/nanyang-dcm?t=tok-b")
    early.open()
    late = Respondent(client, "/s/nanyang-dcm?t=tok-b")
    late.open()
    assert early.submit(answers()).status_code == 303
    refused = late.submit(answers(district="3"))
    assert refused.status_code == 409
    assert response_count(app) == 2


def test_post_without_token_is_refused_and_nothing_stored(app, client):
    respondent = Respondent(client)
    respondent.open()  # opened while anyone could answer
    require_tokens(app, "tok-a")
    response = respondent.submit(answers())
    assert response.status_code == 403
    assert response_count(app) == 0


def test_token_may_come_as_a_hidden_field(app, client):
    respondent = Respondent(client, "/s/nanyang-dcm?t=tok-a")
    respondent.open()
    require_tokens(app, "tok-a")
    assert respondent.submit(answers(), url="/s/nanyang-dcm", t="tok-a").status_code == 303
    assert response_count(app) == 1


def enforce_quota(app, code, target):
    with app.app_context():
        survey = get_survey("nanyang-dcm")
        survey.quota_enforced = True
        _db.session.add(Quota(survey_id=survey.id, question="district", code=code, target=target))
        _db.session.commit()


def test_full_quota_cell_is_turned_away_politely(app, client):
    enforce_quota(app, code=2, target=1)
    assert Respondent(client).open().status_code == 200
    first = Respondent(client)
    first.open()
    assert first.submit(answers(district="2")).status_code == 303
    second = Respondent(client)
    second.open()
    response = second.submit(answers(district="2"))
    # The thank-you page the README promises, not the filled form with a submit button.
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "与您同类的受访者样本已经足够" in page and "感谢" in page
    assert "<form" not in page and 'name="_st"' not in page
    # Nor does this browser get a fresh form to try another district with.
    assert 'name="_st"' not in client.get("/s/nanyang-dcm").get_data(as_text=True)
    third = Respondent(app.test_client())
    third.open()
    assert third.submit(answers(district="1")).status_code == 303
    assert response_count(app) == 2


def test_a_screened_out_form_is_spent(app, client):
    enforce_quota(app, code=2, target=0)
    respondent = Respondent(client)
    respondent.open()
    tokens = respondent.tokens
    assert "样本已经足够" in respondent.submit(answers(district="2")).get_data(as_text=True)
    # The same form again with another district (the quota game): refused, thanked again.
    respondent.page = f'<input name="csrf_token" value="{tokens["csrf_token"]}">' + (
        f'<input name="_st" value="{tokens["_st"]}">'
    )
    again = respondent.submit(answers(district="1"))
    assert again.status_code == 200
    assert "样本已经足够" in again.get_data(as_text=True)
    assert 'name="_st"' not in again.get_data(as_text=True)
    # Even when the re-post is invalid, the filled form does not come back.
    respondent.page = f'<input name="csrf_token" value="{tokens["csrf_token"]}">' + (
        f'<input name="_st" value="{tokens["_st"]}">'
    )
    invalid = respondent.submit(answers(district="1", years_lived="abc"))
    assert 'name="_st"' not in invalid.get_data(as_text=True)
    assert response_count(app) == 0
    # A fresh form from another respondent in an open cell is accepted as usual.
    other = Respondent(app.test_client())
    other.open()
    assert other.submit(answers(district="1")).status_code == 303
    assert response_count(app) == 1


def test_closing_in_the_console_closes_the_public_form(app, client, as_role):
    as_role("evaluator")
    token = csrf_token(client, "/console/surveys")
    client.post(
        "/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "closed"}
    )
    assert client.get("/s/nanyang-dcm").status_code == 410
    client.post("/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "open"})
    assert client.get("/s/nanyang-dcm").status_code == 200
    assert [e.action for e in audit_actions(app) if e.action.startswith("survey.")] == [
        "survey.close",
        "survey.open",
    ]


def test_dashboard_counts_what_the_public_form_recorded(app, client, as_role):
    # Four respondents (a form counts once per client and survey within the hour).
    for i, channel in enumerate(("wechat", "wechat", "poster")):
        phone = app.test_client()
        phone.environ_base["HTTP_USER_AGENT"] = f"phone {i}"
        Respondent(phone, f"/s/nanyang-dcm?ch={channel}").open()
    done = Respondent(client, "/s/nanyang-dcm?ch=wechat")
    done.open()
    done.submit(answers())
    as_role("viewer")
    page = client.get("/console/surveys/nanyang-dcm?lang=en").get_data(as_text=True)
    assert 'id="kpi-submitted">1<' in page
    assert 'id="kpi-completion">25.0%<' in page  # 1 submitted of 4 forms handed out

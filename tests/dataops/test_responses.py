"""Browsing, filtering, viewing, excluding and re-including responses in the console."""

from datetime import timedelta

from sqlalchemy import select

from surveyapp.models import AuditEntry
from surveyapp.models import Response
from surveyapp.models._types import utcnow
from tests.conftest import login_as

from .conftest import answer_rows
from .conftest import flag
from .conftest import in_app
from .conftest import store_response

URL = "/console/surveys/nanyang-dcm/responses"


def test_filters_by_status_flag_group_channel_and_dates(app, client, staff):
    now = utcnow()
    with in_app(app):
        a = store_response(answer_rows(district=1), channel="wechat", client="a")
        b = store_response(
            answer_rows(district=2, sat=(5,) * 7),
            channel="test",
            client="b",
            submitted_at=now - timedelta(days=10),
        )
        c = store_response(answer_rows(district=2), channel="test", client="c", status="excluded")
        flag(b)
        ids = {"a": a.id, "b": b.id, "c": c.id}
    login_as(client, staff["evaluator"])

    def shown(**args):
        body = client.get(URL, query_string=args).get_data(as_text=True)
        return {name for name, rid in ids.items() if f'/responses/{rid}"' in body}

    assert shown() == {"a", "b", "c"}
    assert "直线作答" in client.get(URL).get_data(as_text=True)  # the dataops catalogue is loaded
    assert shown(status="excluded") == {"c"}
    assert shown(flag="straightlining") == {"b"}
    assert shown(flag="none") == {"a", "c"}
    assert shown(group="district:2") == {"b", "c"}
    assert shown(group="district:2", status="valid") == {"b"}
    assert shown(channel="test", status="valid") == {"b"}
    day = (now - timedelta(days=10)).date().isoformat()
    assert shown(date_from=day, date_to=day) == {"b"}
    # Bad values are explained, not a 500, and do not filter.
    response = client.get(
        URL, query_string={"status": "bogus", "date_from": "yesterday", "group": "x"}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "bogus" in body and "2026-11-27" in body
    assert shown(status="bogus") == {"a", "b", "c"}
    assert shown(group="district:9") == {"a", "b", "c"}


def test_pagination_keeps_the_filter(app, client, staff):
    with in_app(app):
        street = [store_response(channel="street", client=f"s{i}").id for i in range(55)]
        store_response(channel="web", client="w")
    login_as(client, staff["evaluator"])
    body = client.get(URL, query_string={"channel": "street"}).get_data(as_text=True)
    assert "channel=street" in body and "page=2" in body
    second = client.get(URL, query_string={"channel": "street", "page": 2}).get_data(as_text=True)
    on_second = [rid for rid in street if f'/responses/{rid}"' in second]
    assert sorted(on_second) == sorted(street)[:5]  # newest first: the 5 oldest are on page 2


def test_response_page_shows_labels_and_escapes_text(app, client, staff):
    with in_app(app):
        found = store_response(
            answer_rows(district=2, suggestion="<script>alert(1)</script> & <b>x</b>")
        ).id
    login_as(client, staff["evaluator"])
    body = client.get(f"{URL}/{found}", query_string={"lang": "en"}).get_data(as_text=True)
    assert "Wolong District (2)" in body
    assert "Parking order" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in body
    assert "<script>alert" not in body and "<b>x</b>" not in body


def test_exclude_and_include_need_a_reason_and_are_audited(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        found = store_response().id
    login_as(client, staff["evaluator"])
    url = f"{URL}/{found}/status"
    refused = client.post(url, data={"status": "excluded", "reason": "  "})
    assert refused.status_code == 422
    with in_app(app) as db:
        assert db.session.get(Response, found).status == "valid"
    assert (
        client.post(url, data={"status": "excluded", "reason": "answered in 20 s"}).status_code
        == 303
    )
    with in_app(app) as db:
        stored = db.session.get(Response, found)
        assert (stored.status, stored.status_reason) == ("excluded", "answered in 20 s")
    assert (
        client.post(url, data={"status": "valid", "reason": "checked by phone"}).status_code == 303
    )
    with in_app(app) as db:
        assert db.session.get(Response, found).status == "valid"
        actions = db.session.execute(
            select(AuditEntry.action, AuditEntry.response_id, AuditEntry.username).order_by(
                AuditEntry.id
            )
        ).all()
    assert [a for a in actions if a[0].startswith("response.")] == [
        ("response.exclude", found, "evaluator1"),
        ("response.include", found, "evaluator1"),
    ]


def test_bulk_exclude_speeders_with_one_reason(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        for i in range(20):
            store_response(duration=400, client=f"n{i}")
        fast = [store_response(duration=20, client=f"f{i}").id for i in range(3)]
    login_as(client, staff["evaluator"])
    assert client.post(f"{URL}/refresh-flags").status_code == 303
    assert (
        client.post(f"{URL}/exclude-flagged", data={"flag": "speeder", "reason": ""}).status_code
        == 303
    )
    with in_app(app) as db:
        assert db.session.scalar(select(Response.id).where(Response.status == "excluded")) is None
    # First a confirmation page saying how many, with nothing changed yet.
    asked = client.post(f"{URL}/exclude-flagged", data={"flag": "speeder", "reason": "too fast"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert 'id="confirm-exclude"' in page and 'name="confirmed" type="hidden" value="yes"' in page
    assert "排除" in page or "剔除" in page
    with in_app(app) as db:
        assert db.session.scalar(select(Response.id).where(Response.status == "excluded")) is None
    client.post(
        f"{URL}/exclude-flagged",
        data={"flag": "speeder", "reason": "too fast", "confirmed": "yes"},
    )
    with in_app(app) as db:
        excluded = db.session.scalars(
            select(Response.id).where(Response.status == "excluded")
        ).all()
        assert sorted(excluded) == sorted(fast)
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "response.exclude")
        ).one()
        assert entry.detail["count"] == 3 and entry.detail["reason"] == "too fast"


def test_unknown_response_or_survey_is_404(app, client, staff):
    login_as(client, staff["evaluator"])
    assert client.get(f"{URL}/999999").status_code == 404
    assert client.get("/console/surveys/nope/responses").status_code == 404


def test_viewer_cannot_see_responses(app, client, staff):
    login_as(client, staff["viewer"])
    assert client.get(URL).status_code == 403

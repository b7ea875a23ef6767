"""Filtering responses by a code of any demographic question of the survey's newest definition."""

import re

from sqlalchemy import select

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions.store import save_definition
from surveyapp.models import DeletionRequest
from tests.conftest import login_as

from .conftest import answer_rows
from .conftest import in_app
from .conftest import store_response

SECOND = "jiangcheng-12345"
URL = f"/console/surveys/{SECOND}/responses"


def _second_survey_responses(app):
    """Three responses to the second shipped survey, in areas 11, 12, 12; their ids."""
    with in_app(app) as db:
        save_definition(load_file(builtin_path(SECOND)), source_name="test", status="open")
        db.session.flush()
        made = [
            store_response(
                [("area", area, None, None), ("age_band", 1, None, None), ("sex", 2, None, None)],
                key=SECOND,
                client=f"c{i}",
            )
            for i, area in enumerate((11, 12, 12))
        ]
        return [r.id for r in made]


def _shown(client, ids, **args):
    body = client.get(URL, query_string=args).get_data(as_text=True)
    return [rid for rid in ids if f'/responses/{rid}"' in body]


def _flashes(body):
    return re.findall(r'c-flash--error">([^<]*)', body)


def test_the_second_survey_filters_by_its_own_demographic_questions(app, client, staff):
    ids = _second_survey_responses(app)
    login_as(client, staff["evaluator"])
    body = client.get(URL, query_string={"lang": "en"}).get_data(as_text=True)
    # One option group per demographic question, labelled from the definition.
    assert body.count("<optgroup") == 3
    assert 'label="Which part of the city do you live in"' in body
    assert '<option value="area:12">Jiangbei New Area</option>' in body
    assert '<option value="sex:2">Female</option>' in body
    assert _shown(client, ids, group="area:12") == ids[1:]
    assert _shown(client, ids, group="area:11") == ids[:1]
    assert _shown(client, ids, group="sex:1") == []
    # The chosen group stays selected and is carried by the deletion form.
    body = client.get(URL, query_string={"group": "area:12"}).get_data(as_text=True)
    assert '<option value="area:12" selected>' in body
    chinese = client.get(URL, query_string={"lang": "zh"}).get_data(as_text=True)
    assert "受访者群体" in chinese and ">江北新区<" in chinese


def test_pagination_and_deletion_requests_keep_the_group(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    ids = _second_survey_responses(app)
    with in_app(app):
        for i in range(55):
            store_response([("area", 13, None, None)], key=SECOND, client=f"p{i}")
    login_as(client, staff["admin"])
    body = client.get(URL, query_string={"group": "area:13"}).get_data(as_text=True)
    assert f"/console/surveys/{SECOND}/responses?page=2&amp;group=area:13" in body
    second = client.get(URL, query_string={"group": "area:13", "page": 2}).get_data(as_text=True)
    assert "55 responses match" in client.get(
        URL, query_string={"group": "area:13", "lang": "en"}
    ).get_data(as_text=True)
    assert not any(f'/responses/{rid}"' in second for rid in ids)
    body = client.get(URL, query_string={"group": "area:12"}).get_data(as_text=True)
    assert 'name="group" type="hidden" value="area:12"' in body
    made = client.post(
        f"/console/surveys/{SECOND}/deletions/new",
        data={"group": "area:12", "reason": "pilot answers"},
    )
    assert made.status_code == 303
    with in_app(app) as db:
        assert db.session.scalars(select(DeletionRequest.response_ids)).one() == ids[1:]
    # A bad group is refused with the reason, and no request is recorded.
    refused = client.post(
        f"/console/surveys/{SECOND}/deletions/new?lang=en",
        data={"group": "area:99", "reason": "pilot answers"},
    )
    assert refused.status_code == 422
    assert "Unknown code of question area: 99." in refused.get_data(as_text=True)
    with in_app(app) as db:
        assert len(db.session.scalars(select(DeletionRequest)).all()) == 1


def test_bad_groups_are_explained_and_do_not_filter(app, client, staff):
    ids = _second_survey_responses(app)
    login_as(client, staff["evaluator"])
    client.get("/console/surveys?lang=en")
    cases = {
        "nowhere:1": "Unknown question: nowhere.",
        "called:1": "called is not a demographic question.",
        "area:99": "Unknown code of question area: 99.",
        "area:x": "Unknown code of question area: x.",
        "area": "A group is written question:code.",
        # The default survey's demographic question is not one of this survey's.
        "district:1": "Unknown question: district.",
    }
    for value, message in cases.items():
        response = client.get(URL, query_string={"group": value})
        assert response.status_code == 200
        assert _flashes(response.get_data(as_text=True)) == [message], value
        assert _shown(client, ids, group=value) == ids
    client.get("/console/surveys?lang=zh")
    body = client.get(URL, query_string={"group": "area:99"}).get_data(as_text=True)
    assert _flashes(body) == ["问题 area 没有此代码：99。"]


def test_the_default_survey_groups_are_its_own(app, client, staff):
    with in_app(app):
        store_response(answer_rows(district=2))
    login_as(client, staff["evaluator"])
    body = client.get(
        "/console/surveys/nanyang-dcm/responses", query_string={"lang": "en"}
    ).get_data(as_text=True)
    assert "area:" not in body and 'value="district:2"' in body


def test_a_filter_from_before_groups_is_refused_not_widened(app, client, staff):
    """A bookmark or an open page from before the group filter (``district=2``) says so."""
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        store_response(answer_rows(district=1), channel="test", client="a")
        two = store_response(answer_rows(district=2), channel="test", client="b").id
    login_as(client, staff["admin"])
    client.get("/console/surveys?lang=en")
    body = client.get(
        "/console/surveys/nanyang-dcm/responses", query_string={"district": "2", "page": "1"}
    ).get_data(as_text=True)
    assert _flashes(body) == ["Unknown filter: district."]
    refused = client.post(
        "/console/surveys/nanyang-dcm/deletions/new",
        data={"district": "2", "channel": "test", "reason": "old page"},
    )
    assert refused.status_code == 422
    assert "Unknown filter: district." in refused.get_data(as_text=True)
    made = client.post(
        "/console/surveys/nanyang-dcm/deletions/new",
        data={"group": "district:2", "channel": "test", "reason": "new page"},
    )
    assert made.status_code == 303
    with in_app(app) as db:
        assert db.session.scalars(select(DeletionRequest.response_ids)).one() == [two]

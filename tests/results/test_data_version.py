"""The results cache follows the survey's data version: every path that writes responses or
answers bumps it, so cached results are recomputed after the change and reflect it.

Each test caches the results, changes the data through one write path (committed, as a request
would), and checks that the next computation is a new one with the change in it.
"""

from sqlalchemy import select

from surveyapp.dataops import deletions
from surveyapp.dataops import responses as response_service
from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db
from surveyapp.models import DeletionRequest
from surveyapp.models import Response
from surveyapp.models import Survey
from surveyapp.models import User
from surveyapp.models import bump_data_version
from surveyapp.models import data_version
from surveyapp.results.compute import compute_results
from tests.conftest import create_user
from tests.dataops.conftest import answer_rows
from tests.dataops.conftest import flag
from tests.dataops.conftest import store_response
from tests.public.conftest import COMPLETE
from tests.public.conftest import Respondent

from .conftest import DEMO_N

SURVEY = "nanyang-dcm"


def cached(app):
    """The survey's results, computed or from the cache, with the data version read now."""
    with app.app_context():
        survey = get_survey(SURVEY)
        return compute_results(survey), data_version(survey.id)


def change(app, write):
    """Run ``write(survey)`` in an app context of its own and commit, as a request does."""
    with app.app_context():
        out = write(get_survey(SURVEY))
        db.session.commit()
        db.session.remove()
    return out


def valid_ids(app, n=1):
    with app.app_context():
        return list(
            db.session.scalars(
                select(Response.id)
                .where(Response.status == "valid")
                .order_by(Response.id.desc())
                .limit(n)
            )
        )


def test_unchanged_data_is_served_from_the_cache(demo):
    before, version = cached(demo)
    again, same = cached(demo)
    assert again is before and same == version
    assert before.fingerprint[1] == version


def test_a_submission_is_in_the_next_results(demo, client):
    before, version = cached(demo)
    respondent = Respondent(client)
    respondent.open()
    assert respondent.submit(dict(COMPLETE)).status_code == 303
    after, bumped = cached(demo)
    assert bumped == version + 1
    assert after is not before and after.n == before.n + 1


def test_a_preview_answer_bumps_the_version_but_is_left_out(demo, client):
    from tests.conftest import login_as

    with demo.app_context():
        login_as(client, create_user("previewer", "evaluator"))
    before, version = cached(demo)
    respondent = Respondent(client, "/s/nanyang-dcm?preview=1")
    respondent.open()
    assert respondent.submit(dict(COMPLETE)).status_code == 303
    with demo.app_context():
        assert db.session.scalars(select(Response.status).order_by(Response.id.desc())).first() == (
            "test"
        )
    after, bumped = cached(demo)
    assert bumped == version + 1
    assert after is not before and after.n == before.n


def test_excluding_and_including_a_response(demo):
    before, version = cached(demo)
    (rid,) = valid_ids(demo)

    def set_status(status):
        def write(survey):
            response_service.set_status(db.session.get(Response, rid), status, "data cleaning")

        return write

    change(demo, set_status("excluded"))
    excluded, v1 = cached(demo)
    assert v1 == version + 1 and excluded.n == before.n - 1
    change(demo, set_status("valid"))
    included, v2 = cached(demo)
    assert v2 == version + 2 and included is not excluded and included.n == before.n


def test_excluding_flagged_responses(demo):
    def add_flagged(survey):
        for i in range(2):
            flag(store_response(answer_rows(sat=(5,) * 7), client=f"flat-{i}"))
        # Written as tests do, without the service: the cache is told by hand.
        bump_data_version(survey.id)

    change(demo, add_flagged)
    before, version = cached(demo)
    ids = change(
        demo,
        lambda survey: response_service.exclude_flagged(
            survey.id, "straightlining", "straight lines"
        ),
    )
    assert len(ids) == 2
    after, bumped = cached(demo)
    assert bumped == version + 1 and after.n == before.n - 2


def test_an_approved_deletion(demo):
    with demo.app_context():
        requester = create_user("admin-a", "admin")
        approver = create_user("admin-b", "admin")
        requester_id, approver_id = requester.id, approver.id
    ids = valid_ids(demo, 3)
    request_id = change(
        demo,
        lambda survey: (
            deletions.request_deletion(
                survey, db.session.get(User, requester_id), "duplicates", ids=ids
            ).id
        ),
    )
    before, version = cached(demo)
    deleted = change(
        demo,
        lambda survey: deletions.approve(
            db.session.get(DeletionRequest, request_id),
            db.session.get(User, approver_id),
        ),
    )
    assert deleted == 3
    after, bumped = cached(demo)
    assert bumped == version + 1 and after.n == before.n - 3


def test_demo_data(demo):
    before, version = cached(demo)
    change(demo, lambda survey: insert_demo_responses(survey, 50, seed=12))
    after, bumped = cached(demo)
    assert bumped == version + 1 and after.n > before.n and after.n <= DEMO_N + 50


def test_bumps_add_up_across_writers(demo):
    """The bump is ``data_version + 1`` in SQL: a writer never overwrites another's bump."""
    with demo.app_context():
        survey_id = get_survey(SURVEY).id
        start = data_version(survey_id)
        db.session.commit()
        with db.engine.begin() as other:  # another writer, committed in between
            other.execute(
                Survey.__table__.update()
                .where(Survey.id == survey_id)
                .values(data_version=Survey.data_version + 1)
            )
        bump_data_version(survey_id)
        db.session.commit()
        assert data_version(survey_id) == start + 2

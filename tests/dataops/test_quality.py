"""Automatic quality flags: speeders, straight-lining, duplicates, token reuse."""

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.dataops import quality
from surveyapp.models import AuditEntry
from surveyapp.models import Invitation
from surveyapp.models import ResponseFlag
from surveyapp.models._types import utcnow

from .conftest import answer_rows
from .conftest import flag
from .conftest import store_response


def kinds(response):
    return sorted(f.kind for f in response.flags)


def test_speeders_need_enough_responses_then_follow_the_median(app, db, survey):
    for i in range(19):
        store_response(duration=300 + i, client=f"c{i}")
    fast = store_response(duration=60, client="fast")
    # 20 timed responses: 60 and 300..318, so the median is (308 + 309) / 2 and the threshold 102.8 s
    assert quality.speeder_threshold(survey.id)[1:] == (308.5, 20)
    assert quality.refresh_speeder_flags(survey) == 1
    db.session.expire_all()
    assert kinds(fast) == ["speeder"]
    assert "median" in fast.flags[0].reason
    # The median falls as quick responses arrive: 60 s is no longer under a third of it.
    for i in range(30):
        store_response(duration=150, client=f"q{i}")
    quality.refresh_speeder_flags(survey)
    db.session.expire_all()
    assert kinds(fast) == []
    # Refreshing twice never duplicates flags.
    slow_fast = store_response(duration=10, client="very-fast")
    quality.refresh_speeder_flags(survey)
    quality.refresh_speeder_flags(survey)
    db.session.expire_all()
    assert kinds(slow_fast) == ["speeder"]


def test_speeder_median_ignores_excluded_responses(app, db, survey):
    for i in range(20):
        store_response(duration=600, client=f"v{i}")
    for i in range(40):
        store_response(duration=30, client=f"x{i}", status="excluded")
    threshold, median, n = quality.speeder_threshold(survey.id)
    assert (median, n) == (600, 20)
    assert quality.refresh_speeder_flags(survey) == 40


def test_straightlining_only_for_one_substantive_code_across_the_group(app, db, survey):
    same = store_response(answer_rows(sat=(5,) * 7), client="a")
    dont_know = store_response(answer_rows(sat=(9,) * 7), client="b")
    varied = store_response(answer_rows(sat=(5, 5, 5, 5, 5, 5, 4)), client="c")
    for response in (same, dont_know, varied):
        flag(response)
    db.session.expire_all()
    assert kinds(same) == ["straightlining"]
    assert "satisfaction" in same.flags[0].reason
    assert kinds(dont_know) == []
    assert kinds(varied) == []


def test_duplicate_same_client_same_answers_within_window(app, db, survey):
    now = utcnow()
    first = store_response(client="same", submitted_at=now - timedelta(hours=2))
    again = store_response(client="same", submitted_at=now)
    other_client = store_response(client="other", submitted_at=now)
    other_answers = store_response(answer_rows(district=2), client="same", submitted_at=now)
    late = store_response(client="old", submitted_at=now - timedelta(hours=30))
    late_again = store_response(client="old", submitted_at=now)
    for response in (first, again, other_client, other_answers, late, late_again):
        flag(response)
    db.session.expire_all()
    assert kinds(again) == ["duplicate"]
    assert str(first.id) in again.flags[0].reason
    assert kinds(first) == kinds(other_client) == kinds(other_answers) == kinds(late_again) == []
    app.config["QUALITY_DUPLICATE_WINDOW_HOURS"] = 48
    flag(late_again)
    db.session.expire_all()
    assert kinds(late_again) == ["duplicate"]


def test_token_reuse_is_audited_even_when_the_attempt_is_rolled_back(app, db, survey):
    invitation = Invitation(survey_id=survey.id, token="tok-used", used_at=utcnow())
    db.session.add(invitation)
    first = store_response(client="panel")
    first.invitation_id = invitation.id
    db.session.commit()
    quality.record_token_reuse(survey, "tok-used")
    db.session.rollback()  # what the public view does with a refused submission
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitation.token_reuse")
    ).all()
    assert len(entries) == 1
    assert entries[0].detail["invitation_id"] == invitation.id
    assert entries[0].detail["first_response_id"] == first.id


def test_token_reuse_flags_the_later_response_and_commits_once(app, db, survey):
    invitation = Invitation(survey_id=survey.id, token="tok-2", used_at=utcnow())
    db.session.add(invitation)
    db.session.flush()
    later = store_response(client="panel-2")
    quality.record_token_reuse(survey, "tok-2", response=later)
    db.session.commit()
    db.session.expire_all()
    assert kinds(later) == ["token_reuse"]
    count = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "invitation.token_reuse")
    )
    assert count == 1


def test_public_submission_runs_the_quality_post_hook(app, db, survey):
    from surveyapp.public import services

    assert any(getattr(h, "__name__", "") == "quality_post_hook" for h in services.POST_HOOKS)
    version = survey.latest_version
    from surveyapp.definitions.store import definition_of

    rows = answer_rows(sat=(4,) * 7)
    submission = services.Submission(
        survey=survey,
        version=version,
        definition=definition_of(version),
        rows=rows,
        answers={r[0]: r[1] for r in rows},
        nonce="n-1",
        channel="direct",
        language="zh_CN",
        started_at=utcnow() - timedelta(minutes=5),
        client_hash="h",
    )
    services.submit_response(submission)
    db.session.commit()
    flags = db.session.scalars(select(ResponseFlag.kind)).all()
    assert flags == ["straightlining"]


def test_submissions_reuse_the_median_for_a_while_then_refresh_everyone(
    app, db, survey, monkeypatch
):
    for i in range(20):
        store_response(duration=300, client=f"c{i}")
    computed = []
    real = quality.speeder_threshold
    monkeypatch.setattr(quality, "speeder_threshold", lambda sid: computed.append(sid) or real(sid))
    monkeypatch.setattr(quality, "_THRESHOLDS", {})
    app.config["QUALITY_SPEEDER_CACHE_SECONDS"] = 3600
    fast = []
    for i in range(5):  # as in the submission flow: each response flagged as it is stored
        fast.append(store_response(duration=20, client=f"f{i}"))
        flag(fast[-1])
    db.session.expire_all()
    assert len(computed) <= 2  # once for the hook, at most once more for the refresh it triggers
    assert all(kinds(r) == ["speeder"] for r in fast)
    # Once the period is over the median is recomputed and earlier flags follow it.
    app.config["QUALITY_SPEEDER_CACHE_SECONDS"] = 0
    for i in range(60):
        store_response(duration=40, client=f"q{i}")
    flag(store_response(duration=40, client="last"))
    db.session.expire_all()
    assert all(kinds(r) == [] for r in fast)

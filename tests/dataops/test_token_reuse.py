"""A reused invitation token, end to end through the public form: the refused submission is
rolled back by the public view, yet the attempt stays in the audit log.

The console's invitation pre-check is expected to call ``record_token_reuse`` when it refuses a
used token; here a pre-check placed in front of it does the same, exactly as that call would.
"""

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.console.fieldwork import admission_refusal
from surveyapp.console.public_hooks import submission_token
from surveyapp.dataops.quality import record_token_reuse
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import AuditEntry
from surveyapp.models import Invitation
from surveyapp.models import Response
from surveyapp.public import services
from tests.public.conftest import COMPLETE
from tests.public.conftest import Respondent


def audit_on_reuse(submission):
    refusal = admission_refusal(submission.survey, submission_token(submission))
    if refusal is not None and refusal.reason == "token_used":
        record_token_reuse(submission.survey, submission_token(submission))


def test_reused_token_is_audited_though_the_submission_is_rolled_back(app, client, monkeypatch):
    monkeypatch.setattr(services, "PRE_CHECKS", [audit_on_reuse, *services.PRE_CHECKS])
    with app.app_context():
        survey = get_survey("nanyang-dcm")
        survey.requires_token = True
        _db.session.add(Invitation(survey_id=survey.id, token="tok-a"))
        _db.session.commit()
    data = {k: list(v) if isinstance(v, list) else v for k, v in COMPLETE.items()}
    early = Respondent(client, "/s/nanyang-dcm?t=tok-a")
    early.open()
    late = Respondent(client, "/s/nanyang-dcm?t=tok-a")
    late.open()
    assert early.submit(data).status_code == 303
    assert late.submit(data).status_code == 409
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Response)) == 1
        first = _db.session.scalar(select(Response.id))
        entries = _db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "invitation.token_reuse")
        ).all()
        assert len(entries) == 1
        assert entries[0].detail["first_response_id"] == first
        assert entries[0].client_hash  # who tried, as a keyed hash
        _db.session.remove()

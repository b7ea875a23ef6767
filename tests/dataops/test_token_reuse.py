"""A reused invitation token, end to end through the public form: the refused submission is
rolled back by the public view, yet the attempt stays in the audit log.

The console's invitation checks call ``record_token_reuse`` when they refuse a used token.
"""

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import AuditEntry
from surveyapp.models import Invitation
from surveyapp.models import Response
from tests.public.conftest import COMPLETE
from tests.public.conftest import Respondent


def test_reused_token_is_audited_though_the_submission_is_rolled_back(app, client):
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

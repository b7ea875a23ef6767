"""Staff preview of a questionnaire: ``/s/KEY?preview=1`` for a logged-in evaluator.

A preview opens drafts and closed surveys too, hands out no counted form, skips the fieldwork
rules (invitations, quotas) and stores its answers with status ``test``: results read only
``valid`` responses and exports leave test answers out unless asked for them.
"""

from flask import g
from flask import request
from flask_login import current_user
from sqlalchemy import update

from ..extensions import db
from ..models import Response
from .services import post_hook

PREVIEW_PARAM = "preview"
TEST_STATUS = "test"


def preview_requested():
    """Whether this request is a staff preview (``?preview=1`` and a logged-in evaluator)."""
    cached = g.get("_survey_preview")
    if cached is None:
        cached = g._survey_preview = bool(
            request.args.get(PREVIEW_PARAM) == "1"
            and current_user.is_authenticated
            and current_user.has_role("evaluator")
        )
    return cached


def is_preview(submission):
    """Whether ``submission`` was made in a staff preview."""
    return bool(submission.context.get(PREVIEW_PARAM))


@post_hook
def mark_test_answers(submission, response):
    """A preview's response is stored with status ``test``."""
    if is_preview(submission):
        db.session.execute(
            update(Response)
            .where(Response.id == response.id)
            .values(status=TEST_STATUS, status_reason="preview")
            .execution_options(synchronize_session=False)
        )

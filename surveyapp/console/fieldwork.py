"""Fieldwork rules the public questionnaire obeys: invitation tokens and quotas.

The public flow calls two functions (and nothing else from here):

* :func:`admission_refusal` ``(survey, token)`` when it shows the form and again when a post
  arrives: ``None`` to go on, else a :class:`Refusal` whose ``message`` it shows to the respondent
  with ``status``;
* :func:`accept_submission` ``(survey, response, token)`` after the new ``Response`` and its
  ``Answer`` rows are added and flushed, before the commit. It marks the invitation used and checks
  the quotas; on a :class:`Refusal` the caller rolls back and shows the message.

Doing the final checks inside the submitting transaction, with a conditional UPDATE for the
token, means two simultaneous posts with one token cannot both be stored.
"""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from .. import audit
from ..definitions.plan import plan_for
from ..definitions.qtypes import question_type
from ..extensions import db
from ..models import Answer
from ..models import Invitation
from ..models import Quota
from ..models import Response
from ..models._types import utcnow

# The query parameter and hidden form field carrying an invitation token.
TOKEN_PARAM = "t"
MAX_TOKEN_LENGTH = 64


class Refusal(Exception):
    """The public form must not take this respondent's answers; ``message`` says why, politely."""

    def __init__(self, reason, message, status=403):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


NO_TOKEN = _l(
    "This survey is open to invited respondents only. "
    "Please use the link or QR code on your invitation."
)
BAD_TOKEN = _l("This invitation link is not valid. Please check that the whole link was copied.")
USED_TOKEN = _l(
    "This invitation has already been used to answer the survey, so it cannot be used again. "
    "Thank you for taking part!"
)
QUOTA_FULL = _l(
    "Thank you for your willingness to help! We already have all the answers we need from "
    "respondents like you, so we cannot accept more at the moment."
)


def find_invitation(survey, token):
    """The invitation of ``survey`` with this token, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.survey_id == survey.id, Invitation.token == token)
    )


def admission_refusal(survey, token):
    """None when this respondent may fill in the form, else the :class:`Refusal` to show."""
    if not survey.requires_token:
        return None
    if not token:
        return Refusal("token_missing", NO_TOKEN, 403)
    invitation = find_invitation(survey, token)
    if invitation is None:
        return Refusal("token_unknown", BAD_TOKEN, 403)
    if invitation.used_at is not None:
        return Refusal("token_used", USED_TOKEN, 409)
    return None


def accept_submission(survey, response, token):
    """Final checks for a flushed new response; raises :class:`Refusal` (the caller rolls back)."""
    if survey.requires_token:
        refusal = admission_refusal(survey, token)
        if refusal is not None:
            raise refusal
        # Only one transaction can move used_at from NULL: a concurrent post gets 0 rows.
        claimed = db.session.execute(
            update(Invitation)
            .where(
                Invitation.survey_id == survey.id,
                Invitation.token == token,
                Invitation.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise Refusal("token_used", USED_TOKEN, 409)
        invitation_id = db.session.scalar(
            select(Invitation.id).where(
                Invitation.survey_id == survey.id, Invitation.token == token
            )
        )
        db.session.execute(
            update(Response)
            .where(Response.id == response.id)
            .values(invitation_id=invitation_id)
            .execution_options(synchronize_session=False)
        )
    if survey.quota_enforced:
        full = full_cells_of(survey, response)
        if full:
            raise Refusal("quota_full", QUOTA_FULL, 409)


def full_cells_of(survey, response):
    """The (question, code) cells of ``response`` whose valid count (with it) exceeds the target."""
    cells = db.session.execute(
        select(Answer.question, Answer.code, Quota.target)
        .join(
            Quota,
            (Quota.survey_id == Answer.survey_id)
            & (Quota.question == Answer.question)
            & (Quota.code == Answer.code),
        )
        .where(Answer.response_id == response.id)
    ).all()
    full = []
    for question, code, target in cells:
        if cell_count(survey.id, question, code) > target:
            full.append((question, code))
    return full


def cell_count(survey_id, question, code):
    """Valid responses answering ``code`` to ``question``."""
    return db.session.scalar(
        select(func.count(func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.demographic,
            Answer.survey_id == survey_id,
            Answer.question == question,
            Answer.code == code,
            Response.status == "valid",
        )
    )


# Invitations -------------------------------------------------------------------------------


def _new_token():
    # Never starting with "-", which a spreadsheet opening the CSV would read as a formula.
    while (token := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return token


def generate_invitations(survey, count):
    """Create ``count`` new single-use tokens (audited ``invitation.create``)."""
    invitations = [Invitation(survey_id=survey.id, token=_new_token()) for _ in range(count)]
    db.session.add_all(invitations)
    db.session.flush()
    audit.record("invitation.create", survey_id=survey.id, count=count)
    return invitations


def invitation_counts(survey):
    """``(total, used)`` invitations of a survey."""
    total, used = db.session.execute(
        select(func.count(), func.count(Invitation.used_at)).where(
            Invitation.survey_id == survey.id
        )
    ).one()
    return total, used


def invitations_of(survey):
    """Every invitation of a survey, oldest first."""
    return db.session.scalars(
        select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id)
    ).all()


def set_requires_token(survey, required):
    """Switch the token requirement (audited ``survey.settings``)."""
    if survey.requires_token == required:
        return False
    survey.requires_token = required
    db.session.flush()
    audit.record("survey.settings", survey_id=survey.id, requires_token=required)
    return True


# Quotas ------------------------------------------------------------------------------------


def quota_questions(definition):
    """The demographic questions a quota can be set on."""
    return [q for q in definition.questions if question_type(q.type).demographic]


def default_quota_question(survey, definition):
    """The question whose quotas the dashboard shows.

    The first with quotas set; else the first comparison domain of the analysis plan (the
    definition's ``analysis.domains``) a quota can be set on; else the first such question.
    """
    candidates = quota_questions(definition)
    if not candidates:
        return None
    with_quotas = set(
        db.session.scalars(select(Quota.question).where(Quota.survey_id == survey.id)).all()
    )
    for q in candidates:
        if q.key in with_quotas:
            return q
    domains = plan_for(definition).domains
    return next((q for key in domains for q in candidates if q.key == key), candidates[0])


def quota_targets(survey, question_key):
    """``{code: target}`` of one question."""
    return dict(
        db.session.execute(
            select(Quota.code, Quota.target).where(
                Quota.survey_id == survey.id, Quota.question == question_key
            )
        ).all()
    )


def set_quotas(survey, question, targets, enforced):
    """Replace the targets of ``question`` (``{code: target or None}``) and the enforcement switch.

    Audited ``quota.set`` with the new targets. Codes must be the question's own.
    """
    valid_codes = set(question.codes)
    unknown = set(targets) - valid_codes
    if unknown:
        raise ValueError(f"codes {sorted(unknown)} are not choices of {question.key}")
    existing = {
        q.code: q
        for q in db.session.scalars(
            select(Quota).where(Quota.survey_id == survey.id, Quota.question == question.key)
        )
    }
    for code, target in targets.items():
        row = existing.get(code)
        if target is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                Quota(survey_id=survey.id, question=question.key, code=code, target=target)
            )
        else:
            row.target = target
    survey.quota_enforced = bool(enforced)
    db.session.flush()
    audit.record(
        "quota.set",
        survey_id=survey.id,
        question=question.key,
        targets={str(c): t for c, t in sorted(targets.items()) if t is not None},
        enforced=bool(enforced),
    )


def quota_progress(survey, question):
    """One row per code of ``question``: code, choice, target (or None) and valid responses so far.

    One GROUP BY over the indexed (survey_id, question, code) answers of demographic questions.
    """
    counts = dict(
        db.session.execute(
            select(Answer.code, func.count(func.distinct(Answer.response_id)))
            .join(Response, Response.id == Answer.response_id)
            .where(
                Answer.demographic,
                Answer.survey_id == survey.id,
                Answer.question == question.key,
                Response.status == "valid",
            )
            .group_by(Answer.code)
        ).all()
    )
    targets = quota_targets(survey, question.key)
    return [
        {"code": c.code, "choice": c, "target": targets.get(c.code), "count": counts.get(c.code, 0)}
        for c in question.choices
    ]

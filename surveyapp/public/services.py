"""Storing questionnaire submissions: the one place a response is written.

:func:`submit_response` stores a :class:`Submission` (the validated answer rows of one form plus
what its token says) as a ``Response`` with its ``Answer`` rows, in the caller's transaction.
Other features hook into it without touching it:

- **pre-checks** run before anything is added. A check inspects the submission and raises
  :class:`SubmissionRejected` (with a message for the respondent and an HTTP status) to refuse it,
  e.g. an invalid invitation token or a full quota cell. Nothing has been stored at that point.
- **post-hooks** run after the response and its answers are flushed (``response.id`` exists) and
  may add rows of their own, e.g. quality flags or marking an invitation used. A post-hook may
  also raise :class:`SubmissionRejected`; the view then rolls the whole transaction back.

Register either with the decorators, at import time of the feature's module::

    from surveyapp.public.services import pre_check

    @pre_check
    def quota_not_full(submission):
        if ...:
            raise SubmissionRejected(_("This group is already complete."), status=409)

Extra request data a check needs (an invitation token from the link, say) travels in
``Submission.context``; the view fills it from the query string of the form's link
(``Submission.context["args"]``).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import insert
from sqlalchemy import select

from ..extensions import db
from ..models import Answer
from ..models import FormStart
from ..models import Response
from ..models._types import utcnow

DEFAULT_CHANNEL = "direct"
_CHANNEL = re.compile(r"[a-z0-9-]{1,32}")

PRE_CHECKS = []
POST_HOOKS = []


class SubmissionRejected(Exception):
    """A check refused the submission; ``message`` is shown to the respondent."""

    def __init__(self, message, status=422):
        super().__init__(str(message))
        self.message = message
        self.status = status


def pre_check(func):
    """Register ``func(submission)`` to run before a response is stored (raise to refuse)."""
    PRE_CHECKS.append(func)
    return func


def post_hook(func):
    """Register ``func(submission, response)`` to run once the response and answers are flushed."""
    POST_HOOKS.append(func)
    return func


@dataclass
class Submission:
    """One validated questionnaire, ready to store.

    ``rows`` are the ``AnswerRow`` tuples of the relevant questions only; ``answers`` maps each
    answered column to its value (as the condition language sees it).
    """

    survey: object
    version: object
    definition: object
    rows: list
    answers: dict
    nonce: str
    channel: str
    language: str
    started_at: object = None
    client_hash: str | None = None
    context: dict = field(default_factory=dict)


def clean_channel(value):
    """The channel of ``?ch=`` if it is 1-32 of ``a-z 0-9 -`` (case folded), else ``direct``."""
    value = (value or "").strip().lower()
    return value if _CHANNEL.fullmatch(value) else DEFAULT_CHANNEL


def answers_hash(rows):
    """SHA-256 of the canonical answers: equal answers give equal hashes, whatever the order."""
    canonical = sorted([key, code, number, text] for key, code, number, text in rows)
    data = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record_form_start(survey, channel, started_at=None):
    """Count a questionnaire handed out (the denominator of completion rates)."""
    start = FormStart(survey_id=survey.id, channel=channel, started_at=started_at or utcnow())
    db.session.add(start)
    db.session.flush()
    return start


def response_for_token(survey, nonce):
    """The response already stored for this form's nonce, or None."""
    return db.session.scalar(
        select(Response).where(Response.survey_id == survey.id, Response.submission_token == nonce)
    )


def submit_response(submission):
    """Run the pre-checks, store the response and its answers, run the post-hooks; return it.

    Adds and flushes only: the caller commits (or rolls back on :class:`SubmissionRejected` or an
    ``IntegrityError`` from a concurrent post of the same form).
    """
    for check in PRE_CHECKS:
        check(submission)
    now = utcnow()
    duration = None
    if submission.started_at is not None:
        duration = max(0.0, (now - submission.started_at).total_seconds())
    response = Response(
        survey_id=submission.survey.id,
        version_id=submission.version.id,
        submission_token=submission.nonce,
        channel=submission.channel,
        language=submission.language,
        started_at=submission.started_at,
        submitted_at=now,
        duration_seconds=duration,
        client_hash=submission.client_hash,
        answers_hash=answers_hash(submission.rows),
    )
    db.session.add(response)
    db.session.flush()
    # One multi-row INSERT for the answers instead of an ORM object each (the hot path of a
    # submission); ``response.answers`` loads them on first access, e.g. in a post-hook.
    if submission.rows:
        # Core, not ORM, insert: the ORM splits rows by which values are None (one statement per
        # shape); the table insert sends every row in one executemany.
        db.session.execute(
            insert(Answer.__table__),
            [
                {
                    "response_id": response.id,
                    "survey_id": submission.survey.id,
                    "question": key,
                    "code": code,
                    "number": number,
                    "text": text,
                }
                for key, code, number, text in submission.rows
            ],
        )
    for hook in POST_HOOKS:
        hook(submission, response)
    db.session.flush()
    return response

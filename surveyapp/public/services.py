"""Storing questionnaire submissions: the one place a response is written.

:func:`submit_response` stores a :class:`Submission` (the validated answer rows of one form plus
what its token says) as a ``Response`` with its ``Answer`` rows, in the caller's transaction.
Other features hook into it without touching it:

- **pre-checks** run before anything is added. A check inspects the submission and raises
  :class:`SubmissionRejected` (with a message for the respondent and an HTTP status) to refuse it,
  e.g. an invalid invitation token or a full quota cell. Nothing has been stored at that point.
- **post-hooks** run after the response and its answers are inserted. They get the
  :class:`StoredResponse` (``response.id`` exists) and may add rows of their own, e.g. quality
  flags or marking an invitation used. A post-hook may also raise :class:`SubmissionRejected`;
  the view then rolls the whole transaction back.

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
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask import g
from sqlalchemy import insert
from sqlalchemy import select

from ..channels import DIRECT
from ..channels import clean_channel  # noqa: F401 (the views' name for it)
from ..database import take_write_lock
from ..definitions.store import survey_and_latest_version
from ..extensions import db
from ..models import Answer
from ..models import FormStart
from ..models import Response
from ..models import SpentForm
from ..models import bump_data_version
from ..models._types import utcnow
from ..prepared import PreparedStatement

DEFAULT_CHANNEL = DIRECT

PRE_CHECKS = []
POST_HOOKS = []
# What the thank-you page of a spent form says, by reason (features register their reasons).
SPEND_MESSAGES = {}


class SubmissionRejected(Exception):
    """A check refused the submission; ``message`` is shown to the respondent.

    With ``spend`` (a reason such as ``"quota_full"``) the form is used up: the view records its
    token as spent (see :func:`spend_form`) and thanks the respondent instead of showing the form
    again, so it cannot be posted once more with other answers.
    """

    def __init__(self, message, status=422, spend=None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.spend = spend


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
    # The browser had answered this survey before (its cookie), which allows one answer.
    repeat: bool = False
    context: dict = field(default_factory=dict)


def answers_hash(rows):
    """SHA-256 of the canonical answers: equal answers give equal hashes, whatever the order."""
    canonical = sorted([key, code, number, text] for key, code, number, text in rows)
    data = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record_form_start(survey, channel, started_at=None, client_hash=None):
    """Count a questionnaire handed out (the denominator of completion rates), at most once per
    client and survey within ``FORM_START_WINDOW_MINUTES``: reloading the page, or a script
    fetching it again and again, hands out no new form. Returns the new start, or None."""
    started_at = started_at or utcnow()
    if client_hash is not None:
        window = timedelta(minutes=current_app.config["FORM_START_WINDOW_MINUTES"])
        counted = db.session.scalar(
            select(FormStart.id)
            .where(
                FormStart.survey_id == survey.id,
                FormStart.client_hash == client_hash,
                FormStart.started_at > started_at - window,
            )
            .limit(1)
        )
        if counted is not None:
            return None
    start = FormStart(
        survey_id=survey.id, channel=channel, started_at=started_at, client_hash=client_hash
    )
    db.session.add(start)
    db.session.flush()
    return start


def requested_survey(key):
    """``(survey, newest version)`` of ``key`` (see ``survey_and_latest_version``), looked up
    once per request: the fieldwork gate before a form is shown needs it as well as the view."""
    looked_up = g.get("_requested_survey")
    if looked_up is None or looked_up[0] != key:
        looked_up = g._requested_survey = (key, survey_and_latest_version(key))
    return looked_up[1]


def response_exists(survey_id, nonce):
    """Whether a response of this form (its token's nonce) is already stored."""
    found = db.session.scalar(
        select(Response.id).where(
            Response.survey_id == survey_id, Response.submission_token == nonce
        )
    )
    return found is not None


def spent_reason(survey_id, nonce):
    """Why this form (its token's nonce) was turned away and spent, or None."""
    return db.session.scalar(
        select(SpentForm.reason).where(
            SpentForm.survey_id == survey_id, SpentForm.submission_token == nonce
        )
    )


def spent_message(survey_id, nonce):
    """The thank-you message of a spent form, or None when the form is not spent."""
    reason = spent_reason(survey_id, nonce)
    return None if reason is None else SPEND_MESSAGES[reason]


def spend_form(survey_id, nonce, reason):
    """Record a form turned away as spent (once; a repeat keeps the first reason)."""
    if spent_reason(survey_id, nonce) is None:
        db.session.add(SpentForm(survey_id=survey_id, submission_token=nonce, reason=reason))
        db.session.flush()


class StoredResponse(NamedTuple):
    """The response row just inserted, as post-hooks see it (read-only; its answers are in
    ``submission.rows``)."""

    id: int
    survey_id: int
    version_id: int
    submission_token: str
    channel: str
    language: str
    started_at: datetime | None
    submitted_at: datetime
    duration_seconds: float | None
    client_hash: str | None
    answers_hash: str


# Built once and run on the driver's cursor (surveyapp.prepared): one INSERT for the response
# (the columns of StoredResponse but its id), one executemany for all its answers.
_INSERT_RESPONSE = PreparedStatement(
    insert(Response.__table__), column_keys=StoredResponse._fields[1:]
)
# The columns every writer of answer rows gives (surveyapp.demo too).
ANSWER_COLUMNS = ("response_id", "survey_id", "question", "code", "number", "text", "demographic")
_INSERT_ANSWERS = PreparedStatement(insert(Answer.__table__), column_keys=ANSWER_COLUMNS)


def submit_response(submission):
    """Run the pre-checks, store the response and its answers, run the post-hooks.

    Returns the :class:`StoredResponse`. Writes in the caller's transaction and does not commit:
    the caller commits (or rolls back on :class:`SubmissionRejected` or an ``IntegrityError``
    from a concurrent post of the same form). The write transaction begins here, so the checks
    and hooks see no concurrent submission until that commit. Core inserts, not ORM objects.
    """
    take_write_lock()
    for check in PRE_CHECKS:
        check(submission)
    now = utcnow()
    duration = None
    if submission.started_at is not None:
        duration = max(0.0, (now - submission.started_at).total_seconds())
    values = {
        "survey_id": submission.survey.id,
        "version_id": submission.version.id,
        "submission_token": submission.nonce,
        "channel": submission.channel,
        "language": submission.language,
        "started_at": submission.started_at,
        "submitted_at": now,
        "duration_seconds": duration,
        "client_hash": submission.client_hash,
        "answers_hash": answers_hash(submission.rows),
    }
    connection = db.session.connection()
    response = StoredResponse(id=_INSERT_RESPONSE.inserted_id(connection, values), **values)
    if submission.rows:
        demographic = submission.definition.demographic_keys
        _INSERT_ANSWERS.executemany(
            connection,
            [
                (response.id, response.survey_id, key, code, number, text, key in demographic)
                for key, code, number, text in submission.rows
            ],
        )
    for hook in POST_HOOKS:
        hook(submission, response)
    # Last, after the hooks (a preview's test status): the survey row stays locked briefly.
    bump_data_version(response.survey_id)
    db.session.flush()
    return response

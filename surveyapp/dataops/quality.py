"""Automatic data-quality flags on responses (``ResponseFlag`` rows, each with its reason).

Kinds:

- ``speeder``: took less than a third of the median duration of the survey's valid responses.
  The median moves as responses arrive, so :func:`refresh_speeder_flags` recomputes the flags of
  a whole survey; it needs at least ``QUALITY_SPEEDER_MIN_RESPONSES`` timed responses (default 20).
- ``straightlining``: every item of a Likert group with 4 or more items got one substantive code.
- ``duplicate``: an earlier response of the survey came from the same client with the same answers
  within ``QUALITY_DUPLICATE_WINDOW_HOURS`` (default 24); or, a probable duplicate, the browser
  that sent it had answered the survey before (its cookie, when the survey allows one answer).
- ``token_reuse``: a used invitation token was presented again (see :func:`record_token_reuse`).

:func:`flag_new_response` is the public submission flow's post-hook (registered in
:mod:`surveyapp.dataops.hooks`).
"""

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from .. import audit
from ..definitions.qtypes import question_type
from ..extensions import db
from ..models import Invitation
from ..models import Response
from ..models import ResponseFlag
from ..prepared import PreparedStatement
from . import durable
from . import reasons

KINDS = ("speeder", "straightlining", "duplicate", "token_reuse")
STRAIGHTLINE_MIN_ITEMS = 4
# The median costs a scan of the survey's durations, so a submission reuses it for a while (per
# process); each time it is recomputed the flags of earlier responses are refreshed too, so the
# cost stays bounded however many responses arrive.
_THRESHOLDS = {}


def _config(name, default):
    return current_app.config.get(name, default)


def median_duration(survey_id, valid_only=False):
    """``(median seconds or None, n)`` over the survey's timed responses (valid ones if asked).

    The median is found in the database (a count, then the middle one or two durations by
    ORDER BY/OFFSET), so the survey's durations are never loaded into Python.
    """
    timed = [Response.survey_id == survey_id, Response.duration_seconds.is_not(None)]
    if valid_only:
        timed.insert(1, Response.status == "valid")
    n = db.session.scalar(select(func.count()).select_from(Response).where(*timed))
    if not n:
        return None, n
    middle = db.session.scalars(
        select(Response.duration_seconds)
        .where(*timed)
        .order_by(Response.duration_seconds)
        .offset((n - 1) // 2)
        .limit(1 if n % 2 else 2)
    ).all()
    return sum(middle) / len(middle), n


def speeder_threshold(survey_id):
    """``(threshold seconds, median, n)`` of a survey, or None with too few timed valid ones."""
    median, n = median_duration(survey_id, valid_only=True)
    if n < int(_config("QUALITY_SPEEDER_MIN_RESPONSES", 20)):
        return None
    return median / 3.0, median, n


def _speeder_reason(duration, median, n):
    return reasons.reason(reasons.SPEEDER, duration=duration, median=median, n=n)


def refresh_speeder_flags(survey):
    """Recompute the speeder flags of every response of ``survey``; returns the number flagged."""
    survey_id = getattr(survey, "id", survey)
    existing = db.session.execute(
        select(ResponseFlag.id, ResponseFlag.response_id)
        .join(Response, Response.id == ResponseFlag.response_id)
        .where(Response.survey_id == survey_id, ResponseFlag.kind == "speeder")
        .order_by(ResponseFlag.id)
    ).all()
    found = threshold = speeder_threshold(survey_id)
    wanted = {}
    if found is not None:
        threshold, median, n = found
        rows = db.session.execute(
            select(Response.id, Response.duration_seconds).where(
                Response.survey_id == survey_id,
                Response.duration_seconds.is_not(None),
                Response.duration_seconds < threshold,
            )
        ).all()
        wanted = {rid: _speeder_reason(duration, median, n) for rid, duration in rows}
    kept, stale = set(), []
    for flag_id, response_id in existing:
        # Stale (no longer under the threshold) or a second copy from two concurrent refreshes.
        if response_id in wanted and response_id not in kept:
            kept.add(response_id)
        else:
            stale.append(flag_id)
    for start in range(0, len(stale), 500):
        db.session.execute(
            delete(ResponseFlag).where(ResponseFlag.id.in_(stale[start : start + 500]))
        )
    db.session.add_all(
        ResponseFlag(response_id=rid, kind="speeder", reason=reason)
        for rid, reason in wanted.items()
        if rid not in kept
    )
    db.session.flush()
    return len(wanted)


def straightlined_groups(definition, codes):
    """Keys of the Likert groups (4+ items) whose items all got one substantive code."""
    found = []
    for question in definition.questions:
        qtype = question_type(question.type)
        if not (qtype.likert and qtype.has_items) or len(question.items) < STRAIGHTLINE_MIN_ITEMS:
            continue
        values = {codes.get(item.key) for item in question.items}
        if len(values) != 1 or None in values:
            continue
        choice = question.choice(values.pop())
        if choice is not None and choice.substantive:
            found.append((question.key, choice.code))
    return found


# Built once: it runs for every submission (on the driver's cursor: surveyapp.prepared).
_EARLIER_DUPLICATE = PreparedStatement(
    select(Response.id)
    .where(
        Response.survey_id == bindparam("survey_id"),
        Response.id != bindparam("id"),
        Response.client_hash == bindparam("client_hash"),
        Response.answers_hash == bindparam("answers_hash"),
        Response.submitted_at >= bindparam("since"),
        Response.submitted_at <= bindparam("until"),
    )
    .order_by(Response.submitted_at.desc())
    .limit(1)
)


def _duplicate_of(response):
    if not response.client_hash or not response.answers_hash:
        return None
    window = timedelta(hours=float(_config("QUALITY_DUPLICATE_WINDOW_HOURS", 24)))
    return _EARLIER_DUPLICATE.scalar(
        db.session.connection(),
        {
            "survey_id": response.survey_id,
            "id": response.id,
            "client_hash": response.client_hash,
            "answers_hash": response.answers_hash,
            "since": response.submitted_at - window,
            "until": response.submitted_at,
        },
    )


def flag_new_response(response, definition, rows, repeat=False):
    """Flag a just-stored response (straight-lining, duplicate, speeder); returns the new flags.

    Call after the response and its answers are inserted, inside the submitting transaction,
    with the ``definition`` it answered and its answer ``rows`` (``(key, code, number, text)``).
    ``repeat``: the browser had answered this survey already (a probable duplicate).
    """
    flags = []
    codes = {key: code for key, code, _number, _text in rows if code is not None}
    for key, code in straightlined_groups(definition, codes):
        flags.append(
            ResponseFlag(
                kind="straightlining",
                reason=reasons.reason(reasons.STRAIGHTLINING, key=key, code=code),
            )
        )
    earlier = _duplicate_of(response)
    if earlier is not None:
        flags.append(
            ResponseFlag(
                kind="duplicate", reason=reasons.reason(reasons.DUPLICATE, earlier=earlier)
            )
        )
    elif repeat:
        flags.append(ResponseFlag(kind="duplicate", reason=reasons.reason(reasons.REPEAT)))
    found, fresh = _recent_threshold(response.survey_id)
    if found is not None and response.duration_seconds is not None:
        threshold, median, n = found
        if response.duration_seconds < threshold:
            flags.append(
                ResponseFlag(
                    kind="speeder", reason=_speeder_reason(response.duration_seconds, median, n)
                )
            )
    for flag in flags:
        flag.response_id = response.id
    if flags:
        db.session.add_all(flags)
        db.session.flush()
    if fresh and found is not None:
        refresh_speeder_flags(response.survey_id)
    return flags


def _recent_threshold(survey_id):
    """``(speeder_threshold, recomputed now?)``, reusing a value younger than the cache period."""
    ttl = float(_config("QUALITY_SPEEDER_CACHE_SECONDS", 60))
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], survey_id)
    cached = _THRESHOLDS.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < ttl:
        return cached[1], False
    found = speeder_threshold(survey_id)
    _THRESHOLDS[key] = (now, found)
    return found, True


def record_token_reuse(survey, token, response=None):
    """Record an attempt to answer again with a used invitation token.

    Adds an ``invitation.token_reuse`` audit entry that is kept even when the caller then rolls
    its transaction back (the refused submission), and a ``token_reuse`` flag on ``response``
    when a response was stored in the attempt.
    """
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.survey_id == survey.id, Invitation.token == (token or "")
        )
    )
    first = None
    if invitation is not None:
        first = db.session.scalar(
            select(func.min(Response.id)).where(Response.invitation_id == invitation.id)
        )
    detail = {
        "invitation_id": getattr(invitation, "id", None),
        "used_at": invitation.used_at.isoformat() if invitation and invitation.used_at else None,
        "first_response_id": first,
    }
    entry = audit.record(
        "invitation.token_reuse",
        survey_id=survey.id,
        response_id=getattr(response, "id", None),
        **detail,
    )
    durable.keep_after_rollback(entry)
    if response is not None:
        invitation_id = detail["invitation_id"]
        if first is None:
            reason = reasons.reason(reasons.TOKEN_REUSE, invitation=invitation_id)
        else:
            reason = reasons.reason(reasons.TOKEN_REUSE_BY, invitation=invitation_id, first=first)
        db.session.add(ResponseFlag(response_id=response.id, kind="token_reuse", reason=reason))
        db.session.flush()
    return entry


def flag_counts(survey_id):
    """``{kind: number of responses flagged}`` for a survey."""
    rows = db.session.execute(
        select(ResponseFlag.kind, func.count(func.distinct(ResponseFlag.response_id)))
        .join(Response, Response.id == ResponseFlag.response_id)
        .where(Response.survey_id == survey_id)
        .group_by(ResponseFlag.kind)
    ).all()
    return dict(rows)

"""Browsing responses, showing one with its answers, and excluding or re-including it."""

from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..definitions.store import definition_of
from ..extensions import db
from ..i18n import text_in
from ..models import Answer
from ..models import Response
from ..models import ResponseFlag
from ..models import bump_data_version

PAGE_SIZE = 50
MAX_REASON = 2000


class ReasonRequired(ValueError):
    """An exclusion or re-inclusion needs a written reason."""


def filtered(survey_id, flt):
    """A ``select(Response)`` of the survey's responses matching ``flt``."""
    query = select(Response).where(Response.survey_id == survey_id)
    if flt.status:
        query = query.where(Response.status == flt.status)
    if flt.channel:
        query = query.where(Response.channel == flt.channel)
    if flt.submitted_from:
        query = query.where(Response.submitted_at >= flt.submitted_from)
    if flt.submitted_before:
        query = query.where(Response.submitted_at < flt.submitted_before)
    if flt.group is not None:
        query = query.where(
            exists().where(
                Answer.response_id == Response.id,
                Answer.question == flt.group.question,
                Answer.code == flt.group.code,
            )
        )
    if flt.flag == "none":
        query = query.where(~exists().where(ResponseFlag.response_id == Response.id))
    elif flt.flag == "any":
        query = query.where(exists().where(ResponseFlag.response_id == Response.id))
    elif flt.flag:
        query = query.where(
            exists().where(ResponseFlag.response_id == Response.id, ResponseFlag.kind == flt.flag)
        )
    return query


def count_of(query):
    """How many rows a ``select`` returns."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def matching_ids(survey_id, flt):
    """Ids of every response matching ``flt``, oldest first."""
    query = filtered(survey_id, flt).with_only_columns(Response.id).order_by(Response.id)
    return list(db.session.scalars(query))


def page_of(survey_id, flt, page):
    """``(responses, total, pages, page)`` for one page of the filtered list, newest first."""
    query = filtered(survey_id, flt)
    total = count_of(query)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.scalars(
        query.options(selectinload(Response.flags))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return rows, total, pages, page


def status_counts(survey_id):
    """``{status: count}`` of a survey's responses."""
    rows = db.session.execute(
        select(Response.status, func.count())
        .where(Response.survey_id == survey_id)
        .group_by(Response.status)
    ).all()
    return dict(rows)


def get_response(survey_id, response_id):
    """The survey's response with this id, or None."""
    response = db.session.get(Response, response_id)
    return response if response is not None and response.survey_id == survey_id else None


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired
    return reason[:MAX_REASON]


def set_status(response, status, reason):
    """Exclude (``excluded``) or re-include (``valid``) a response with a reason; audited."""
    reason = _clean_reason(reason)
    if status not in ("valid", "excluded"):
        raise ValueError(status)
    previous = response.status
    response.status = status
    response.status_reason = reason
    db.session.flush()
    bump_data_version(response.survey_id)
    action = "response.exclude" if status == "excluded" else "response.include"
    audit.record(
        action,
        survey_id=response.survey_id,
        response_id=response.id,
        reason=reason,
        previous=previous,
    )
    db.session.flush()
    return response


def flagged_valid_ids(survey_id, kind):
    """Ids of the survey's valid responses flagged ``kind``, in order."""
    return list(
        db.session.scalars(
            select(Response.id)
            .where(
                Response.survey_id == survey_id,
                Response.status == "valid",
                exists().where(ResponseFlag.response_id == Response.id, ResponseFlag.kind == kind),
            )
            .order_by(Response.id)
        )
    )


def exclude_flagged(survey_id, kind, reason):
    """Exclude every valid response of the survey flagged ``kind``; returns their ids (audited)."""
    reason = _clean_reason(reason)
    ids = flagged_valid_ids(survey_id, kind)
    for start in range(0, len(ids), 500):
        for response in db.session.scalars(
            select(Response).where(Response.id.in_(ids[start : start + 500]))
        ):
            response.status = "excluded"
            response.status_reason = reason
    if ids:
        db.session.flush()
        bump_data_version(survey_id)
    audit.record(
        "response.exclude",
        survey_id=survey_id,
        reason=reason,
        flag=kind,
        response_ids=ids,
        count=len(ids),
    )
    db.session.flush()
    return ids


def answer_rows(response, locale):
    """``[(question text, [(item label or None, shown value)])]`` in questionnaire order.

    Codes are shown with their labels from the definition the response answered; texts are
    returned as stored (templates escape them).
    """
    definition = definition_of(response.version)
    by_key = {}
    for answer in sorted(response.answers, key=lambda a: a.id or 0):
        by_key.setdefault(answer.question, []).append(answer)
    shown = []
    for question in definition.questions:
        entries = []
        for item_key in question.answer_keys:
            values = [_value(question, a, locale) for a in by_key.pop(item_key, [])]
            if not values:
                continue
            label = None
            if question.items:
                label = next(text_in(i.label, locale) for i in question.items if i.key == item_key)
            entries.append((label, "; ".join(values)))
        if entries:
            shown.append((text_in(question.text, locale), entries))
    # Answers to questions not in this version (should not happen) are still shown, unlabelled.
    for key, answers in by_key.items():
        shown.append((key, [(None, "; ".join(_raw(a) for a in answers))]))
    return shown


def _raw(answer):
    if answer.text is not None:
        return answer.text
    if answer.number is not None:
        return f"{answer.number:g}"
    return "" if answer.code is None else str(answer.code)


def _value(question, answer, locale):
    if answer.code is not None:
        choice = question.choice(answer.code)
        label = text_in(choice.label, locale) if choice is not None else "?"
        return f"{label} ({answer.code})"
    return _raw(answer)

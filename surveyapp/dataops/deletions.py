"""Deleting responses under the four-eyes rule: one admin requests, a different admin approves.

A request fixes the exact response ids when it is made (from ids typed in or from a filter), so
the approver sees precisely what will go. Nothing is deleted before approval; approval deletes
the responses with their answers and flags in the request's transaction.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Answer
from ..models import DeletionRequest
from ..models import Response
from ..models import ResponseFlag
from ..models import User
from ..models import bump_data_version
from ..models._types import utcnow
from .responses import MAX_REASON
from .responses import matching_ids

MAX_IDS = 100_000
_CHUNK = 500


class DeletionRefused(ValueError):
    """The request or decision cannot be made; ``str(exc)`` says why, for the user."""


def parse_ids(text):
    """Response ids from free text (``12, 13 40-45``); raises :class:`DeletionRefused` on junk."""
    ids = set()
    for part in re.split(r"[\s,;]+", (text or "").strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,12})(?:-(\d{1,12}))?", part)
        if match is None:
            raise DeletionRefused(_("Not a response id or range: %(value)s", value=part[:40]))
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low or high - low > MAX_IDS:
            raise DeletionRefused(_("Not a usable range: %(value)s", value=part[:40]))
        ids.update(range(low, high + 1))
        if len(ids) > MAX_IDS:
            raise DeletionRefused(_("Too many ids in one request."))
    return sorted(ids)


def existing_ids(survey_id, ids):
    """The ids among ``ids`` that are responses of this survey."""
    found = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.extend(
            db.session.scalars(
                select(Response.id).where(Response.survey_id == survey_id, Response.id.in_(chunk))
            )
        )
    return sorted(found)


def request_deletion(survey, user, reason, ids=None, flt=None):
    """Create a pending request for the given ids, or for what ``flt`` selects now (audited)."""
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise DeletionRefused(_("Please give the reason for deleting these responses."))
    if ids is not None:
        chosen = existing_ids(survey.id, ids)
        missing = len(ids) - len(chosen)
        if missing:
            raise DeletionRefused(
                _("%(count)d of the ids are not responses of this survey.", count=missing)
            )
    else:
        if flt is None or flt.is_empty:
            raise DeletionRefused(
                _("Give response ids or at least one filter (for example channel=test).")
            )
        chosen = matching_ids(survey.id, flt)
    if not chosen:
        raise DeletionRefused(_("No response matches: nothing to delete."))
    request = DeletionRequest(
        survey_id=survey.id,
        response_ids=chosen,
        reason=reason,
        status="pending",
        requested_by_id=user.id,
    )
    db.session.add(request)
    db.session.flush()
    detail = {"request_id": request.id, "count": len(chosen), "reason": reason}
    if flt is not None:
        detail["filter"] = flt.query_args()
    audit.record("deletion.request", survey_id=survey.id, response_ids=chosen, **detail)
    return request


def requests_of(survey_id):
    """The survey's deletion requests, pending first, then newest first."""
    return db.session.scalars(
        select(DeletionRequest)
        .where(DeletionRequest.survey_id == survey_id)
        .order_by((DeletionRequest.status == "pending").desc(), DeletionRequest.id.desc())
    ).all()


def get_request(survey_id, request_id):
    """The survey's deletion request with this id, or None."""
    found = db.session.get(DeletionRequest, request_id)
    return found if found is not None and found.survey_id == survey_id else None


def still_present(request):
    """How many of the request's responses still exist."""
    return len(existing_ids(request.survey_id, list(request.response_ids)))


def _decide(request, user, status, note=""):
    if request.status != "pending":
        raise DeletionRefused(_("This request has already been decided."))
    if request.requested_by_id == user.id:
        raise DeletionRefused(
            _("You made this request, so another administrator must approve or reject it.")
        )
    request.status = status
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_note = (note or "").strip()[:MAX_REASON] or None


def independent_approver(request, user):
    """True when ``user`` may approve ``request`` as its second pair of eyes.

    The approver must be someone other than the requester, an administrator since before the
    request was made, and not an account the requester created or gave its role: otherwise an
    admin could make a second account and approve their own request with it.
    """
    requester = request.requested_by_id
    return (
        user.id != requester
        and user.has_role("admin")
        and user.role_granted_at is not None
        and user.role_granted_at < request.requested_at
        and requester not in (user.created_by_id, user.role_granted_by_id)
    )


def approve(request, user, note=""):
    """Delete the requested responses with their answers and flags; returns how many went."""
    if request.requested_by_id != user.id and not independent_approver(request, user):
        raise DeletionRefused(
            _(
                "Your approval cannot count: an approval must come from an administrator who "
                "held the role before the request was made and whose account was not created "
                "or promoted by the administrator who made it."
            )
        )
    _decide(request, user, "approved", note)
    ids = list(request.response_ids)
    deleted = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        owned = select(Response.id).where(
            Response.survey_id == request.survey_id, Response.id.in_(chunk)
        )
        # Explicit deletes rather than relying on ON DELETE CASCADE being enabled on SQLite.
        db.session.execute(delete(Answer).where(Answer.response_id.in_(owned)))
        db.session.execute(delete(ResponseFlag).where(ResponseFlag.response_id.in_(owned)))
        deleted += db.session.execute(
            delete(Response)
            .where(Response.survey_id == request.survey_id, Response.id.in_(chunk))
            .execution_options(synchronize_session=False)
        ).rowcount
    if deleted:
        bump_data_version(request.survey_id)
    audit.record(
        "deletion.approve",
        survey_id=request.survey_id,
        request_id=request.id,
        count=deleted,
        response_ids=ids,
        reason=request.reason,
        note=request.decision_note or "",
    )
    db.session.flush()
    db.session.expire_all()
    return deleted


def reject(request, user, note=""):
    """Reject a pending request: nothing is deleted (audited)."""
    _decide(request, user, "rejected", note)
    audit.record(
        "deletion.reject",
        survey_id=request.survey_id,
        request_id=request.id,
        note=request.decision_note or "",
    )
    db.session.flush()


def usernames(ids):
    """``{user id: username}`` of the given user ids (None among them is ignored)."""
    wanted = set(ids) - {None}
    return {u.id: u.username for u in db.session.query(User).filter(User.id.in_(wanted))}

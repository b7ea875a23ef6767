"""The /api/v1 endpoints: surveys, results and indicator scores; JSON errors everywhere under /api."""

from functools import wraps

from flask import Blueprint
from flask import abort
from flask import g
from flask import jsonify
from flask import request
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..definitions.store import get_survey
from ..evaluation.services import for_survey
from ..extensions import csrf
from ..extensions import db
from ..i18n import text_in
from ..models import Response
from ..results.services import all_surveys
from ..results.services import full_results
from .openapi import document
from .tokens import user_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def api_error(status, message):
    """A JSON error body ``{"error": message, "status": code}`` (the shape of every /api error)."""
    response = jsonify(error=message, status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# By code too: the app's own 404 handler would otherwise win over a class-based one.
@bp.errorhandler(404)
@bp.errorhandler(HTTPException)
def _http_error(exc):
    return api_error(exc.code, exc.description)


def token_required(role="viewer"):
    """Decorator: a valid bearer token whose user has at least ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = user_for(request.headers.get("Authorization", ""))
            if user is None:
                db.session.rollback()
                return api_error(
                    401, "a valid bearer token is required (Authorization: Bearer <token>)"
                )
            if not user.has_role(role):
                db.session.commit()
                return api_error(403, f"this token's user needs the {role} role")
            g.api_user = user
            db.session.commit()  # records last_used_at
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _survey(key):
    """The survey with this key and a version, or a JSON 404."""
    survey = get_survey(key)
    if survey is None or survey.latest_version is None:
        abort(404, f"no survey with key {key!r}")
    return survey


def _summary(survey, counts):
    latest = survey.latest_version
    return {
        "key": survey.key,
        "status": survey.status,
        "title": text_in(latest.definition.get("title", {}), "zh") if latest else None,
        "title_en": text_in(latest.definition.get("title", {}), "en") if latest else None,
        "version": latest.number if latest else None,
        "valid_responses": int(counts.get(survey.id, 0)),
    }


def _counts(survey_id=None):
    """``{survey_id: valid responses}``, of every survey or only of ``survey_id``."""
    query = select(Response.survey_id, func.count()).where(Response.status == "valid")
    if survey_id is not None:
        query = query.where(Response.survey_id == survey_id)
    return dict(db.session.execute(query.group_by(Response.survey_id)).all())


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(document())


@bp.get("/surveys")
@token_required()
def surveys():
    """Every survey with its status, newest version and number of valid responses."""
    counts = _counts()
    return jsonify({"surveys": [_summary(s, counts) for s in all_surveys()]})


@bp.get("/surveys/<key>")
@token_required()
def survey(key):
    """One survey's summary."""
    found = _survey(key)
    return jsonify(_summary(found, _counts(found.id)))


@bp.get("/surveys/<key>/results")
@token_required()
def results(key):
    """The survey's results: the same object as ``flask survey analyze KEY --json``."""
    found = _survey(key)
    computed = full_results(found)
    return jsonify(computed.to_dict())


@bp.get("/surveys/<key>/indicators")
@token_required()
def indicators(key):
    """Benefit-indicator points with their interval ends, and the evaluations that use the survey."""
    found = _survey(key)
    computed = full_results(found)
    return jsonify(
        {
            "survey": found.key,
            "indicators": [i.to_dict() for i in computed.indicators],
            "evaluations": [
                {
                    "key": evaluation.key,
                    "title": evaluation.title,
                    "points": card.points,
                    "weight": card.weight,
                    "grade": card.grade,
                }
                for evaluation, card in for_survey(found.key)
            ],
            "provenance": computed.provenance,
        }
    )


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(rest):
    """Anything else under /api/v1 is a JSON 404."""
    return api_error(404, f"no such endpoint: /api/v1/{rest}")

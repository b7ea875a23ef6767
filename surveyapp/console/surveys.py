"""Survey services for the console: the overview, uploading definitions, opening and closing."""

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from .. import audit
from ..definitions import DefinitionError
from ..definitions import load_text
from ..definitions.store import save_definition
from ..extensions import db
from ..models import Response
from ..models import Survey


def survey_overview():
    """Every survey with its newest version and number of responses (one GROUP BY query)."""
    counts = dict(
        db.session.execute(
            select(Response.survey_id, func.count()).group_by(Response.survey_id)
        ).all()
    )
    surveys = db.session.scalars(select(Survey).order_by(Survey.key)).all()
    return [(s, s.latest_version, counts.get(s.id, 0)) for s in surveys]


def upload_definition(data, filename, user, survey=None):
    """Validate uploaded YAML bytes and store them as a new version (audited ``survey.load``).

    Returns ``(version, created)``. Raises :class:`DefinitionError` listing every problem; when
    ``survey`` is given the definition must carry that survey's key. Nothing is stored on error.
    """
    source = filename or "upload.yaml"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError(source, [_("the file is not UTF-8 text")]) from None
    definition = load_text(text, source)
    if survey is not None and definition.key != survey.key:
        raise DefinitionError(
            source,
            [
                _(
                    "the definition is for survey %(other)s, not %(key)s",
                    other=definition.key,
                    key=survey.key,
                )
            ],
        )
    version, created = save_definition(definition, source_name=f"upload:{source}", user_id=user.id)
    if created:
        audit.record(
            "survey.load",
            survey_id=version.survey_id,
            version=version.number,
            source=f"upload:{source}",
            sha256=version.sha256,
        )
    return version, created


class TransitionError(ValueError):
    """The survey cannot move to the requested status (closing a draft, say)."""


# (from, to) -> audit action. A draft is published once; an open survey closes; a closed one
# reopens. Nothing goes back to draft: responses may already point at its versions.
TRANSITIONS = {
    ("draft", "open"): "survey.publish",
    ("open", "closed"): "survey.close",
    ("closed", "open"): "survey.open",
}


def set_status(survey, status):
    """Publish, close or reopen a survey (audited ``survey.publish`` / ``.close`` / ``.open``).

    Returns False when the survey already has ``status``; raises :class:`TransitionError` for a
    move the lifecycle draft -> open -> closed (-> open) does not allow.
    """
    if survey.status == status:
        return False
    action = TRANSITIONS.get((survey.status, status))
    if action is None or survey.latest_version is None:
        raise TransitionError(
            _(
                "A survey cannot go from %(old)s to %(new)s.",
                old=survey.status,
                new=status,
            )
        )
    old = survey.status
    survey.status = status
    db.session.flush()
    audit.record(action, survey_id=survey.id, previous=old, version=survey.latest_version.number)
    return True

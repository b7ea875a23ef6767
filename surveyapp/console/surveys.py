"""Survey services for the console: the overview, uploading definitions (with the changes to a
live survey shown before they are stored), publishing, closing and reopening."""

import base64

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from .. import audit
from ..definitions import DefinitionError
from ..definitions import load_text
from ..definitions.diff import compare
from ..definitions.source import to_yaml
from ..definitions.store import definition_hash
from ..definitions.store import definition_of
from ..definitions.store import get_survey
from ..definitions.store import save_definition
from ..extensions import db
from ..models import Response
from ..models import Survey


def survey_overview():
    """Every survey with its newest version and number of responses (one GROUP BY query).

    Staff test answers (given in preview) are not counted."""
    counts = dict(
        db.session.execute(
            select(Response.survey_id, func.count())
            .where(Response.status != "test")
            .group_by(Response.survey_id)
        ).all()
    )
    surveys = db.session.scalars(select(Survey).order_by(Survey.key)).all()
    return [(s, s.latest_version, counts.get(s.id, 0)) for s in surveys]


def read_upload(data, filename):
    """``(definition, source name)`` of uploaded bytes: an XLSForm workbook (.xlsx) or YAML.

    An XLSForm's own version label is added to the source name. Raises
    :class:`DefinitionError` listing every problem.
    """
    source = filename or "upload.yaml"
    if source.lower().endswith((".xlsx", ".xls")) or data[:2] == b"PK":
        # pyxform takes most of a second to import: loaded when a workbook arrives, not at start.
        from ..definitions.xlsform_in import read_xlsform_with_version

        definition, label = read_xlsform_with_version(data, source)
        return definition, source + (f" (version {label})" if label else "")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError(source, [_("the file is not UTF-8 text")]) from None
    return load_text(text, source), source


def check_key(definition, survey, source):
    """Raise :class:`DefinitionError` unless ``definition`` is for ``survey`` (when given)."""
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


def pending_change(definition):
    """``(survey, live version, diff)`` when ``definition`` changes a published survey, else None.

    A new version of an open (or closed) survey is stored only after its author has seen what
    changes; drafts and new surveys are stored at once.
    """
    survey = get_survey(definition.key)
    if survey is None or survey.status == "draft" or survey.latest_version is None:
        return None
    live = survey.latest_version
    if live.sha256 == definition_hash(definition):
        return None
    return survey, live, compare(definition_of(live), definition)


def store_definition(definition, source, user, diff=None):
    """Store an uploaded definition as a new version (audited ``survey.load``).

    ``diff`` is the confirmed :class:`~surveyapp.definitions.diff.DefinitionDiff` from the live
    version; the audit entry names its changes that break comparability. Returns
    ``(version, created)``.
    """
    version, created = save_definition(definition, source_name=f"upload:{source}", user_id=user.id)
    if created:
        extra = {}
        if diff is not None:
            extra = {
                "changes": len(diff.changes),
                "breaking": [f"{c.kind}:{c.key}" for c in diff.breaking],
            }
        audit.record(
            "survey.load",
            survey_id=version.survey_id,
            version=version.number,
            source=f"upload:{source}",
            sha256=version.sha256,
            **extra,
        )
    return version, created


def upload_definition(data, filename, user, survey=None):
    """Validate an uploaded definition (YAML or XLSForm) and store it as a new version.

    Returns ``(version, created)``. Raises :class:`DefinitionError` listing every problem; when
    ``survey`` is given the definition must carry that survey's key. Nothing is stored on error.
    """
    definition, source = read_upload(data, filename or "upload.yaml")
    check_key(definition, survey, source)
    return store_definition(definition, source, user)


def encode_pending(definition):
    """The definition as a form field value (base64 of its YAML) for the confirmation step."""
    return base64.b64encode(to_yaml(definition).encode("utf-8")).decode("ascii")


def decode_pending(value, source):
    """The definition from :func:`encode_pending`'s value, validated again."""
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        raise DefinitionError(source, [_("the confirmation form was damaged")]) from None
    return load_text(text, source)


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

"""Storing definitions as survey versions, and reading them back."""

import hashlib
import json
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Survey
from ..models import SurveyVersion
from ..prepared import PreparedStatement
from .schema import SurveyDefinition


def definition_hash(definition):
    """SHA-256 of the canonical JSON of a definition: equal content, equal hash."""
    canonical = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def get_survey(key):
    """The survey with this key, or None."""
    return db.session.scalar(select(Survey).where(Survey.key == key))


class SurveyState(NamedTuple):
    """What the public pages need of a survey, read without loading ORM objects."""

    id: int
    key: str
    status: str
    requires_token: bool
    quota_enforced: bool


class VersionRef(NamedTuple):
    """A survey version by id and hash (enough for :func:`definition_of`)."""

    id: int
    survey_id: int
    number: int
    sha256: str


def _surveys_with_latest_version_query():
    other = aliased(SurveyVersion)
    newest = (
        select(func.max(other.number))
        .where(other.survey_id == Survey.id)
        .correlate(Survey)
        .scalar_subquery()
    )
    return (
        select(*_columns(Survey, SurveyState), *_columns(SurveyVersion, VersionRef))
        .select_from(Survey)
        .outerjoin(
            SurveyVersion,
            (SurveyVersion.survey_id == Survey.id) & (SurveyVersion.number == newest),
        )
    )


def _columns(model, record):
    return [getattr(model, name) for name in record._fields]


def _split(row):
    survey = SurveyState(*row[: len(SurveyState._fields)])
    version = row[len(SurveyState._fields) :]
    return survey, (VersionRef(*version) if version[0] is not None else None)


# Built once: every questionnaire request runs one, and building it costs more than running it.
_SURVEYS_WITH_LATEST_VERSION = _surveys_with_latest_version_query()
_SURVEY_AND_LATEST_VERSION = PreparedStatement(
    _SURVEYS_WITH_LATEST_VERSION.where(Survey.key == bindparam("key"))
)
_OPEN_SURVEYS_WITH_LATEST_VERSION = _SURVEYS_WITH_LATEST_VERSION.where(
    Survey.status == "open", SurveyVersion.id.is_not(None)
).order_by(Survey.key)


def survey_and_latest_version(key):
    """``(SurveyState, VersionRef)`` of a survey and its newest version, in one Core query.

    ``(None, None)`` for an unknown key, ``(survey, None)`` for a survey without versions. The
    public pages run this on every request, so it skips the ORM's identity map and loading and
    runs on the driver's cursor (:mod:`surveyapp.prepared`).
    """
    row = _SURVEY_AND_LATEST_VERSION.first(db.session.connection(), {"key": key})
    return _split(row) if row is not None else (None, None)


def open_surveys_with_latest_version():
    """``(SurveyState, VersionRef)`` of every open survey that has a version, by key."""
    return [
        _split(row) for row in db.session.connection().execute(_OPEN_SURVEYS_WITH_LATEST_VERSION)
    ]


def save_definition(definition, source_name="", user_id=None, status="draft"):
    """Store ``definition`` as a new version unless the newest version is identical.

    Returns ``(version, created)``. A survey is created on its first load with ``status``: a
    draft (not public until published) unless told otherwise.
    """
    survey = get_survey(definition.key)
    if survey is None:
        survey = Survey(key=definition.key, status=status)
        db.session.add(survey)
        db.session.flush()
    digest = definition_hash(definition)
    latest = survey.latest_version
    if latest is not None and latest.sha256 == digest:
        return latest, False
    version = SurveyVersion(
        survey=survey,
        number=(latest.number + 1) if latest else 1,
        sha256=digest,
        source_name=source_name,
        definition=definition.to_dict(),
        created_by_id=user_id,
    )
    db.session.add(version)
    db.session.flush()
    return version, True


_PARSED = {}


def definition_of(version):
    """The :class:`SurveyDefinition` of a stored version (cached: versions never change).

    ``version`` is a :class:`SurveyVersion` or a :class:`VersionRef`.
    """
    cache_key = (version.id, version.sha256)
    parsed = _PARSED.get(cache_key)
    if parsed is None:
        if isinstance(version, VersionRef):
            data = db.session.scalar(
                select(SurveyVersion.definition).where(SurveyVersion.id == version.id)
            )
        else:
            data = version.definition
        if len(_PARSED) > 256:
            _PARSED.clear()
        parsed = _PARSED[cache_key] = SurveyDefinition.from_dict(data)
    return parsed


def survey_of_version(version_id):
    """The id of the survey a version belongs to, or None for an unknown version."""
    return db.session.scalar(select(SurveyVersion.survey_id).where(SurveyVersion.id == version_id))

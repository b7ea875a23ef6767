"""Storing definitions as survey versions, and reading them back."""

import hashlib
import json

from sqlalchemy import select

from ..extensions import db
from ..models import Survey
from ..models import SurveyVersion
from .schema import SurveyDefinition


def definition_hash(definition):
    """SHA-256 of the canonical JSON of a definition: equal content, equal hash."""
    canonical = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def get_survey(key):
    """The survey with this key, or None."""
    return db.session.scalar(select(Survey).where(Survey.key == key))


def save_definition(definition, source_name="", user_id=None):
    """Store ``definition`` as a new version unless the newest version is identical.

    Returns ``(version, created)``. The survey is created (open) on its first load.
    """
    survey = get_survey(definition.key)
    if survey is None:
        survey = Survey(key=definition.key, status="open")
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
    """The :class:`SurveyDefinition` of a stored version (cached: versions never change)."""
    cache_key = (version.id, version.sha256)
    parsed = _PARSED.get(cache_key)
    if parsed is None:
        if len(_PARSED) > 256:
            _PARSED.clear()
        parsed = _PARSED[cache_key] = SurveyDefinition.from_dict(version.definition)
    return parsed

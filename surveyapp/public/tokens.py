"""The hidden one-time submission token (``_st``) of a questionnaire form.

It is signed with the application's secret and carries a random nonce (stored as
``Response.submission_token``, whose uniqueness makes submission idempotent), the survey version
the form was built from, the time the form was handed out and the channel of the link.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from ..models._types import utcnow

FIELD_NAME = "_st"
_SALT = "surveyapp.public.submission-token"


class InvalidToken(ValueError):
    """The token is missing, malformed or not signed by this application."""


@dataclass(frozen=True)
class SubmissionToken:
    """What a form's token says about the form."""

    nonce: str
    version_id: int
    started_at: datetime
    channel: str

    @classmethod
    def issue(cls, version_id, channel, started_at=None):
        """A token with a fresh nonce for a form of ``version_id``."""
        return cls(secrets.token_urlsafe(24), int(version_id), started_at or utcnow(), channel)

    def for_version(self, version_id):
        """A new token for another version, keeping start time and channel (a re-shown form)."""
        return SubmissionToken.issue(version_id, self.channel, self.started_at)

    def dumps(self):
        """The signed string placed in the hidden field."""
        payload = {
            "n": self.nonce,
            "v": self.version_id,
            "t": int(self.started_at.replace(tzinfo=UTC).timestamp()),
            "c": self.channel,
        }
        return _serializer().dumps(payload)

    @classmethod
    def loads(cls, value):
        """Verify and decode a token string, or raise :class:`InvalidToken`."""
        if not value or len(value) > 512:
            raise InvalidToken("missing or over-long token")
        try:
            data = _serializer().loads(value)
            return cls(
                nonce=str(data["n"])[:64],
                version_id=int(data["v"]),
                started_at=datetime.fromtimestamp(int(data["t"]), UTC).replace(tzinfo=None),
                channel=str(data["c"])[:32],
            )
        except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
            raise InvalidToken(str(exc)) from exc


def _serializer():
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _serializer_for(secret_key):
    return URLSafeSerializer(secret_key, salt=_SALT)

"""Fieldwork: form starts (for completion rates), invitation tokens and quotas."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from ..extensions import db
from ._types import BigId
from ._types import utcnow


class FormStart(db.Model):
    """A questionnaire handed out to a respondent (one per fresh form), for completion rates."""

    __tablename__ = "form_starts"
    __table_args__ = (
        Index("ix_form_starts_survey_id_started_at", "survey_id", "started_at"),
        Index("ix_form_starts_survey_client", "survey_id", "client_hash", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    channel: Mapped[str] = mapped_column(String(32), default="direct")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Keyed hash of the client (as on responses): a start counts once per client and window.
    client_hash: Mapped[str | None] = mapped_column(String(64))


class Invitation(db.Model):
    """A single-use token for a panel member; once used it cannot answer again."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class Quota(db.Model):
    """Target number of responses in one cell (a code of a demographic question)."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("survey_id", "question", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    question: Mapped[str] = mapped_column(String(64))
    code: Mapped[int]
    target: Mapped[int]


class SpentForm(db.Model):
    """A form turned away after it was filled in (a full quota cell): its token cannot be
    posted again, whatever answers it then carries."""

    __tablename__ = "spent_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    # The nonce of the form's one-time submission token.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    spent_at: Mapped[datetime] = mapped_column(default=utcnow)

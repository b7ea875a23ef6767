"""Responses, their answers (one row per answered code or value), quality flags, deletion requests."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from ..extensions import db
from ._types import BigId
from ._types import JsonData
from ._types import utcnow

RESPONSE_STATUSES = ("valid", "excluded")


class Response(db.Model):
    """One submitted questionnaire, tied to the exact definition version it answered."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_id_submitted_at", "survey_id", "submitted_at"),
        # The speeder median (count and ORDER BY duration) reads this index, not the table.
        Index("ix_responses_survey_status_duration", "survey_id", "status", "duration_seconds"),
        # The duplicate check of every submission (same client, same answers, recent).
        Index(
            "ix_responses_client_answers",
            "survey_id",
            "client_hash",
            "answers_hash",
            "submitted_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    # The one-time token of the form that was posted: a repeat post finds this row.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(32), default="direct")
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_seconds: Mapped[float | None]
    # Keyed hash of address and user agent; the raw address is never stored.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    # Hash of the answers, to spot the same answers sent again from one client.
    answers_hash: Mapped[str | None] = mapped_column(String(64))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    status: Mapped[str] = mapped_column(String(16), default="valid", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    flags: Mapped[list["ResponseFlag"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    version = relationship("SurveyVersion")


class Answer(db.Model):
    """One answered code or value.

    Choice-like questions (single, Likert, rating, demographics) store one row with ``code``;
    a Likert group stores one row per item under the item's key; a multiple choice stores one
    row per selected code; numbers use ``number`` and texts ``text``. ``survey_id`` is copied
    from the response so that counting by (question, code) is one indexed aggregation.
    """

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_survey_question_code", "survey_id", "question", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    question: Mapped[str] = mapped_column(String(64))
    code: Mapped[int | None]
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseFlag(db.Model):
    """An automatic data-quality warning on a response, with its reason."""

    __tablename__ = "response_flags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="flags")


class DeletionRequest(db.Model):
    """A request by one admin to delete responses; a different admin must approve it."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    response_ids: Mapped[list] = mapped_column(JsonData)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

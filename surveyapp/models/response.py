"""Responses, their answers (one row per answered code or value), quality flags, deletion requests."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
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
    # Not indexed: every query by version also names the survey (versions are never deleted).
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
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
    # Queries by status name the survey too: ix_responses_survey_status_duration serves them.
    status: Mapped[str] = mapped_column(String(16), default="valid")
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
    row per selected code; numbers use ``number`` and texts ``text``.

    ``demographic`` marks the answers to demographic questions, the ones quotas and fieldwork
    breakdowns count by (question, code). Only those rows are in that index (with ``survey_id``
    copied from the response, one indexed aggregation): indexing every answer put a response's
    twenty-odd rows on as many index pages, the largest part of each submission's write.
    Every writer says whether a row is demographic (the column has no default).
    """

    __tablename__ = "answers"
    __table_args__ = (
        Index(
            "ix_answers_demographic_cells",
            "survey_id",
            "question",
            "code",
            # The predicate as each dialect renders a true boolean column in a WHERE clause, so
            # queries filtering on Answer.demographic match it.
            sqlite_where=text("demographic = 1"),
            postgresql_where=text("demographic"),
        ),
        # A response's answers, covering what the results read: a submission's rows all go to
        # the end of it (response ids only grow), and loading answers needs no table lookups.
        Index("ix_answers_response_question", "response_id", "question", "code", "number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(BigId, ForeignKey("responses.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    question: Mapped[str] = mapped_column(String(64))
    code: Mapped[int | None]
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)
    demographic: Mapped[bool]

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
    # What the approving (or rejecting) admin wrote when deciding.
    decision_note: Mapped[str | None] = mapped_column(Text)

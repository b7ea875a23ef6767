"""Versioned analysis settings of a survey (margins, weighting method, CI method, scoring)."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from ..extensions import db
from ._types import JsonData
from ._types import utcnow


class AnalysisSettings(db.Model):
    """One saved version of a survey's analysis settings; the newest one is in force."""

    __tablename__ = "analysis_settings"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int]
    settings: Mapped[dict] = mapped_column(JsonData)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

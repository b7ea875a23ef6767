"""The append-only audit log of sensitive operations."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from ..extensions import db
from ._types import BigId
from ._types import JsonData
from ._types import utcnow


class AuditEntry(db.Model):
    """Who did what, when, to which survey or response, from which (hashed) client.

    Rows are only ever inserted (see :mod:`surveyapp.audit`); nothing in the application
    updates or deletes them.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    response_id: Mapped[int | None] = mapped_column(BigId)
    client_hash: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JsonData, default=dict)

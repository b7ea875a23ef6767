"""Surveys and their immutable definition versions."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from ..extensions import db
from ._types import JsonData
from ._types import utcnow

SURVEY_STATUSES = ("draft", "open", "closed")


class Survey(db.Model):
    """A questionnaire known by its short key (``nanyang-dcm``); its text lives in versions."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # A survey starts as a draft (not public); publishing opens it (console.surveys.set_status).
    status: Mapped[str] = mapped_column(String(16), default="draft")
    requires_token: Mapped[bool] = mapped_column(default=False)
    # When true, a respondent in a full quota cell is turned away politely.
    quota_enforced: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped (bump_data_version) in the transaction of every change to the survey's responses or
    # answers: the results cache compares it instead of aggregating the responses on each view.
    # A server default only, so that an insert needs not name it.
    data_version: Mapped[int] = mapped_column(server_default="0")

    versions: Mapped[list["SurveyVersion"]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )

    @property
    def latest_version(self):
        """The newest definition; new respondents always get this one."""
        return self.versions[-1] if self.versions else None

    @property
    def is_open(self):
        return self.status == "open"


def bump_data_version(survey_id):
    """Mark the survey's response data as changed, in the caller's transaction.

    Every writer of responses or answers (insert, status change, delete) calls this once per
    survey it changed. One ``UPDATE ... SET data_version = data_version + 1`` in SQL, so
    concurrent writers never lose a bump; it runs last in a writer's transaction, so the survey's
    row stays locked (PostgreSQL) only until that transaction commits.
    """
    db.session.execute(
        update(Survey)
        .where(Survey.id == survey_id)
        .values(data_version=Survey.data_version + 1)
        .execution_options(synchronize_session=False)
    )


def data_version(survey_id):
    """The survey's current data version, read from the database (not a loaded, maybe stale,
    :class:`Survey`): one primary-key lookup."""
    return db.session.scalar(select(Survey.data_version).where(Survey.id == survey_id)) or 0


class SurveyVersion(db.Model):
    """One loaded definition, never changed after loading; responses point at it."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    # The validated definition as plain data (see surveyapp.definitions.schema).
    # Deferred: requests find the version by id and hash and parse the definition once per process
    # (store.definition_of), so loading versions must not drag the JSON along each time.
    definition: Mapped[dict] = mapped_column(JsonData, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    survey: Mapped[Survey] = relationship(back_populates="versions")

"""Performance evaluations (绩效评价) and their versions: the indicator tree and the entered inputs."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from ..extensions import db
from ._types import JsonData
from ._types import utcnow


class Evaluation(db.Model):
    """One programme's evaluation for one year, known by its key (``programme-year``)."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    versions: Mapped[list["EvaluationVersion"]] = relationship(
        back_populates="evaluation", order_by="EvaluationVersion.number"
    )

    @property
    def latest_version(self):
        """The newest version (the one in force), or None."""
        return self.versions[-1] if self.versions else None


class EvaluationVersion(db.Model):
    """An immutable snapshot of an evaluation's document: tree, counts, manual points, texts."""

    __tablename__ = "evaluation_versions"
    __table_args__ = (UniqueConstraint("evaluation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    number: Mapped[int]
    document: Mapped[dict] = mapped_column(JsonData)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    evaluation: Mapped[Evaluation] = relationship(back_populates="versions")

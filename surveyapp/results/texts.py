"""Free-text answers for evaluators: a searchable, paginated list (never in public outputs)."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select

from ..extensions import db
from ..models import Answer
from ..models import Response

PAGE_SIZE = 50


@dataclass(frozen=True)
class TextPage:
    """One page of a question's text answers (newest first)."""

    question: str
    search: str
    page: int
    pages: int
    total: int
    answers: tuple  # ((response id, submitted at, text), ...)


def text_answers(survey, question, search="", page=1, size=PAGE_SIZE):
    """The ``page``-th page of valid responses' text answers to ``question`` containing ``search``."""
    conds = [
        Response.survey_id == survey.id,
        Response.status == "valid",
        Answer.question == question,
        Answer.text.is_not(None),
        Answer.text != "",
    ]
    search = (search or "").strip()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(Answer.text.like(f"%{escaped}%", escape="\\"))
    base = (
        select(Answer.response_id).join(Response, Response.id == Answer.response_id).where(*conds)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, int(page)), pages)
    rows = db.session.execute(
        select(Answer.response_id, Response.submitted_at, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(*conds)
        .order_by(Response.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return TextPage(question, search, page, pages, int(total), tuple(tuple(r) for r in rows))

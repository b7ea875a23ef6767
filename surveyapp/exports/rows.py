"""Streaming the responses of a survey as export rows, a chunk at a time (constant memory).

Responses are read by keyset pagination on the primary key (``id > last ORDER BY id LIMIT k``),
and each chunk's answers by one range query, so memory does not grow with the survey.
"""

from sqlalchemy import select

from ..extensions import db
from ..models import Answer as _AnswerModel
from ..models import Response as _ResponseModel
from ..models import SurveyVersion
from .timestamps import export_zone
from .timestamps import local_text

CHUNK = 5000

# Core tables: plain rows without ORM loading overhead on millions of answers.
Answer = _AnswerModel.__table__.c
Response = _ResponseModel.__table__.c


def iter_rows(
    survey,
    columns,
    weights,
    labels=False,
    chunk=CHUNK,
    session=None,
    zone=None,
    include_test=False,
    names=False,
):
    """Yield one list of values per response (every status), in ``columns`` order.

    ``weights`` maps response id to weight (valid responses only; others get None).
    With ``labels`` choice codes are replaced by their labels; else with ``names`` by the
    choice's name where it has one (``yes``; codes of choices without a name stay). Timestamps are ISO text in
    ``zone`` (default: :func:`.timestamps.export_zone`) with their offset. Test answers (staff
    previews, status ``test``) are left out unless ``include_test``.
    """
    zone = zone or export_zone()
    session = session or db.session
    # Read what is needed now: a streamed download runs the generator after the view committed.
    survey_id = survey.id
    numbers = dict(
        session.execute(
            select(SurveyVersion.id, SurveyVersion.number).where(
                SurveyVersion.survey_id == survey_id
            )
        ).all()
    )
    wanted = [Response.survey_id == survey_id]
    if not include_test:
        wanted.append(Response.status != "test")
    if labels:
        cells = {c.source: c.value_labels for c in columns if c.kind == "code"}
    elif names:
        cells = {c.source: c.names for c in columns if c.kind == "code" and c.names}
    else:
        cells = {}
    return _generate(session, wanted, numbers, columns, weights, cells, chunk, zone)


def _generate(session, wanted, numbers, columns, weights, cells, chunk, zone):
    """``cells`` maps a code column's source to what its codes are written as (labels or
    names); codes of other columns, and codes missing from the mapping, are written as is."""
    index = {c.name: i for i, c in enumerate(columns)}
    flags = {(c.source, c.code): index[c.name] for c in columns if c.kind == "flag"}
    flag_questions = {}
    for (source, _code), i in flags.items():
        flag_questions.setdefault(source, []).append(i)
    answer_cols = {c.source: index[c.name] for c in columns if c.kind in ("code", "number", "text")}
    kinds = {c.source: c.kind for c in columns if c.source}
    last = 0
    while True:
        head = (
            session.connection()
            .execute(
                select(
                    Response.id,
                    Response.status,
                    Response.status_reason,
                    Response.version_id,
                    Response.channel,
                    Response.language,
                    Response.submitted_at,
                    Response.duration_seconds,
                )
                .where(*wanted, Response.id > last)
                .order_by(Response.id)
                .limit(chunk)
            )
            .all()
        )
        if not head:
            return
        first, last = head[0][0], head[-1][0]
        rows = {}
        for rid, status, reason, vid, channel, language, submitted, duration in head:
            row = [None] * len(columns)
            row[0:9] = [
                rid,
                status,
                reason,
                numbers.get(vid),
                channel,
                language,
                local_text(submitted, zone) if submitted else None,
                duration,
                weights.get(rid) if status == "valid" else None,
            ]
            rows[rid] = row
        answers = (
            session.connection()
            .execute(
                select(Answer.response_id, Answer.question, Answer.code, Answer.number, Answer.text)
                # No survey_id condition: it would tempt the planner onto the (survey, question)
                # index and a scan per chunk; rows of other surveys in the range are skipped below.
                .where(Answer.response_id >= first, Answer.response_id <= last)
            )
            .all()
        )
        for rid, question, code, number, text in answers:
            row = rows.get(rid)
            if row is None:
                continue
            kind = kinds.get(question)
            if kind == "flag":
                for i in flag_questions[question]:
                    if row[i] is None:
                        row[i] = 0
                i = flags.get((question, code))
                if i is not None:
                    row[i] = 1
            elif kind == "code":
                written = cells.get(question)
                row[answer_cols[question]] = written.get(code, code) if written else code
            elif kind == "number":
                row[answer_cols[question]] = number
            elif kind == "text":
                row[answer_cols[question]] = text
        yield from rows.values()

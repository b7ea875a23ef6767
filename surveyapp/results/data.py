"""Loading responses for analysis: one DataFrame, one column per answer key, by a few queries."""

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..definitions.qtypes import question_type
from ..definitions.store import definition_of
from ..extensions import db
from ..models import Answer as _AnswerModel
from ..models import Response as _ResponseModel

PARTITION = 50_000

# Core tables: plain rows without ORM loading overhead on millions of answers.
Answer = _AnswerModel.__table__.c
Response = _ResponseModel.__table__.c


def analysis_columns(definition):
    """(single-code keys, multiple-choice questions, number keys) of a definition.

    Each question type says how its answers become columns (``QuestionType.column_kind``).
    """
    singles, multiples, numbers = [], [], []
    for q in definition.questions:
        kind = question_type(q.type).column_kind
        if kind == "code":
            singles.extend(q.answer_keys)
        elif kind == "flags":
            multiples.append(q)
        elif kind == "number":
            numbers.append(q.key)
    return singles, multiples, numbers


def load_frame(survey, statuses=("valid",), definition=None, where=None, only=None):
    """Responses of ``survey`` with the given statuses as a DataFrame.

    Columns: ``response_id, version_id, channel, submitted_at, status`` then one column per
    choice answer key (integer codes as float, NaN when unanswered), ``<key>_<code>`` 0/1
    columns per multiple-choice option (NaN when the question was not shown/answered), and
    number answers. ``where`` adds SQLAlchemy conditions on :class:`Response` (a wave);
    ``only`` limits the answer columns to these keys.
    """
    definition = definition or definition_of(survey.latest_version)
    singles, multiples, numbers = analysis_columns(definition)
    if only is not None:
        singles = [k for k in singles if k in only]
        multiples = [q for q in multiples if q.key in only]
        numbers = [k for k in numbers if k in only]
    conds = [Response.survey_id == survey.id, Response.status.in_(statuses), *(where or ())]
    head = (
        db.session.connection()
        .execute(
            select(
                Response.id,
                Response.version_id,
                Response.channel,
                Response.submitted_at,
                Response.status,
            )
            .where(*conds)
            .order_by(Response.id)
        )
        .all()
    )
    ids = np.fromiter((r[0] for r in head), dtype=np.int64, count=len(head))
    frame = pd.DataFrame(
        {
            "response_id": ids,
            "version_id": np.fromiter((r[1] for r in head), dtype=np.int64, count=len(head)),
            "channel": pd.Series([r[2] for r in head], dtype=object),
            "submitted_at": pd.to_datetime(pd.Series([r[3] for r in head], dtype=object)),
            "status": pd.Series([r[4] for r in head], dtype=object),
        }
    )
    keys = singles + [q.key for q in multiples] + numbers
    # yield_per on the statement (Connection.execution_options would change the shared connection).
    result = db.session.connection().execute(
        select(Answer.response_id, Answer.question, Answer.code, Answer.number)
        .join(_ResponseModel.__table__, Response.id == Answer.response_id)
        .where(Answer.question.in_(keys), *conds)
        .execution_options(yield_per=PARTITION)
    )
    # Partitions go straight into numpy arrays, so millions of row objects never coexist.
    index = {key: j for j, key in enumerate(keys)}
    parts = []
    for part in result.partitions():
        m = len(part)
        parts.append(
            (
                np.fromiter((r[0] for r in part), dtype=np.int64, count=m),
                np.fromiter((index[r[1]] for r in part), dtype=np.int16, count=m),
                np.fromiter(
                    (np.nan if r[2] is None else r[2] for r in part), dtype=np.float32, count=m
                ),
                np.fromiter(
                    (np.nan if r[3] is None else r[3] for r in part), dtype=np.float64, count=m
                ),
            )
        )
    if parts:
        rid, qcodes, code, number = (np.concatenate(arrays) for arrays in zip(*parts))
        pos = np.searchsorted(ids, rid)
        del rid, parts
    else:
        pos = qcodes = np.zeros(0, dtype=np.int64)
        code = number = np.zeros(0)
    columns = {}
    for j, key in enumerate(keys):
        sel = qcodes == j
        if key in numbers:
            col = np.full(len(ids), np.nan)
            col[pos[sel]] = number[sel]
            columns[key] = col
        elif key in singles:
            col = np.full(len(ids), np.nan)
            col[pos[sel]] = code[sel]
            columns[key] = col
        else:
            question_def = next(q for q in multiples if q.key == key)
            answered = np.zeros(len(ids), dtype=bool)
            answered[pos[sel]] = True
            for choice in question_def.choices:
                col = np.where(answered, 0.0, np.nan)
                col[pos[sel & (code == choice.code)]] = 1.0
                columns[f"{key}_{choice.code}"] = col
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)

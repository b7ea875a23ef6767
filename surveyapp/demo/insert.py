"""Writing drawn demo responses: bulk inserts on SQLite, COPY on PostgreSQL."""

from datetime import datetime
from datetime import timedelta
from itertools import repeat

import numpy as np
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from ..definitions.qtypes import question_type
from ..definitions.store import definition_of
from ..extensions import db
from ..models import Response
from ..models import bump_data_version
from ..public.services import ANSWER_COLUMNS
from ..results import settings as settings_service
from .draw import SAMPLE_TEXTS
from .draw import draw_answers

CHANNELS = ("wechat", "poster", "hotline-interview", "direct")
CHANNEL_P = (0.45, 0.25, 0.15, 0.15)
CHUNK = 20_000
RESPONSE_FIELDS = (
    "survey_id",
    "version_id",
    "submission_token",
    "channel",
    "language",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "status",
    "status_reason",
)


def insert_demo_responses(survey, n, seed, start=None, days=28):
    """Insert ``n`` synthetic responses to the survey's newest version; returns how many."""
    version = survey.latest_version
    definition = definition_of(version)
    _number, settings = settings_service.current(survey)
    rng = np.random.default_rng(seed)
    columns = draw_answers(definition, n, rng, settings["margins"])
    start = start or datetime(2026, 10, 8, 1, 0, 0)
    conn = db.session.connection()
    run = db.session.scalar(select(func.count()).select_from(Response)) or 0
    prefix = f"demo-{seed}-{run}-"
    _insert_responses(conn, survey, version, n, rng, start, days, prefix)
    found = conn.execute(
        select(Response.id, Response.submission_token).where(
            Response.survey_id == survey.id, Response.submission_token.like(f"{prefix}%")
        )
    ).all()
    ids = np.zeros(n, dtype=np.int64)
    for rid, token in found:
        ids[int(token[len(prefix) :])] = rid
    rows = _answer_rows(definition, columns, ids, survey.id)
    if conn.dialect.name == "postgresql":
        _copy(conn, "answers", ANSWER_COLUMNS, rows)
    else:
        sql = (
            f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in ANSWER_COLUMNS)})"
        )
        # The DB-API cursor of the session's own connection (same transaction): tuples straight
        # into sqlite3, several times faster than Core's executemany of dicts for millions of rows.
        conn.connection.driver_connection.executemany(sql, rows)
    bump_data_version(survey.id)
    return n


def _insert_responses(conn, survey, version, n, rng, start, days, prefix):
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_P)
    duration = np.exp(rng.normal(np.log(230), 0.45, n))
    # A few speeders, marked excluded as a data-quality review would.
    speeding = rng.random(n) < 0.015
    duration = np.where(speeding, rng.uniform(20, 45, n), duration)
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    submitted = [start + timedelta(seconds=s) for s in offsets.tolist()]
    rows = (
        {
            "survey_id": survey.id,
            "version_id": version.id,
            "submission_token": f"{prefix}{i}",
            "channel": CHANNELS[c],
            "language": "zh_CN",
            "started_at": sub - timedelta(seconds=d),
            "submitted_at": sub,
            "duration_seconds": round(d, 1),
            "status": "excluded" if ex else "valid",
            "status_reason": "作答时间过短（演示数据） / implausibly fast (demo data)"
            if ex
            else None,
        }
        for i, (c, sub, d, ex) in enumerate(
            zip(channel.tolist(), submitted, duration.tolist(), speeding.tolist())
        )
    )
    if conn.dialect.name == "postgresql":
        _copy(conn, "responses", RESPONSE_FIELDS, rows)
    else:
        for batch in _chunks(rows, CHUNK):
            conn.execute(insert(Response), batch)


def _answer_rows(definition, columns, ids, survey_id):
    """Tuples in ``ANSWER_COLUMNS`` order, key by key, built from whole columns."""
    for q in definition.questions:
        qtype = question_type(q.type)
        flag = q.key in definition.demographic_keys
        for key in q.answer_keys:
            column = columns[key]
            if qtype.column_kind == "flags":
                rows, which = np.nonzero(column.ticks)
                values = np.asarray(column.codes)[which].tolist()
                rids = ids[rows].tolist()
            else:
                rids = ids[column.answered].tolist()
                values = column.number[column.answered]
            if qtype.column_kind in ("code", "flags"):
                codes = np.asarray(values, dtype=np.int64).tolist()
                yield from zip(rids, repeat(survey_id), repeat(key), codes, *_none(2), repeat(flag))
            elif qtype.column_kind == "number":
                yield from zip(
                    rids,
                    repeat(survey_id),
                    repeat(key),
                    *_none(1),
                    values.tolist(),
                    *_none(1),
                    repeat(flag),
                )
            else:
                limit = q.max_length or qtype.default_max_length
                texts = [
                    SAMPLE_TEXTS[i][:limit].strip() for i in column.text[column.answered].tolist()
                ]
                yield from zip(rids, repeat(survey_id), repeat(key), *_none(2), texts, repeat(flag))


def _none(k):
    return [repeat(None) for _ in range(k)]


def _chunks(iterable, size):
    batch = []
    for row in iterable:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy(conn, table, fields, rows):
    """PostgreSQL: stream rows through COPY in the session's transaction (executemany of ~2M
    answer rows takes minutes there; COPY takes seconds). Rows are dicts or tuples in order."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(f) for f in fields] if isinstance(row, dict) else row)

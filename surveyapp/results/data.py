"""Loading responses for analysis: one DataFrame, one column per answer key, read in columns.

The answers are read as Arrow columns by connectorx (SQLite files and PostgreSQL, on a connection
of its own, so committed data only) and pivoted with numpy, in slices of responses so that memory
stays bounded: no Python loop ever touches a row. Two slices are read at a time, one per core
(connectorx runs a list of queries in parallel).

connectorx links a copy of SQLite of its own. In the process that holds the app's sqlite3
connections, closing its connection would take the database for the last one and delete the WAL
under them (https://www.sqlite.org/howtocorrupt.html, "multiple copies of SQLite linked into the
same application"): later commits lost or a "disk I/O error". SQLite files are therefore read by
connectorx in a helper process (:func:`_sqlite_reader`), where file locks keep the two apart.
"""

import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import literal
from sqlalchemy import select

from ..definitions.qtypes import question_type
from ..definitions.store import definition_of
from ..extensions import db
from ..models import Answer as _AnswerModel
from ..models import Response as _ResponseModel

# Responses whose answers are read by one query; PARALLEL such queries are read at once, by as
# many threads, and pivoted together (SLICE * PARALLEL responses at a time bound the memory).
SLICE = 50_000
PARALLEL = 2

# Core tables: the statements are built with SQLAlchemy and run by the columnar reader.
Answer = _AnswerModel.__table__.c
Response = _ResponseModel.__table__.c


def text_column(key):
    """Name of the column that is 1 where a response gave a non-empty answer to text ``key``."""
    return f"__text__{key}"


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


def load_frame(survey, statuses=("valid",), definition=None, where=None, only=None, texts=False):
    """Responses of ``survey`` with the given statuses as a DataFrame.

    Columns: ``response_id, version_id, channel, submitted_at, status`` then one column per
    choice answer key (integer codes as float, NaN when unanswered), ``<key>_<code>`` 0/1
    columns per multiple-choice option (NaN when the question was not shown/answered), and
    number answers. ``where`` adds SQLAlchemy conditions on :class:`Response` (a wave);
    ``only`` limits the answer columns to these keys. ``texts`` adds a :func:`text_column` per
    text question (1 where the answer is a non-empty text, else NaN): the text answers are
    counted from the same read as the rest.
    """
    definition = definition or definition_of(survey.latest_version)
    singles, multiples, numbers = analysis_columns(definition)
    text_keys = [q.key for q in definition.questions if question_type(q.type).column_kind == "text"]
    if not texts:
        text_keys = []
    if only is not None:
        singles = [k for k in singles if k in only]
        multiples = [q for q in multiples if q.key in only]
        numbers = [k for k in numbers if k in only]
    conds = [Response.survey_id == survey.id, Response.status.in_(statuses), *(where or ())]
    head = _read(
        select(
            Response.id.label("response_id"),
            Response.version_id,
            Response.channel,
            Response.submitted_at,
            Response.status,
        )
        .where(*conds)
        # Not for the order (sorted by id below): this order makes SQLite read the rows along
        # ix_responses_survey_id_submitted_at, nearly in table order, where its choice of the
        # status index looked every row up in the order of the durations (several times slower).
        .order_by(Response.submitted_at)
    )
    head = head.take(np.argsort(_ints(head["response_id"]), kind="stable"))
    ids = _ints(head["response_id"])
    keys = singles + [q.key for q in multiples] + numbers + text_keys
    names = singles + [f"{q.key}_{c.code}" for q in multiples for c in q.choices] + numbers
    names += [text_column(k) for k in text_keys]
    # One float matrix in the output's column order; every answer lands in it by one scatter.
    matrix = np.full((len(ids), len(names)), np.nan)
    column_of = np.array(
        [
            names.index(k)
            if k in singles or k in numbers
            else names.index(text_column(k))
            if k in text_keys
            else -1
            for k in keys
        ]
        # Other keys (index -1) go nowhere.
        + [-1],
        dtype=np.int64,
    )
    flat = matrix.reshape(-1)  # the same memory, addressed by row * columns + column
    ticks = _TickColumns(multiples, keys, names)
    # 1 for a non-empty text. A text answer's row has neither code nor number (its question
    # type's rows), so only such rows are looked up in the table for their text; the others are
    # read from the index alone. The key is checked below.
    texted = case(
        (
            and_(
                Answer.code.is_(None),
                Answer.number.is_(None),
                Answer.text.is_not(None),
                Answer.text != "",
            ),
            literal(1),
        ),
        else_=literal(0),
    ).label("texted")
    is_text = np.array([k in text_keys for k in keys] + [False], dtype=bool)
    step = SLICE * PARALLEL
    for start in range(0, len(ids) if keys else 0, step):
        stop = min(start + step, len(ids))
        parts = [ids[at : at + SLICE] for at in range(start, stop, SLICE)]
        # Ranges of the (response_id, question, code, number) index, no filter on the key:
        # SQLite reads that fastest; other keys and responses are dropped below.
        rows = _read(
            [
                select(
                    Answer.response_id,
                    Answer.question,
                    Answer.code,
                    Answer.number,
                    *([texted] if text_keys else []),
                ).where(Answer.response_id.between(int(part[0]), int(part[-1])))
                for part in parts
            ]
        )
        # Another survey's or status's responses may share the id range: their rows get -1.
        pos = _positions(ids, start, stop, _ints(rows["response_id"]))
        q = _key_index(rows["question"], keys)
        code = _floats(rows["code"])
        value = np.where(np.isnan(code), _floats(rows["number"]), code)
        if text_keys:
            # A text key's value is 1 for a non-empty text; an empty one stays missing.
            value[(_floats(rows["texted"]) == 1) & is_text[q]] = 1.0
        del rows
        mine = pos >= 0
        column = column_of[q]
        plain = mine & (column >= 0)
        flat[pos[plain] * len(names) + column[plain]] = value[plain]
        tick = mine & (q >= 0) & (column < 0)
        ticks.scatter(matrix, pos[tick], q[tick], code[tick])
    # The matrix becomes the frame's float block as it is (no copy); the head goes in front.
    frame = pd.DataFrame(matrix, columns=names, copy=False)
    del matrix
    head_columns = {
        "response_id": ids,
        "version_id": _ints(head["version_id"]),
        "channel": pd.Series(head["channel"].to_numpy(zero_copy_only=False), dtype=object),
        "submitted_at": pd.to_datetime(head["submitted_at"].to_pandas()).astype("datetime64[us]"),
        "status": pd.Series(head["status"].to_numpy(zero_copy_only=False), dtype=object),
    }
    for at, (name, values) in enumerate(head_columns.items()):
        frame.insert(at, name, values)
    return frame


class _TickColumns:
    """Where multiple-choice answers go: 0 in every option column of an answered question, then 1
    in the ticked option's column (``<key>_<code>``)."""

    def __init__(self, multiples, keys, names):
        self.options = {
            keys.index(q.key): np.array([names.index(f"{q.key}_{c.code}") for c in q.choices])
            for q in multiples
        }
        pairs = sorted(
            (keys.index(q.key), c.code, names.index(f"{q.key}_{c.code}"))
            for q in multiples
            for c in q.choices
        )
        self.pairs = np.array([(j, code) for j, code, _col in pairs], dtype=np.float64)
        self.columns = np.array([col for _j, _code, col in pairs], dtype=np.int64)

    def scatter(self, matrix, pos, q, code):
        """Write the answers (``pos`` rows, ``q`` key indices, ``code``) of multiple choices."""
        answered = np.zeros(len(matrix), dtype=bool)
        for j, columns in self.options.items():
            answered[:] = False
            answered[pos[q == j]] = True
            matrix[np.ix_(np.flatnonzero(answered), columns)] = 0.0
        if not len(pos):
            return
        # Rank each (key index, code) among the known options; a code not offered is left out.
        found = np.zeros(len(pos), dtype=bool)
        at = np.zeros(len(pos), dtype=np.int64)
        for k, (j, option) in enumerate(self.pairs):
            hit = (q == j) & (code == option)
            found |= hit
            at[hit] = k
        matrix[pos[found], self.columns[at[found]]] = 1.0


def _positions(ids, start, stop, rid):
    """The row of each ``rid`` among ``ids[start:stop]`` (sorted), -1 where it is not there.

    ``rid`` lies within ``ids[start]..ids[stop - 1]``: a table over that range when it is not
    much wider than the responses in it, else a binary search.
    """
    low, high = int(ids[start]), int(ids[stop - 1])
    if high - low < 8 * (stop - start):
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[ids[start:stop] - low] = np.arange(start, stop)
        return table[rid - low]
    pos = np.searchsorted(ids, rid).clip(max=len(ids) - 1)
    return np.where(ids[pos] == rid, pos, -1)


def _key_index(column, keys):
    """Each answer's key as its position in ``keys`` (-1 for other keys), by its dictionary."""
    if len(column) == 0:
        return np.zeros(0, dtype=np.int64)
    encoded = pc.dictionary_encode(column).combine_chunks()
    position = {key: j for j, key in enumerate(keys)}
    lookup = np.array(
        [position.get(key, -1) for key in encoded.dictionary.to_pylist()], dtype=np.int64
    )
    return lookup[encoded.indices.to_numpy(zero_copy_only=False)]


def _ints(column):
    return column.to_numpy().astype(np.int64, copy=False)


def _floats(column):
    """A nullable Arrow column as float64 with NaN for NULL."""
    return column.cast(pa.float64()).to_numpy(zero_copy_only=False)


def _read(statement):
    """Run a SELECT (or a list of SELECTs with the same columns, concatenated in any order) and
    return its result as a :class:`pyarrow.Table` (one column per label).

    connectorx reads SQLite files and PostgreSQL straight into Arrow, a list of queries in
    parallel; anything else (an in-memory SQLite database) is read by pandas on the session's
    connection.
    """
    engine = db.engine
    statements = statement if isinstance(statement, list) else [statement]
    sqls = [
        str(s.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        for s in statements
    ]
    uri = _connectorx_uri(engine.url)
    if uri is None:
        frame = pd.concat([pd.read_sql(sql, db.session.connection()) for sql in sqls])
        return pa.Table.from_pandas(frame, preserve_index=False)
    import connectorx  # loading its SQLite is harmless; opening a connection here is not

    query = sqls if len(sqls) > 1 else sqls[0]
    if uri.startswith("sqlite://"):
        # connectorx's own function, so that the helper imports connectorx only (not the app).
        job = _sqlite_reader().submit(connectorx.read_sql, uri, query, return_type="arrow")
        table = job.result()
    else:
        table = connectorx.read_sql(uri, query, return_type="arrow")
    if table.num_rows == 0:
        # connectorx cannot type the columns of an empty result; give them all a numeric type.
        return pa.table({name: pa.array([], pa.float64()) for name in table.column_names})
    return table


_READER = {}


def _sqlite_reader():
    """This process's helper process for reading SQLite files with connectorx (made once).

    Spawned, not forked: the child holds no copy of the parent's connections or threads.
    """
    pid = os.getpid()
    if pid not in _READER:
        _READER.clear()  # a forked child (a gunicorn worker) makes its own
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(pool.shutdown, wait=False, cancel_futures=True)
        _READER[pid] = pool
    return _READER[pid]


def _connectorx_uri(url):
    """The connectorx address of the engine's database, or None where it cannot read it."""
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return "sqlite://" + str(Path(url.database).resolve())
    return None

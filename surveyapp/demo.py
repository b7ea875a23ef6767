"""``flask survey demo-data``: realistic synthetic responses for trying the analysis.

Each respondent gets a latent satisfaction (normal, shifted by district and awareness); the
satisfaction items, the overall rating, perceived improvement and willingness are noisy ordered
cuts of it, so the items correlate as real ones do. Awareness depends on age group. Relevance
rules of the default questionnaire are respected (no ``heard_via`` unless aware, no
``report_channel`` unless reported). Everything is drawn with numpy from one seed and written by
bulk inserts, so 100,000 responses take seconds, not minutes.
"""

from datetime import datetime
from datetime import timedelta

import click
import numpy as np
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from . import audit
from .cli import survey_cli
from .definitions.store import definition_of
from .definitions.store import get_survey
from .extensions import db
from .models import Answer
from .models import Response
from .public.services import ANSWER_COLUMNS

CHANNELS = ("wechat", "poster", "hotline-interview", "direct")
CHANNEL_P = (0.45, 0.25, 0.15, 0.15)
DISTRICT_P = (0.36, 0.32, 0.18, 0.14)
# Online samples over-represent the young and under-represent the old: weighting has work to do.
AGE_P = (0.30, 0.34, 0.24, 0.12)
GENDER_P = (0.46, 0.54)
DISTRICT_EFFECT = np.array([0.15, 0.0, 0.35, -0.35])
AGE_AWARENESS = np.array([0.25, 0.35, 0.0, -0.6])
ITEM_SHIFT = {
    "sat_appearance": 0.35,
    "sat_sanitation": 0.30,
    "sat_roads": 0.05,
    "sat_parking": -0.45,
    "sat_speed": -0.10,
    "sat_quality": -0.05,
    "sat_hotline": 0.10,
}
# Items about handling reports are often "not used" by people who do not know the programme.
SERVICE_ITEMS = ("sat_speed", "sat_quality", "sat_hotline")
SUGGESTIONS = (
    "希望加强背街小巷的环境卫生管理。",
    "停车位太少，乱停车现象比较严重。",
    "建议多宣传12319热线。",
    "处理速度还可以更快一些。",
    "More public bins near bus stops, please.",
)
CHUNK = 20_000


def _cut(latent, thresholds):
    """Ordered codes 1..k+1 from a latent value and k ascending thresholds."""
    return 1 + np.searchsorted(np.asarray(thresholds), latent)


def generate(n, seed, start, days):
    """Draw ``n`` synthetic respondents; returns a dict of numpy arrays (one per column)."""
    rng = np.random.default_rng(seed)
    district = rng.choice(4, n, p=DISTRICT_P) + 1
    age = rng.choice(4, n, p=AGE_P) + 1
    gender = rng.choice(2, n, p=GENDER_P) + 1
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_P)

    # Awareness: 1 (knows well) .. 4 (not at all); higher latent = better known.
    known = AGE_AWARENESS[age - 1] + 0.1 * DISTRICT_EFFECT[district - 1] + rng.logistic(0, 0.8, n)
    awareness = 5 - _cut(known, [-0.45, 0.9, 1.95])
    aware = awareness <= 3

    latent = DISTRICT_EFFECT[district - 1] + 0.25 * (3 - awareness) / 2 + rng.normal(0, 1, n)
    cols = {"district": district, "age_group": age, "gender": gender, "awareness": awareness}
    for key, shift in ITEM_SHIFT.items():
        code = _cut(0.85 * latent + shift + rng.normal(0, 0.6, n), [-1.9, -1.1, -0.2, 0.9])
        p_dk = np.where(aware, 0.08, 0.35) if key in SERVICE_ITEMS else np.full(n, 0.03)
        cols[key] = np.where(rng.random(n) < p_dk, 9, code)
    overall = _cut(0.9 * latent + 0.2 + rng.normal(0, 0.5, n), [-1.9, -1.1, -0.25, 0.95])
    cols["sat_overall"] = np.where(rng.random(n) < 0.02, 9, overall)
    improved = _cut(0.6 * latent + 0.45 + rng.normal(0, 0.7, n), [-1.8, -1.0, -0.1, 1.0])
    cols["env_improved"] = np.where(rng.random(n) < 0.06, 9, improved)
    cols["willing_report"] = _cut(0.4 * latent + rng.normal(0, 0.9, n), [-1.6, -0.8, 0.0, 0.9])
    cols["recommend"] = np.clip(np.rint(6 + 1.8 * latent + rng.normal(0, 1.5, n)), 0, 10).astype(
        int
    )
    cols["years_lived"] = np.minimum(np.rint(rng.gamma(2.0, 9.0, n)), 80)

    heard = (rng.random((n, 5)) < [0.45, 0.30, 0.40, 0.35, 0.04]) & aware[:, None]
    none = aware & ~heard.any(axis=1)
    heard[none, rng.integers(0, 4, int(none.sum()))] = True
    cols["heard_via"] = heard
    reported = np.where(aware, np.where(rng.random(n) < 0.12 + 0.10 * (awareness <= 2), 1, 2), 0)
    cols["reported"] = reported
    rchan = (rng.random((n, 5)) < [0.5, 0.35, 0.2, 0.15, 0.03]) & (reported == 1)[:, None]
    none = (reported == 1) & ~rchan.any(axis=1)
    rchan[none, 0] = True
    cols["report_channel"] = rchan
    cols["suggestion"] = np.where(rng.random(n) < 0.06, rng.integers(0, len(SUGGESTIONS), n), -1)

    duration = np.exp(rng.normal(np.log(230), 0.45, n))
    # A few speeders, marked excluded as a data-quality review would.
    speeding = rng.random(n) < 0.015
    duration = np.where(speeding, rng.uniform(20, 45, n), duration)
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    cols.update(channel=channel, duration=duration, offset=offsets, excluded=speeding)
    cols["start"] = start
    return cols


def _code_rows(cols, ids, survey_id, demographic):
    """Yield coded answer dicts for every respondent (column by column, vectorised selection).

    ``demographic`` holds the keys of the definition's demographic questions.
    """

    def coded(key, rids, codes):
        cell = key in demographic
        for rid, code in zip(rids.tolist(), codes.tolist()):
            yield {
                "response_id": rid,
                "survey_id": survey_id,
                "question": key,
                "code": code,
                "demographic": cell,
            }

    for key in (
        "district",
        "awareness",
        "age_group",
        "gender",
        "sat_overall",
        "env_improved",
        "willing_report",
        "recommend",
        *ITEM_SHIFT,
    ):
        yield from coded(key, ids, cols[key])
    reported = cols["reported"]
    mask = reported > 0
    yield from coded("reported", ids[mask], reported[mask])
    for key in ("heard_via", "report_channel"):
        rows, choice = np.nonzero(cols[key])
        yield from coded(key, ids[rows], choice + 1)


def _value_rows(cols, ids, survey_id):
    """Yield number and text answer dicts (same keys in every dict, as executemany wants)."""
    other = np.nonzero(cols["heard_via"][:, 4])[0]
    for rid in ids[other].tolist():
        yield {
            "response_id": rid,
            "survey_id": survey_id,
            "question": "heard_via_other",
            "code": None,
            "number": None,
            "text": "朋友圈",
            "demographic": False,
        }
    for rid, years in zip(ids.tolist(), cols["years_lived"].tolist()):
        yield {
            "response_id": rid,
            "survey_id": survey_id,
            "question": "years_lived",
            "code": None,
            "number": years,
            "text": None,
            "demographic": False,
        }
    sug = cols["suggestion"]
    for rid, idx in zip(ids[sug >= 0].tolist(), sug[sug >= 0].tolist()):
        yield {
            "response_id": rid,
            "survey_id": survey_id,
            "question": "suggestion",
            "code": None,
            "number": None,
            "text": SUGGESTIONS[idx],
            "demographic": False,
        }


def _chunks(iterable, size):
    batch = []
    for row in iterable:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_demo_responses(survey, n, seed, start=None, days=28):
    """Insert ``n`` synthetic responses to the survey's newest version; returns how many."""
    version = survey.latest_version
    needed = {
        "district",
        "age_group",
        "gender",
        "awareness",
        "heard_via",
        "reported",
        "report_channel",
        "sat_overall",
        "env_improved",
        "willing_report",
        "recommend",
        "years_lived",
        *ITEM_SHIFT,
    }
    missing = needed - set(definition_of(version).answer_keys)
    if missing:
        raise ValueError(
            f"demo data fit the default questionnaire; {survey.key} lacks {', '.join(sorted(missing))}"
        )
    start = start or datetime(2026, 10, 8, 1, 0, 0)
    cols = generate(n, seed, start, days)
    run = db.session.scalar(select(func.count()).select_from(Response)) or 0
    prefix = f"demo-{seed}-{run}-"
    conn = db.session.connection()
    submitted = [start + timedelta(seconds=float(s)) for s in cols["offset"]]
    rows = (
        {
            "survey_id": survey.id,
            "version_id": version.id,
            "submission_token": f"{prefix}{i}",
            "channel": CHANNELS[c],
            "language": "zh_CN",
            "started_at": sub - timedelta(seconds=float(d)),
            "submitted_at": sub,
            "duration_seconds": round(float(d), 1),
            "status": "excluded" if ex else "valid",
            "status_reason": "作答时间过短（演示数据） / implausibly fast (demo data)"
            if ex
            else None,
        }
        for i, (c, sub, d, ex) in enumerate(
            zip(cols["channel"].tolist(), submitted, cols["duration"], cols["excluded"].tolist())
        )
    )
    if conn.dialect.name == "postgresql":
        _copy(conn, "responses", RESPONSE_FIELDS, rows)
    else:
        for batch in _chunks(rows, CHUNK):
            conn.execute(insert(Response), batch)
    found = conn.execute(
        select(Response.id, Response.submission_token).where(
            Response.survey_id == survey.id, Response.submission_token.like(f"{prefix}%")
        )
    ).all()
    ids = np.zeros(n, dtype=np.int64)
    for rid, token in found:
        ids[int(token[len(prefix) :])] = rid
    demographic = definition_of(version).demographic_keys
    answers = (
        _code_rows(cols, ids, survey.id, demographic),
        _value_rows(cols, ids, survey.id),
    )
    if conn.dialect.name == "postgresql":
        _copy(conn, "answers", ANSWER_COLUMNS, (row for rows in answers for row in rows))
    else:
        for rows in answers:
            for batch in _chunks(rows, CHUNK * 5):
                conn.execute(insert(Answer), batch)
    return n


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


def _copy(conn, table, fields, rows):
    """PostgreSQL: stream rows through COPY in the session's transaction (executemany of ~2M
    answer rows takes minutes there; COPY takes seconds)."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(f) for f in fields])


@survey_cli.command("demo-data")
@click.argument("key")
@click.option("--n", "n", type=click.IntRange(1, 5_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=28,
    show_default=True,
    help="Length of the simulated fieldwork period.",
)
@with_appcontext
def demo_data_command(key, n, seed, days):
    """Add N synthetic responses to survey KEY (reproducible with --seed)."""
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    try:
        insert_demo_responses(survey, n, seed, days=days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record("demo.data", survey_id=survey.id, n=n, seed=seed, username="cli")
    db.session.commit()
    click.echo(f"{key}: added {n} synthetic responses (seed {seed})")

"""Fieldwork figures for a survey's dashboard: GROUP BY queries, responses are never loaded."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import select

from ..dataops.quality import median_duration
from ..extensions import db
from ..models import FormStart
from ..models import Response

# A dashboard shows at most this many days of the daily series (the most recent ones).
MAX_DAYS = 62
# Staff test answers (given in preview) are counted apart and left out of every figure.
TEST_STATUS = "test"
NOT_TEST = Response.status != TEST_STATUS


@dataclass
class Dashboard:
    """What the dashboard shows; counts include excluded responses unless named ``valid``."""

    submitted: int
    valid: int
    excluded: int
    starts: int
    median_seconds: float | None
    per_day: list = field(default_factory=list)
    test: int = 0
    per_channel: list = field(default_factory=list)

    @property
    def completion_rate(self):
        """Submitted responses per questionnaire handed out (at most 1), or None before any."""
        return completion(self.submitted, self.starts)

    @property
    def starts_undercounted(self):
        """True when fewer forms were counted as handed out than were submitted (see README)."""
        return self.submitted > self.starts or any(n > s for _ch, s, n in self.per_channel)

    @staticmethod
    def completion(submitted, starts):
        """:func:`completion`, for the per-channel rows of the template."""
        return completion(submitted, starts)


def completion(submitted, starts):
    """``submitted / starts`` capped at 1, or None when nothing was handed out.

    Submissions can outnumber counted starts: responses that never opened a form here (demo
    data, a restore), respondents sharing one device and address inside the window in which a
    start counts once, or forms opened before starts were counted. A rate above 100% would only
    mislead, so it is capped and the dashboard says why.
    """
    return min(1.0, submitted / starts) if starts else None


def build(survey):
    """All figures of one survey's dashboard."""
    by_status = dict(
        db.session.execute(
            select(Response.status, func.count())
            .where(Response.survey_id == survey.id)
            .group_by(Response.status)
        ).all()
    )
    starts = db.session.scalar(
        select(func.count()).select_from(FormStart).where(FormStart.survey_id == survey.id)
    )
    test = by_status.pop(TEST_STATUS, 0)
    return Dashboard(
        submitted=sum(by_status.values()),
        valid=by_status.get("valid", 0),
        excluded=sum(n for status, n in by_status.items() if status != "valid"),
        test=test,
        starts=starts or 0,
        median_seconds=median_duration(survey.id)[0],
        per_day=responses_per_day(survey.id),
        per_channel=responses_per_channel(survey.id),
    )


def _utc_offset():
    # The evaluation's "day" is the local one; the configured zone has no DST in China.
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return datetime.now(zone).utcoffset() or timedelta(0)


def _local_day(column):
    offset = _utc_offset()
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return cast(column + offset, Date)


def responses_per_day(survey_id):
    """``[(date, count)]`` for each local day from the first to the last response (gaps as 0)."""
    day = _local_day(Response.submitted_at).label("day")
    rows = db.session.execute(
        select(day, func.count())
        .where(Response.survey_id == survey_id, NOT_TEST)
        .group_by(day)
        .order_by(day)
    ).all()
    counts = {d if isinstance(d, date) else date.fromisoformat(str(d)): n for d, n in rows}
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - timedelta(days=MAX_DAYS - 1))
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]


def responses_per_channel(survey_id):
    """``[(channel, forms handed out, responses submitted)]``, busiest channel first."""
    submitted = dict(
        db.session.execute(
            select(Response.channel, func.count())
            .where(Response.survey_id == survey_id, NOT_TEST)
            .group_by(Response.channel)
        ).all()
    )
    started = dict(
        db.session.execute(
            select(FormStart.channel, func.count())
            .where(FormStart.survey_id == survey_id)
            .group_by(FormStart.channel)
        ).all()
    )
    channels = set(submitted) | set(started)
    rows = [(ch, started.get(ch, 0), submitted.get(ch, 0)) for ch in channels]
    return sorted(rows, key=lambda r: (-r[2], -r[1], r[0]))

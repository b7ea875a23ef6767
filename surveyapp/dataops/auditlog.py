"""Browsing and exporting the audit log (read-only: nothing here changes an entry)."""

import csv
import io
import json
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry
from ..models import Survey
from ..spreadsheet import csv_row

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
COLUMNS = (
    "id",
    "at",
    "username",
    "user_id",
    "action",
    "survey",
    "survey_id",
    "response_id",
    "client_hash",
    "detail",
)


@dataclass
class AuditFilter:
    """What the admin asked to see."""

    action: str | None = None
    user: str | None = None
    survey: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    errors: list = field(default_factory=list)

    def query_args(self):
        """The filter as query-string arguments."""
        values = {
            "action": self.action,
            "user": self.user,
            "survey": self.survey,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in values.items() if v}


def parse_filter(args):
    """An :class:`AuditFilter` from request args; bad dates are dropped and explained."""
    found = AuditFilter()
    found.action = (args.get("action") or "").strip()[:64] or None
    found.user = (args.get("user") or "").strip()[:64] or None
    found.survey = (args.get("survey") or "").strip()[:64] or None
    for name in ("date_from", "date_to"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                setattr(found, name, date.fromisoformat(value))
            except ValueError:
                found.errors.append(_("Dates look like 2026-11-27."))
    return found


def filtered(flt):
    """A ``select(AuditEntry)`` matching ``flt``."""
    query = select(AuditEntry)
    if flt.action:
        # "response" finds response.exclude and response.include
        query = query.where(
            (AuditEntry.action == flt.action)
            | AuditEntry.action.startswith(flt.action.rstrip(".") + ".")
        )
    if flt.user:
        query = query.where(AuditEntry.username == flt.user)
    if flt.survey:
        query = query.where(
            AuditEntry.survey_id
            == select(Survey.id).where(Survey.key == flt.survey).scalar_subquery()
        )
    if flt.date_from:
        query = query.where(AuditEntry.at >= datetime.combine(flt.date_from, time.min))
    if flt.date_to:
        query = query.where(
            AuditEntry.at < datetime.combine(flt.date_to + timedelta(days=1), time.min)
        )
    return query


def page_of(flt, page):
    """``(entries, total, pages, page)``, newest first."""
    query = filtered(flt)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = db.session.scalars(
        query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return entries, total, pages, page


def choices():
    """Distinct actions and usernames present in the log (for the filter's pick lists)."""
    actions = db.session.scalars(
        select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    users = db.session.scalars(
        select(AuditEntry.username)
        .distinct()
        .where(AuditEntry.username.is_not(None))
        .order_by(AuditEntry.username)
    ).all()
    return actions, users


def survey_keys():
    """``{survey id: key}``."""
    return dict(db.session.execute(select(Survey.id, Survey.key)).all())


def _entries(flt):
    # Keyset pagination keeps memory flat however long the log is.
    keys = survey_keys()
    last = 0
    while True:
        chunk = db.session.scalars(
            filtered(flt).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(EXPORT_CHUNK)
        ).all()
        if not chunk:
            return
        for entry in chunk:
            yield _as_dict(entry, keys)
        last = chunk[-1].id
        db.session.expunge_all()


def _as_dict(entry, keys):
    return {
        "id": entry.id,
        "at": entry.at.replace(tzinfo=UTC).isoformat(),  # stored as naive UTC: say so
        "username": entry.username,
        "user_id": entry.user_id,
        "action": entry.action,
        "survey": keys.get(entry.survey_id),
        "survey_id": entry.survey_id,
        "response_id": entry.response_id,
        "client_hash": entry.client_hash,
        "detail": entry.detail or {},
    }


def export_csv(flt):
    """The matching entries as CSV text chunks (UTF-8 with a BOM so spreadsheets read Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for row in _entries(flt):
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        writer.writerow(csv_row(row[c] for c in COLUMNS))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_jsonl(flt):
    """The matching entries as JSON lines, one object per entry."""
    for row in _entries(flt):
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"

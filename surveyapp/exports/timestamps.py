"""Timestamps in exports: stored as naive UTC, written in the survey's time zone.

Text formats (CSV, JSON, XLSX) carry the offset in every value (``2026-11-27 18:03:11+08:00``);
SPSS and Stata cannot hold an offset, so they get the local time as a real date-time and the
column label (the codebook) names the zone.
"""

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def export_zone():
    """The time zone exports are written in: the one the console shows (Asia/Shanghai)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def local_text(value, zone):
    """A naive-UTC timestamp as ISO text in ``zone`` with its offset, to the second."""
    return value.replace(tzinfo=UTC).astimezone(zone).isoformat(sep=" ", timespec="seconds")


def local_naive(text):
    """ISO text with an offset (:func:`local_text`) as the naive local date-time it shows."""
    return datetime.fromisoformat(text).replace(tzinfo=None)


def zoned_label(label, zone):
    """A timestamp column's label naming the zone its values are in."""
    return f"{label} ({zone.key})"

"""Reading the response filter from a query string, with a clear message for each bad value."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext as _

from ..channels import is_channel
from ..models.response import RESPONSE_STATUSES
from .quality import KINDS

# The demographic question the district filter reads (the default survey's weighting variable).
DISTRICT_QUESTION = "district"
FLAG_CHOICES = KINDS + ("any", "none")


@dataclass
class ResponseFilter:
    """What the evaluator asked to see; empty fields do not filter."""

    status: str | None = None
    flag: str | None = None
    district: int | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    errors: list = field(default_factory=list)

    @property
    def submitted_from(self):
        """Naive UTC start of ``date_from``."""
        return datetime.combine(self.date_from, time.min) if self.date_from else None

    @property
    def submitted_before(self):
        """Naive UTC start of the day after ``date_to`` (the range includes ``date_to``)."""
        return (
            datetime.combine(self.date_to + timedelta(days=1), time.min) if self.date_to else None
        )

    def query_args(self):
        """The filter as query-string arguments (for pagination links and deletion requests)."""
        values = {
            "status": self.status,
            "flag": self.flag,
            "district": self.district,
            "channel": self.channel,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def is_empty(self):
        return not self.query_args()


def _date(value, label, errors):
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(_("%(field)s must be a date like 2026-11-27.", field=label))
        return None


def parse_filter(args):
    """A :class:`ResponseFilter` from request args; invalid values are dropped and explained."""
    errors = []
    found = ResponseFilter(errors=errors)
    status = (args.get("status") or "").strip()
    if status:
        if status in RESPONSE_STATUSES:
            found.status = status
        else:
            errors.append(_("Unknown status: %(value)s.", value=status[:40]))
    flag = (args.get("flag") or "").strip()
    if flag:
        if flag in FLAG_CHOICES:
            found.flag = flag
        else:
            errors.append(_("Unknown flag: %(value)s.", value=flag[:40]))
    district = (args.get("district") or "").strip()
    if district:
        if district.isdigit() and len(district) < 6:
            found.district = int(district)
        else:
            errors.append(_("The district must be a code number."))
    channel = (args.get("channel") or "").strip().lower()
    if channel:
        if is_channel(channel):
            found.channel = channel
        else:
            errors.append(_("A channel is 1-32 letters, digits or hyphens."))
    for name, label in (("date_from", _("From")), ("date_to", _("To"))):
        value = (args.get(name) or "").strip()
        if value:
            setattr(found, name, _date(value, label, errors))
    if found.date_from and found.date_to and found.date_from > found.date_to:
        errors.append(_("The start date is after the end date."))
        found.date_from = found.date_to = None
    return found

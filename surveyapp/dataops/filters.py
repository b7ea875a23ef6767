"""Reading the response filter from a query string, with a clear message for each bad value."""

import re
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

FLAG_CHOICES = KINDS + ("any", "none")
# The query-string fields of a filter, as pagination links and deletion requests carry them.
FIELDS = ("status", "flag", "group", "channel", "date_from", "date_to")


@dataclass(frozen=True)
class Group:
    """Respondents who gave ``code`` to the demographic question ``question``."""

    question: str
    code: int

    @property
    def arg(self):
        """The query-string value, ``question:code``."""
        return f"{self.question}:{self.code}"


@dataclass
class ResponseFilter:
    """What the evaluator asked to see; empty fields do not filter."""

    status: str | None = None
    flag: str | None = None
    group: Group | None = None
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
            "group": self.group.arg if self.group else None,
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


def _group(value, definition, errors):
    """The :class:`Group` a ``question:code`` value names in ``definition``, or None (explained)."""
    key, sep, code = value.partition(":")
    key, code = key.strip(), code.strip()
    if not sep or not key or not code:
        errors.append(_("A group is written question:code."))
        return None
    question = definition.question(key) if definition is not None else None
    if question is None:
        errors.append(_("Unknown question: %(value)s.", value=key[:40]))
        return None
    if question.key != key or key not in definition.demographic_keys:
        errors.append(_("%(value)s is not a demographic question.", value=key[:40]))
        return None
    if not re.fullmatch(r"-?\d{1,9}", code) or question.choice(int(code)) is None:
        errors.append(
            _("Unknown code of question %(question)s: %(value)s.", question=key, value=code[:40])
        )
        return None
    return Group(key, int(code))


def parse_filter(args, definition, others=()):
    """A :class:`ResponseFilter` from request args; invalid values are dropped and explained.

    ``definition`` is the survey's newest definition (None before it has one): the group must
    be a code of one of its demographic questions. Arguments neither in :data:`FIELDS` nor in
    ``others`` are refused (a link or form from before a filter was renamed must not widen it).
    """
    errors = []
    found = ResponseFilter(errors=errors)
    for name in args:
        if name not in FIELDS and name not in others:
            errors.append(_("Unknown filter: %(name)s.", name=name[:40]))
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
    group = (args.get("group") or "").strip()
    if group:
        found.group = _group(group, definition, errors)
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

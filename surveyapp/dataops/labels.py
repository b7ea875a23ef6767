"""Translated names for flag kinds and deletion request states, for templates."""

import json

from flask_babel import lazy_gettext as _l

from . import reasons

FLAG_LABELS = {
    "speeder": _l("Speeder"),
    "straightlining": _l("Straight-lining"),
    "duplicate": _l("Probable duplicate"),
    "token_reuse": _l("Token reuse"),
}
DECISION_LABELS = {"pending": _l("Pending"), "approved": _l("Approved"), "rejected": _l("Rejected")}


def flag_label(kind):
    """The translated name of a flag kind."""
    return FLAG_LABELS.get(kind, kind)


def decision_label(status):
    """The translated name of a deletion request state."""
    return DECISION_LABELS.get(status, status)


def audit_detail(detail):
    """An audit entry's detail as JSON text (Chinese kept readable; the template escapes it)."""
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)


def inject():
    """Template context of the dataops pages."""
    return {
        "flag_label": flag_label,
        "flag_reason": reasons.translated,
        "decision_label": decision_label,
    }

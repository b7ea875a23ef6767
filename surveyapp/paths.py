"""Where the top-level ``static/`` and ``migrations/`` folders are, in a checkout or an install."""

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
_INSTALLED = Path(sys.prefix) / "share" / "surveyapp"


def _first_existing(name):
    for base in (_CHECKOUT, _INSTALLED):
        candidate = base / name
        if candidate.is_dir():
            return str(candidate)
    return str(_CHECKOUT / name)


def static_folder():
    """The folder holding CSS, images and scripts."""
    return _first_existing("static")


def migrations_folder():
    """The Alembic environment managed by Flask-Migrate."""
    return _first_existing("migrations")

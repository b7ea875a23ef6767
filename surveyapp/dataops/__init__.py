"""Data operations under ``/console``: response quality flags, exclusion, four-eyes deletion, audit log."""

from .blueprint import bp

__all__ = ["bp"]

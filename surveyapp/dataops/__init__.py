"""Data operations under ``/console``: quality flags, exclusion, four-eyes deletion, audit log."""

from .blueprint import bp

__all__ = ["bp"]

"""The evaluators' console under ``/console``: surveys, fieldwork, distribution, users."""

from .blueprint import bp

__all__ = ["bp"]

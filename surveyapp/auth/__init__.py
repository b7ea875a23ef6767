"""Console accounts: login and logout, the users service and the ``flask users`` commands."""

from .blueprint import bp

__all__ = ["bp"]

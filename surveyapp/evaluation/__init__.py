"""Performance evaluations (绩效评价): the three-level indicator system, its scores and report."""

from .blueprint import bp

__all__ = ["bp"]

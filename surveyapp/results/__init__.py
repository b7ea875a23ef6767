"""Results: estimates with intervals, indicator points, score tables, charts, reports and exports."""

from .blueprint import bp

__all__ = ["bp"]

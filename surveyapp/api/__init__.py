"""Read-only JSON API under /api/v1 for machine clients (bearer tokens), with an OpenAPI document."""

from .blueprint import bp

__all__ = ["bp"]

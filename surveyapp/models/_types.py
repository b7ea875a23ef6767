"""Column helpers shared by the models."""

from datetime import UTC
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Integer
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

# BIGINT on PostgreSQL; INTEGER (the rowid alias, so it autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# JSONB on PostgreSQL, JSON text elsewhere.
JsonData = (
    JSON().with_variant(postgresql.JSONB(), "postgresql").with_variant(sqlite.JSON(), "sqlite")
)


def utcnow():
    """Now in UTC, without tzinfo: every timestamp column holds naive UTC on every database."""
    return datetime.now(UTC).replace(tzinfo=None)

"""``flask backup PATH`` and ``flask restore PATH``: a consistent snapshot of the whole database.

Format (``FORMAT_VERSION`` 1): a gzip file of JSON lines. The first line is a header
``{"format": "surveyapp-backup", "format_version", "app_version", "created_at", "tables":
{name: {"columns": [...], "rows": n, "sha256": hex}}}``; every other line is one row,
``{"t": table, "r": [values in column order]}``, tables in foreign-key order, rows by primary key.
A table's ``sha256`` is taken over its row lines (UTF-8, each followed by a newline). Timestamps
are ISO strings of naive UTC.

The backup reads everything in ONE transaction while the application keeps serving: on
PostgreSQL a read-only REPEATABLE READ transaction, on SQLite a single read transaction (WAL lets
readers and writers proceed together). Rows are streamed into a temporary gzip member and the
header member is written in front of it afterwards (gzip readers read concatenated members as one
stream), so memory stays flat however large the database.

The header carries ``signature``: an HMAC-SHA256 of the rest of the header (canonical JSON) under a
key derived from ``SECRET_KEY``. Since the header holds every table's hash, it authenticates the
whole file: restore refuses a backup whose signature does not verify (edited by hand, or made by an
installation with another secret key) before reading any row. The header line is read with a
bound (``MAX_HEADER_BYTES``), and so is every row line (``MAX_LINE_BYTES``), so a small file that
decompresses into one enormous line is refused instead of filling memory. Backups are written
0600, through a ``.part`` file opened with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (never through a
symbolic link someone left there) and renamed into place.

Restore refuses a database with rows in any table and a file whose hashes or counts do not match,
then inserts in foreign-key order in batches, all in one transaction, and on PostgreSQL moves each
id sequence past the largest restored id.
"""

import gzip
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import zlib
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from . import __version__
from . import audit
from .extensions import db
from .models._types import utcnow

FORMAT = "surveyapp-backup"
FORMAT_VERSION = 1
BATCH = 1000
# A header is a few KB (one entry per table); a row line a few KB (a definition version the most).
MAX_HEADER_BYTES = 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
SIGNATURE = "signature"


class BackupError(click.ClickException):
    """A backup or restore that cannot go ahead, with the reason for the operator."""


def tables():
    """Every application table in foreign-key order (parents first)."""
    return list(db.metadata.sorted_tables)


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _line(table_name, row):
    return json.dumps(
        {"t": table_name, "r": [_encode(v) for v in row]},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def _reader_engine(engine):
    """The engine the snapshot is read through.

    On SQLite the application's engine opens every transaction with ``BEGIN IMMEDIATE`` (the
    write lock), which would stop the app's writers for the whole backup. The backup reads through
    an engine of its own whose transactions are plain deferred ``BEGIN``: under WAL that is a read
    snapshot taken at the first SELECT, held without blocking anybody.
    """
    if engine.dialect.name != "sqlite":
        return engine
    reader = create_engine(engine.url, poolclass=NullPool)
    busy_ms = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))

    @event.listens_for(reader, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions begin below, not in the driver
        dbapi_connection.execute(f"PRAGMA busy_timeout = {busy_ms}")

    @event.listens_for(reader, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")

    return reader


def _snapshot_connection(engine):
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    connection.begin()
    return connection


def _signing_key():
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hashlib.sha256(b"surveyapp-backup-signature:" + secret).digest()


def sign(header):
    """The HMAC-SHA256 (hex) of ``header`` without its signature, under the backup key."""
    unsigned = {k: v for k, v in header.items() if k != SIGNATURE}
    canonical = json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(_signing_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _create_private(path):
    """Open a new file for writing, mode 0600, never through a symbolic link or over a file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        return os.fdopen(os.open(path, flags, 0o600), "wb")
    except FileExistsError:
        raise BackupError(
            f"{path} already exists (left by an interrupted backup, or placed there by someone "
            "else); check it, remove it and try again."
        ) from None


def write_backup(path):
    """Write the snapshot to ``path``; returns the header (with per-table counts and hashes)."""
    engine = db.engine
    reader = _reader_engine(engine)
    header_tables = {}
    directory = os.path.dirname(os.path.abspath(path)) or "."
    with tempfile.NamedTemporaryFile(
        dir=directory, prefix=".backup-", suffix=".part", delete=False
    ) as body:
        body_path = body.name
    try:
        connection = _snapshot_connection(reader)
        try:
            with gzip.open(body_path, "wt", encoding="utf-8", newline="\n") as out:
                for table in tables():
                    digest, count = hashlib.sha256(), 0
                    query = select(table).order_by(*table.primary_key.columns)
                    result = connection.execution_options(yield_per=BATCH).execute(query)
                    for row in result:
                        line = _line(table.name, row) + "\n"
                        digest.update(line.encode("utf-8"))
                        out.write(line)
                        count += 1
                    header_tables[table.name] = {
                        "columns": [c.name for c in table.columns],
                        "rows": count,
                        "sha256": digest.hexdigest(),
                    }
        finally:
            connection.rollback()
            connection.close()
            if reader is not engine:
                reader.dispose()
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "created_at": utcnow().isoformat(),
            "database": engine.dialect.name,
            "tables": header_tables,
        }
        header[SIGNATURE] = sign(header)
        part = path + ".part"
        with _create_private(part) as final:
            with gzip.GzipFile(fileobj=final, mode="wb") as head:
                head.write(
                    (json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
                )
            with open(body_path, "rb") as rows:
                shutil.copyfileobj(rows, final)
        os.replace(part, path)
    finally:
        if os.path.exists(body_path):
            os.remove(body_path)
    return header


def _bounded_line(handle, limit, path, what):
    line = handle.readline(limit + 1)
    if len(line) > limit:
        raise BackupError(
            f"{path}: {what} is longer than {limit // 1024} KB, which no backup of this "
            "application has; the file is damaged or was made to exhaust memory. Nothing was "
            "restored."
        )
    return line


def _lines(path):
    """``(header, iterator of raw row lines)``; raises BackupError on an unreadable, unsigned or
    tampered file (the signature is checked before any row is read)."""
    handle = gzip.open(path, "rt", encoding="utf-8", newline="\n")
    try:
        header = json.loads(_bounded_line(handle, MAX_HEADER_BYTES, path, "the header line"))
    except BackupError:
        handle.close()
        raise
    except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError) as exc:
        handle.close()
        raise BackupError(f"{path} is not a readable backup ({exc}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        handle.close()
        raise BackupError(f"{path} is not a surveyapp backup.")
    if header.get("format_version") != FORMAT_VERSION:
        handle.close()
        raise BackupError(
            f"backup format version {header.get('format_version')} is not supported "
            f"(this version reads {FORMAT_VERSION})."
        )
    signature = header.get(SIGNATURE)
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(header)):
        handle.close()
        raise BackupError(
            f"{path}: the backup's signature does not verify: the file was changed after it was "
            "written, or it was made by an installation with another SECRET_KEY (restore with "
            "the SECRET_KEY it was made with). Nothing was restored."
        )

    def rows():
        with handle:
            try:
                while line := _bounded_line(handle, MAX_LINE_BYTES, path, "a row line"):
                    yield line
            except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
                raise BackupError(f"{path} is damaged ({exc}).") from None

    return header, rows()


def verify_backup(path):
    """Check the header's counts and hashes against the file; returns the header."""
    header, lines = _lines(path)
    digests, counts = {}, {}
    for line in lines:
        try:
            name = json.loads(line)["t"]
        except (ValueError, KeyError, TypeError):
            raise BackupError(f"{path} holds a line that is not a backup row.") from None
        digests.setdefault(name, hashlib.sha256()).update(line.encode("utf-8"))
        counts[name] = counts.get(name, 0) + 1
    expected = header.get("tables") or {}
    known = {t.name for t in tables()}
    for name, info in expected.items():
        if name not in known:
            raise BackupError(f"the backup holds table {name!r}, which this version does not have.")
        got = digests[name].hexdigest() if name in digests else hashlib.sha256().hexdigest()
        if counts.get(name, 0) != info.get("rows") or got != info.get("sha256"):
            raise BackupError(
                f"table {name}: the rows do not match the backup's checksum; the file is "
                "corrupt or was changed. Nothing was restored."
            )
    extra = set(counts) - set(expected)
    if extra:
        raise BackupError(
            f"the backup holds rows of undeclared tables: {', '.join(sorted(extra))}."
        )
    return header


def _non_empty_tables(connection):
    try:
        counts = {t.name: connection.scalar(select(func.count()).select_from(t)) for t in tables()}
    except SQLAlchemyError as exc:
        raise BackupError(
            "the database is not migrated (run `flask --app surveyapp db upgrade` first): "
            f"{getattr(exc, 'orig', exc)}"
        ) from None
    return [name for name, count in counts.items() if count]


def _converters(table, columns):
    by_name = {c.name: c for c in table.columns}
    out = []
    for name in columns:
        column = by_name.get(name)
        if column is None:
            raise BackupError(
                f"table {table.name}: column {name!r} does not exist in this database."
            )
        out.append(datetime.fromisoformat if isinstance(column.type, DateTime) else None)
    return out


def restore_backup(path):
    """Load a verified backup into an empty migrated database; returns ``{table: rows}``."""
    header = verify_backup(path)
    engine = db.engine
    by_name = {t.name: t for t in tables()}
    with engine.begin() as connection:
        busy = _non_empty_tables(connection)
        if busy:
            raise BackupError(
                "restore needs an empty, migrated database, but these tables have rows: "
                + ", ".join(busy)
                + ". Nothing was restored."
            )
        columns = {name: info["columns"] for name, info in header["tables"].items()}
        converters = {name: _converters(by_name[name], cols) for name, cols in columns.items()}
        _, lines = _lines(path)
        batch, current = [], None
        for line in lines:
            row = json.loads(line)
            if row["t"] != current:
                _insert(connection, by_name.get(current), batch)
                batch, current = [], row["t"]
            values = {}
            for name, convert, value in zip(
                columns[current], converters[current], row["r"], strict=True
            ):
                values[name] = (
                    convert(value) if convert is not None and value is not None else value
                )
            batch.append(values)
            if len(batch) >= BATCH:
                _insert(connection, by_name[current], batch)
                batch = []
        _insert(connection, by_name.get(current), batch)
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection)
    return {name: info["rows"] for name, info in header["tables"].items()}


def _insert(connection, table, batch):
    if table is not None and batch:
        connection.execute(table.insert(), batch)


def _reset_sequences(connection):
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        column = pk[0].name
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column}
        ).scalar()
        if sequence:
            connection.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 1), '
                    f'(SELECT MAX("{column}") FROM "{table.name}") IS NOT NULL)'
                ),
                {"s": sequence},
            )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path):
    """Write a consistent snapshot of the whole database to PATH (gzip'd JSON lines)."""
    header = write_backup(path)
    total = sum(t["rows"] for t in header["tables"].values())
    with open(path, "rb") as written:
        file_sha = hashlib.file_digest(written, "sha256").hexdigest()
    audit.record(
        "backup.create",
        path=os.path.abspath(path),
        sha256=file_sha,
        rows={k: v["rows"] for k, v in header["tables"].items()},
        username="cli",
    )
    db.session.commit()
    click.echo(
        f"backup written to {path}: {total} rows in {len(header['tables'])} tables "
        f"(sha256 {file_sha})"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path):
    """Load the backup at PATH into this (empty, migrated) database."""
    counts = restore_backup(path)
    # Appended after loading, so the restored log is followed by the record of its restoration.
    audit.record("backup.restore", path=os.path.abspath(path), rows=counts, username="cli")
    db.session.commit()
    click.echo(f"restored {sum(counts.values())} rows into {len(counts)} tables from {path}")
    current_app.logger.info("restored backup %s", path)

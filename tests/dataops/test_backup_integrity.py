"""Backups are private (0600, never written through a symlink), signed with a key derived from
SECRET_KEY, and restore refuses a tampered or oversized file before loading anything."""

import gzip
import hashlib
import json
import os
import stat

from sqlalchemy import select

from surveyapp import create_app
from surveyapp.backup import MAX_HEADER_BYTES
from surveyapp.extensions import db as _db
from surveyapp.models import Survey
from surveyapp.models import User
from tests.conftest import fresh_database
from tests.conftest import make_app
from tests.conftest import make_config

from .test_backup import empty_app
from .test_backup import run


def _backup(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    path = tmp_path / "b.jsonl.gz"
    result = run(source, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


def _read(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        return header, handle.read().splitlines()


def _write(path, header, lines):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n")
        handle.write("".join(line + "\n" for line in lines))


def _refused(request, tmp_path, path, message):
    target = empty_app(fresh_database(request, "sqlite", tmp_path, name=f"t{len(message)}"))
    result = run(target, "restore", str(path))
    assert result.exit_code != 0 and message in result.output, result.output
    with target.app_context():
        assert _db.session.scalar(select(Survey)) is None  # nothing was loaded
        _db.engine.dispose()


def test_backup_file_is_private(request, tmp_path):
    path = _backup(request, tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_symlinked_part_file_is_not_followed(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "b.jsonl.gz"
    os.symlink(victim, str(path) + ".part")
    result = run(source, "backup", str(path))
    assert result.exit_code != 0 and "already exists" in result.output
    assert victim.read_text() == "precious" and not path.exists()


def test_a_hand_edited_backup_with_matching_checksums_is_refused(request, tmp_path):
    """The probe's attack: add a backdoor admin, fix the table's count and hash."""
    path = _backup(request, tmp_path)
    header, lines = _read(path)
    users = header["tables"]["users"]
    row = [None] * len(users["columns"])
    values = {"id": 99, "username": "backdoor", "password_hash": "x", "role": "admin"}
    for i, name in enumerate(users["columns"]):
        row[i] = values.get(name, 0 if name in ("active", "session_version") else None)
    forged = json.dumps({"t": "users", "r": row}, separators=(",", ":"), sort_keys=True)
    lines.append(forged)
    users["rows"] += 1
    users["sha256"] = hashlib.sha256((forged + "\n").encode()).hexdigest()
    tampered = tmp_path / "tampered.jsonl.gz"
    _write(tampered, header, lines)
    _refused(request, tmp_path, tampered, "signature does not verify")
    # The same file with the signature removed is refused too.
    del header["signature"]
    _write(tampered, header, lines)
    _refused(request, tmp_path, tampered, "signature does not verify")


def test_a_backup_of_another_installation_is_refused(request, tmp_path):
    path = _backup(request, tmp_path)
    other = create_app(
        make_config(
            fresh_database(request, "sqlite", tmp_path, name="other"), SECRET_KEY="another key"
        )
    )
    result = run(other, "restore", str(path))
    assert result.exit_code != 0 and "another SECRET_KEY" in result.output
    with other.app_context():
        assert _db.session.scalar(select(User)) is None
        _db.engine.dispose()


def test_a_header_line_bomb_is_refused_without_reading_it_all(request, tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b'{"format": "surveyapp-backup", "pad": "')
        for _ in range(8):
            handle.write(b"A" * MAX_HEADER_BYTES)
        handle.write(b'"}\n')
    assert bomb.stat().st_size < 100_000
    _refused(request, tmp_path, bomb, "header line is longer")

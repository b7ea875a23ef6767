"""Files only the app's own user may read: the instance folder, its config (the secret key), the
SQLite database with its WAL and SHM files, and backups.

A local user who can read ``instance/config.py`` can forge an administrator's session, and one who
can read the database or a backup has every answer and password hash. The instance folder is made
0700 and these files 0600 when the app starts (only files this process's user owns are changed);
SQLite gives the WAL and SHM files it creates the mode of the database file.
"""

import os

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def tighten(path, mode):
    """Remove from ``path`` every permission beyond ``mode`` (if it exists and is ours)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return
    if st.st_uid == os.geteuid() and st.st_mode & 0o777 & ~mode:
        os.chmod(path, st.st_mode & 0o777 & mode, follow_symlinks=False)


def private_directory(path):
    """Create ``path`` (mode 0700) if needed, and tighten it if it exists."""
    os.makedirs(path, mode=PRIVATE_DIRECTORY, exist_ok=True)
    tighten(path, PRIVATE_DIRECTORY)


def private_file(path):
    """Create ``path`` empty with mode 0600 if it does not exist; tighten it if it does."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE))
    except FileExistsError:
        tighten(path, PRIVATE_FILE)


def sqlite_path(url):
    """The file of an SQLite URL, or None (other databases, in-memory SQLite)."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            path = url[len(prefix) :].split("?", 1)[0]
            return path if path and path != ":memory:" else None
    return None


def protect_instance(app):
    """Make the instance folder, its config and an SQLite database private (see module doc)."""
    database = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if database is not None and os.path.abspath(database).startswith(
        os.path.abspath(app.instance_path) + os.sep
    ):
        private_directory(app.instance_path)
    elif os.path.isdir(app.instance_path):
        tighten(app.instance_path, PRIVATE_DIRECTORY)
    tighten(os.path.join(app.instance_path, "config.py"), PRIVATE_FILE)
    # A database in a folder that does not exist stays missing (the app reports it unreachable).
    if database is not None and os.path.isdir(os.path.dirname(os.path.abspath(database))):
        private_file(database)
        for suffix in SQLITE_COMPANIONS:
            tighten(database + suffix, PRIVATE_FILE)

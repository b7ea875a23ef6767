"""The list of common passwords that accounts may not use.

``common-passwords.txt.gz`` is the list Django ships (``django/contrib/auth/``, BSD licence):
19,640 of the most common passwords, lower-cased and deduplicated, compiled by Royce Williams.
It was copied from the Django 5.2 wheel unchanged; nothing is fetched at run time.
"""

import gzip
from functools import cache
from importlib.resources import files

LIST_FILE = "common-passwords.txt.gz"


@cache
def common_passwords():
    """The common passwords, lower-cased (read once per process)."""
    data = files(__package__).joinpath(LIST_FILE).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").splitlines())


def is_common_password(password):
    """True when ``password`` (ignoring case and surrounding spaces) is on the list."""
    return password.strip().lower() in common_passwords()

"""Where a login may send the user next: only somewhere on this site."""

from urllib.parse import urlsplit


def safe_next(target):
    """``target`` if it is a relative path on this site, else None.

    Browsers treat ``//host``, ``/\\host`` and ``\\\\host`` as links to another host, and
    ignore tabs and newlines inside URLs, so anything resembling those is refused.
    """
    if not target or not isinstance(target, str):
        return None
    if any(ch in target for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target

"""Response headers every page carries, and the keyed client hash stored instead of addresses."""

import hashlib
import hmac

from flask import current_app
from flask import request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_app(app):
    """Install the header hook."""
    app.after_request(_security_headers)
    if not app.config.get("CLIENT_HASH_KEY"):
        app.config["CLIENT_HASH_KEY"] = hashlib.sha256(
            b"client-hash:" + str(app.config["SECRET_KEY"]).encode()
        ).hexdigest()


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def client_hash():
    """A keyed hash of the client's address and user agent: links repeats, reveals nobody."""
    raw = f"{request.remote_addr}|{request.user_agent.string}".encode()
    key = current_app.config["CLIENT_HASH_KEY"].encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()[:32]

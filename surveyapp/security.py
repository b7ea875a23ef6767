"""Response headers every page carries, the session cookie's signer, and the keyed client hash
stored instead of addresses."""

import hashlib
import hmac

from flask import current_app
from flask import request
from flask.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_app(app):
    """Install the header hook and the session interface."""
    app.after_request(_security_headers)
    app.session_interface = CookieSessionInterface()
    if not app.config.get("CLIENT_HASH_KEY"):
        app.config["CLIENT_HASH_KEY"] = hashlib.sha256(
            b"client-hash:" + str(app.config["SECRET_KEY"]).encode()
        ).hexdigest()


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys.

    Flask builds one for every request, and building one signs a test value (itsdangerous
    checks whether the serializer makes text): a few per cent of a submission's CPU.
    """

    def __init__(self):
        self._serializer = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached_keys, serializer = self._serializer
        if cached_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._serializer = (keys, serializer)
        return serializer


# Everything but the questionnaire, the health check and static files is staff-only: console
# pages, exports, reports and API answers hold personal data and results, so never cached.
# (A new feature's blueprint is private unless it is added here.)
PUBLIC_BLUEPRINTS = frozenset({"public", "health"})


def _security_headers(response):
    headers = response.headers
    if request.blueprint is not None and request.blueprint not in PUBLIC_BLUEPRINTS:
        headers.setdefault("Cache-Control", "no-store")
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

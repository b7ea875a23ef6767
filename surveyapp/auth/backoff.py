"""Login back-off: guessing one account's password gets slower and slower, while its owner can
still log in.

After ``LOGIN_FREE_FAILURES`` consecutive wrong passwords for an account, each further attempt
must wait a cool-down that doubles with every failure (``LOGIN_BACKOFF_BASE_SECONDS``, at most
``LOGIN_BACKOFF_MAX_SECONDS``). An attempt during the cool-down is not checked at all, so a
guesser learns nothing from it. The browser in which the account last logged in successfully
carries a signed "known device" cookie for it, and is exempt from the cool-down: someone
hammering the account from elsewhere cannot lock its owner out. A successful login resets the
count. Per-address rate limits (``RATELIMIT_LOGIN``) apply to everyone as before.
"""

from datetime import timedelta

from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from ..models._types import utcnow

DEVICE_COOKIE = "surveyapp_device"
DEVICE_COOKIE_DAYS = 365


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="login-known-device")


def cool_down(user, now=None):
    """Seconds ``user`` must still wait before a password is checked again (0: none)."""
    config = current_app.config
    excess = (user.failed_logins or 0) - int(config["LOGIN_FREE_FAILURES"])
    if excess < 0 or user.last_failed_login_at is None:
        return 0
    wait = min(
        float(config["LOGIN_BACKOFF_MAX_SECONDS"]),
        float(config["LOGIN_BACKOFF_BASE_SECONDS"]) * 2**excess,
    )
    until = user.last_failed_login_at + timedelta(seconds=wait)
    return max(0, int(-(-(until - (now or utcnow())).total_seconds() // 1)))


def known_device(user):
    """True when this browser carries the known-device cookie of ``user``."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return False
    try:
        return _serializer().loads(value) == user.id
    except BadSignature:
        return False


def record_failure(user):
    """Count a wrong password for ``user``."""
    user.failed_logins = (user.failed_logins or 0) + 1
    user.last_failed_login_at = utcnow()


def record_success(user, response):
    """Reset the count and mark this browser as a known device of ``user`` on ``response``."""
    user.failed_logins = 0
    user.last_failed_login_at = None
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(user.id),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        path="/auth/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response

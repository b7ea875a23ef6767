"""Public links, channel tags and QR codes for handing a survey out."""

import io
import re
from urllib.parse import quote
from urllib.parse import urlencode

import segno
from flask import current_app
from flask import request

from ..channels import is_channel

QR_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


def valid_channel(channel):
    """True for a usable channel tag (see :func:`surveyapp.channels.is_channel`)."""
    return is_channel(channel)


def public_url(survey_key, channel=None, token=None):
    """The absolute link respondents open: ``PUBLIC_BASE_URL`` if configured, else this site."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    url = base.rstrip("/") + "/s/" + quote(survey_key)
    params = {}
    if channel:
        params["ch"] = channel
    if token:
        params["t"] = token
    return url + ("?" + urlencode(params) if params else "")


def short_url(url):
    """A link as printed on a poster: without the scheme."""
    return re.sub(r"^https?://", "", url)


def qr_code(url, kind):
    """A QR code of ``url`` as PNG or SVG bytes (error correction M survives a dirty poster)."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if kind == "png":
        qr.save(out, kind="png", scale=10, border=4)
    else:
        qr.save(out, kind="svg", scale=10, border=4, xmldecl=False, light="#fff", title=url)
    return out.getvalue()

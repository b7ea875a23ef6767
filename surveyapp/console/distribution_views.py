"""Distribution pages: links per channel, QR codes (PNG, SVG) and a printable poster."""

from flask import Response as HttpResponse
from flask import abort
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import audit
from ..access import role_required
from ..channels import STANDARD
from ..channels import channel_name
from ..definitions.store import definition_of
from ..extensions import db
from ..public.share import share_card
from .distribution import QR_FORMATS
from .distribution import public_url
from .distribution import qr_code
from .distribution import short_url
from .distribution import valid_channel
from .fieldwork import MAX_TOKEN_LENGTH
from .fieldwork import find_invitation
from .forms import ChannelForm
from .views import survey_or_404


def _link(survey, channel, label):
    return {"channel": channel, "label": label, "url": public_url(survey.key, channel)}


@role_required("evaluator")
def distribution(key):
    """The public link, the standard channel links and an optional custom one, each with its QR."""
    survey = survey_or_404(key)
    form = ChannelForm(request.args)
    links = [_link(survey, None, _("Public link (no channel)"))]
    links += [_link(survey, ch, channel_name(ch, get_locale())) for ch in STANDARD]
    if "ch" in request.args and form.validate():
        links.append(_link(survey, form.ch.data, _("Custom channel: %(ch)s", ch=form.ch.data)))
    share = share_card(survey.key, definition_of(survey.latest_version), get_locale())
    return render_template(
        "console/distribution.html", survey=survey, links=links, form=form, share=share
    )


def _qr_target(survey):
    """The URL a QR request asks for: the survey's link with a valid channel and/or token."""
    channel = request.args.get("ch") or None
    token = request.args.get("t") or None
    if channel is not None and not valid_channel(channel):
        abort(404)
    if token is not None and (
        len(token) > MAX_TOKEN_LENGTH or find_invitation(survey, token) is None
    ):
        abort(404)
    return public_url(survey.key, channel, token), channel, token


@role_required("evaluator")
def qr(key, fmt):
    """A QR code of one of the survey's links, as PNG or SVG (``?download=1`` for a file)."""
    survey = survey_or_404(key)
    if fmt not in QR_FORMATS:
        abort(404)
    url, channel, token = _qr_target(survey)
    response = HttpResponse(qr_code(url, fmt), mimetype=QR_FORMATS[fmt])
    name = "-".join(p for p in (survey.key, channel, token and token[:8]) if p)
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    if disposition == "attachment":
        audit.record(
            "distribution.qr",
            survey_id=survey.id,
            format=fmt,
            channel=channel,
            invitation=bool(token),
        )
        db.session.commit()
    return response


@role_required("evaluator")
def poster(key):
    """A print-friendly page: the survey title, a large QR code and the short link."""
    survey = survey_or_404(key)
    channel = request.args.get("ch") or "poster"
    if not valid_channel(channel):
        abort(404)
    url = public_url(survey.key, channel)
    definition = definition_of(survey.latest_version)
    audit.record("survey.poster", survey_id=survey.id, channel=channel)
    db.session.commit()
    return render_template(
        "console/poster.html",
        survey=survey,
        definition=definition,
        channel=channel,
        url=url,
        short=short_url(url),
    )

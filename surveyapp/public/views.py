"""Questionnaire pages: landing, the form (GET shows, POST submits) and the thank-you page."""

from urllib.parse import urlencode

from flask import abort
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..database import defers_write_lock
from ..definitions.store import definition_of
from ..definitions.store import open_surveys_with_latest_version
from ..definitions.store import survey_of_version
from ..extensions import csrf
from ..extensions import db
from ..extensions import limiter
from ..i18n import normalise_locale
from ..i18n import text_in
from ..security import client_hash
from . import answered
from . import services
from .blueprint import bp
from .forms import Questionnaire
from .preview import PREVIEW_PARAM
from .preview import preview_requested
from .tokens import FIELD_NAME
from .tokens import InvalidToken
from .tokens import SubmissionToken


def current_language():
    """The respondent's language as stored and linked: ``zh_CN`` or ``en``."""
    return normalise_locale(str(get_locale())) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.app_context_processor
def language_helpers():
    """``page_lang`` (for ``<html lang>``) and ``switch_lang_url(locale)`` for every page."""
    current = current_language()

    def switch_lang_url(locale):
        args = request.args.to_dict()
        args["lang"] = locale
        return request.path + "?" + urlencode(args)

    return {"page_lang": current.replace("_", "-"), "switch_lang_url": switch_lang_url}


@bp.get("/")
@defers_write_lock
def landing():
    """Links to the open surveys; straight to the survey when only one is open."""
    surveys = open_surveys_with_latest_version()
    if len(surveys) == 1:
        return redirect(url_for("public.survey", key=surveys[0][0].key) + _query_suffix())
    locale = get_locale()
    entries = [(s.key, text_in(definition_of(v).title, locale)) for s, v in surveys]
    return render_template("public/landing.html", entries=entries)


@bp.route("/s/<key>", methods=["GET", "POST"])
@defers_write_lock  # validation and rendering must not hold SQLite's write lock
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_FORM"], methods=["GET"], per_method=True)
@csrf.exempt  # the FlaskForm checks CSRF itself, so a failure can re-show the answers given
def survey(key):
    """GET: a fresh questionnaire. POST: validate and store it, then redirect to the thanks page."""
    if request.method == "POST":
        # The whole body first: a slow client must not hold a database connection while it sends.
        request.form  # noqa: B018
    found, version = _answerable_survey(key)
    if request.method == "POST":
        return _submit(found, version)
    definition = definition_of(version)
    if answered.answered_before(definition):
        return answered.already_answered_page(definition)
    token = SubmissionToken.issue(version.id, services.clean_channel(request.args.get("ch")))
    # Not HEAD (link previews) nor a staff preview: neither is a form handed out.
    if request.method == "GET" and not preview_requested():
        services.record_form_start(found, token.channel, token.started_at, client_hash())
        db.session.commit()
    return _render(found, version, Questionnaire(definition, get_locale()), token)


@bp.get("/s/<key>/thanks")
@defers_write_lock
def thanks(key):
    """The thank-you page (also shown again for a repeated post of the same form)."""
    _found, version = _published_survey(key)
    return _thanks_page(version)


def _thanks_page(version, screened_out=None):
    """The thank-you page; it marks this browser as having answered (see :mod:`.answered`)."""
    definition = definition_of(version)
    locale = get_locale()
    html = render_template(
        "public/thanks.html",
        title=text_in(definition.title, locale),
        thanks=text_in(definition.thanks, locale) if definition.thanks else None,
        screened_out=screened_out,
    )
    return answered.mark(make_response(html), definition)


def _screened_out(version, message):
    """The thank-you page for a respondent turned away (their form is spent), not the form."""
    return _thanks_page(version, screened_out=message)


def _published_survey(key):
    """``(survey, newest version)``, or 404 when unknown or unpublished (a draft, no version).

    Staff previewing (``?preview=1``) see drafts too."""
    found, version = services.requested_survey(key)
    if found is None or version is None or (found.status == "draft" and not preview_requested()):
        abort(404)
    return found, version


def _answerable_survey(key):
    """``(survey, newest version)`` if it can be answered: 404 as above, 410 when closed."""
    found, version = _published_survey(key)
    if found.status == "closed" and not preview_requested():
        abort(410)
    return found, version


def _submit(found, version):
    key, survey_id = found.key, found.id
    questionnaire = Questionnaire(definition_of(version), get_locale(), request.form)
    token, problem = _posted_token(found, version)
    # The token a re-shown form carries: the posted one if it is for the current version, else
    # one for the current version that keeps the respondent's start time and channel.
    if token is None:
        shown_token = SubmissionToken.issue(
            version.id, services.clean_channel(request.args.get("ch"))
        )
    elif token.version_id != version.id:
        shown_token = token.for_version(version.id)
    else:
        shown_token = token

    def refuse(message, status, token_shown=shown_token):
        # A form already stored (a double tap, a retry) gets its thank-you page again whatever
        # else is wrong with this copy of it: nothing changes. Asked only when refusing, so a
        # first submission costs no lookup (the unique nonce catches a repeat that passes).
        if token is not None and services.response_exists(survey_id, token.nonce):
            return _to_thanks(key)
        spent = token is not None and services.spent_message(survey_id, token.nonce)
        if spent:
            return _screened_out(version, spent)
        return _render(found, version, questionnaire, token_shown, status=status, notice=message)

    if not questionnaire.csrf_valid():
        return refuse(
            _(
                "For your security this form has to be sent again. Your answers are kept below: "
                "please check them and press Submit."
            ),
            400,
        )
    if problem is not None:
        return refuse(problem, 400)
    if token.version_id != version.id:
        return refuse(
            _(
                "The questionnaire was updated while you were answering. Your answers are kept "
                "where the questions are unchanged: please check them and press Submit."
            ),
            409,
        )
    if not questionnaire.validate():
        return refuse(None, 422, token_shown=token)

    submission = services.Submission(
        survey=found,
        version=version,
        definition=questionnaire.definition,
        rows=questionnaire.rows,
        answers=questionnaire.answers,
        nonce=token.nonce,
        channel=token.channel,
        language=current_language(),
        started_at=token.started_at,
        client_hash=client_hash(),
        repeat=answered.answered_before(questionnaire.definition),
        context={"args": request.args.to_dict(), PREVIEW_PARAM: preview_requested()},
    )
    try:
        services.submit_response(submission)
        db.session.commit()
    except services.SubmissionRejected as rejected:
        db.session.rollback()
        if rejected.spend is None:
            return refuse(rejected.message, rejected.status)
        services.spend_form(survey_id, token.nonce, rejected.spend)
        db.session.commit()
        return _screened_out(version, rejected.message)
    except IntegrityError:
        # This form was stored before (a repeat) or by a simultaneous post of it.
        db.session.rollback()
        if not services.response_exists(survey_id, token.nonce):
            raise
    return _to_thanks(key)


def _posted_token(found, version):
    """The posted submission token if genuine and for this survey, else ``(None, message)``."""
    try:
        token = SubmissionToken.loads(request.form.get(FIELD_NAME))
    except InvalidToken:
        token = None
    # Usually the form of the newest version: no need to look its survey up.
    version_survey = None
    if token is not None:
        version_survey = (
            found.id if token.version_id == version.id else survey_of_version(token.version_id)
        )
    if version_survey == found.id:
        return token, None
    if version_survey is not None:
        return None, _(
            "That form belongs to a different questionnaire. This is the questionnaire for "
            "this link; answers that fit it are kept below."
        )
    return None, _(
        "This form could not be verified. Your answers are kept below: please check them "
        "and press Submit."
    )


def _to_thanks(key):
    extra = {PREVIEW_PARAM: 1} if preview_requested() else {}
    return redirect(url_for("public.thanks", key=key, **extra), code=303)


def _render(found, version, questionnaire, token, status=200, notice=None):
    locale = get_locale()
    definition = questionnaire.definition
    # Keep the link's query string (channel, language, invitation) on the form's action.
    action = request.path + _query_suffix()
    html = render_template(
        "public/survey.html",
        survey=found,
        version=version,
        definition=definition,
        q=questionnaire,
        form=questionnaire.form,
        token=token.dumps(),
        token_field=FIELD_NAME,
        action=action,
        notice=notice,
        t=lambda labels: text_in(labels, locale),
        title=text_in(definition.title, locale),
        preview=preview_requested(),
    )
    return html, status


def _query_suffix():
    query = request.query_string.decode("utf-8", "replace")
    return "?" + query if query else ""

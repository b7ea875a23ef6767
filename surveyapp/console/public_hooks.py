"""The public questionnaire obeys fieldwork rules through its hooks (see surveyapp.public.services).

- a pre-check refuses a submission without a valid, unused invitation token when the survey
  requires one (before anything is stored);
- a post-hook marks the invitation used (a conditional UPDATE, so a token answers once even when
  two posts race) and turns away a full quota cell when quotas are enforced: that form is spent
  (the respondent is thanked; the same form posted again with other answers is refused);
- :func:`gate_public_form` shows the same refusal when the form is opened (GET), so nobody fills
  in a questionnaire that cannot be accepted.

The token comes from ``?t=`` on the link; the public form keeps the link's query string on its
action, so it travels with the post (a hidden field ``t`` is accepted too).
"""

from flask import has_request_context
from flask import render_template
from flask import request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..dataops.quality import record_token_reuse
from ..public import services as public_services
from ..public.preview import is_preview
from ..public.preview import preview_requested
from ..public.views import current_language
from .fieldwork import QUOTA_FULL
from .fieldwork import TOKEN_PARAM
from .fieldwork import Refusal
from .fieldwork import accept_submission
from .fieldwork import admission_refusal

TITLES = {
    "token_missing": _l("An invitation is needed"),
    "token_unknown": _l("This invitation link is not valid"),
    "token_used": _l("This invitation has been used"),
    "quota_full": _l("Thank you"),
}
OTHER_LOCALE = {"zh_CN": "en", "en": "zh_CN"}
# Refusals that use the form up: it was filled in and turned away, so it may not come back
# with other answers (a respondent screened out by a full cell claiming another group).
SPENDING = {"quota_full": QUOTA_FULL}
public_services.SPEND_MESSAGES.update(SPENDING)


def submission_token(submission):
    """The invitation token a submission carries (link query string, else a form field)."""
    token = (submission.context.get("args") or {}).get(TOKEN_PARAM)
    if not token and has_request_context():
        token = request.form.get(TOKEN_PARAM)
    return token or None


@public_services.pre_check
def spent_form_pre_check(submission):
    """Refuse a form turned away before (it is spent), whatever answers it carries now.

    Only surveys that turn respondents away can have spent forms, so others pay no lookup.
    """
    if not submission.survey.quota_enforced:
        return
    reason = public_services.spent_reason(submission.survey.id, submission.nonce)
    if reason is not None:
        raise public_services.SubmissionRejected(SPENDING[reason], status=409, spend=reason)


@public_services.pre_check
def invitation_pre_check(submission):
    """Refuse before storing when the survey needs an invitation this submission lacks."""
    if is_preview(submission):
        return  # staff test answers need no invitation and count towards no quota
    refusal = admission_refusal(submission.survey, submission_token(submission))
    if refusal is not None:
        _refuse(submission, refusal)


@public_services.post_hook
def fieldwork_post_hook(submission, response):
    """Claim the invitation and check quotas for the flushed response (a refusal rolls it back)."""
    if is_preview(submission):
        return
    try:
        accept_submission(submission.survey, response, submission_token(submission))
    except Refusal as refusal:
        _refuse(submission, refusal)


def _refuse(submission, refusal):
    """Refuse the submission; a used invitation presented again is recorded as a reuse attempt.

    The same form sent again (a double tap) is not a reuse: the public view answers it with the
    thank-you page, and nothing is recorded.
    """
    if refusal.reason == "token_used" and not public_services.response_exists(
        submission.survey.id, submission.nonce
    ):
        record_token_reuse(submission.survey, submission_token(submission))
    spend = refusal.reason if refusal.reason in SPENDING else None
    raise public_services.SubmissionRejected(
        refusal.message, status=refusal.status, spend=spend
    ) from None


def gate_public_form():
    """``before_request``: a GET of a form this respondent may not fill in gets the refusal."""
    if request.endpoint != "public.survey" or request.method != "GET":
        return None
    survey, version = public_services.requested_survey((request.view_args or {}).get("key", ""))
    if survey is None or survey.status != "open" or version is None or preview_requested():
        return None  # the public view answers 404/410 itself; staff previews need no invitation
    refusal = admission_refusal(survey, request.args.get(TOKEN_PARAM))
    if refusal is None:
        return None
    return refusal_page(refusal)


def refusal_page(refusal: Refusal):
    """The public error page with the refusal, in the respondent's language and the other one."""
    other = OTHER_LOCALE.get(current_language(), "en")
    title, message = str(TITLES.get(refusal.reason, "")), str(refusal.message)
    with force_locale(other):
        other_title, other_message = str(TITLES.get(refusal.reason, "")), str(refusal.message)
    html = render_template(
        "public/error.html",
        code=refusal.status,
        title=title,
        message=message,
        other_lang=other.replace("_", "-"),
        other_title=other_title,
        other_message=other_message,
    )
    return html, refusal.status


def init_app(app):
    """Install the GET gate on the application."""
    app.before_request(gate_public_form)

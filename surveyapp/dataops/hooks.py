"""The public submission flow calls :func:`.quality.flag_new_response` as a post-hook."""

from ..public import services as public_services
from .quality import flag_new_response


@public_services.post_hook
def quality_post_hook(submission, response):
    """Flag the stored response (straight-lining, duplicate or repeat, speeder)."""
    flag_new_response(response, submission.definition, submission.rows, repeat=submission.repeat)

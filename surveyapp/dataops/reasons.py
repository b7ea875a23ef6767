"""Reasons of data-quality flags: stored in English (exports, API, audit), shown translated.

Each reason is one template with named parameters. :func:`reason` writes the stored text;
:func:`translated` renders a stored text in the user's language (a text matching no template,
e.g. written by an older version, is shown as stored).
"""

from ..message_templates import N_
from ..message_templates import translate_known

SPEEDER = N_(
    "took %(duration).0f s, under a third of the median %(median).0f s of %(n)d valid responses"
)
STRAIGHTLINING = N_("every item of %(key)s answered with code %(code)d")
DUPLICATE = N_("same client and same answers as response %(earlier)d")
REPEAT = N_("probable duplicate: this browser had already answered the survey")
TOKEN_REUSE = N_("invitation %(invitation)s was already used")
TOKEN_REUSE_BY = N_("invitation %(invitation)s was already used by response %(first)d")
TEMPLATES = (SPEEDER, STRAIGHTLINING, DUPLICATE, REPEAT, TOKEN_REUSE_BY, TOKEN_REUSE)


def reason(template, **params):
    """The stored (English) text of a flag reason."""
    return template % params


def translated(text):
    """A stored flag reason in the current language."""
    return translate_known(text, TEMPLATES)

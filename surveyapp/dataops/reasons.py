"""Reasons of data-quality flags: stored in English (exports, API, audit), shown translated.

Each reason is one template with named parameters. :func:`reason` writes the stored text;
:func:`translated` recognises a stored text by its template and renders it in the user's
language (a text matching no template, e.g. written by an older version, is shown as stored).
"""

import re
from functools import cache

from flask_babel import gettext


def N_(message):
    """Mark ``message`` for translation without translating it (pybabel extracts ``N_``)."""
    return message


SPEEDER = N_(
    "took %(duration).0f s, under a third of the median %(median).0f s of %(n)d valid responses"
)
STRAIGHTLINING = N_("every item of %(key)s answered with code %(code)d")
DUPLICATE = N_("same client and same answers as response %(earlier)d")
REPEAT = N_("probable duplicate: this browser had already answered the survey")
TOKEN_REUSE = N_("invitation %(invitation)s was already used")
TOKEN_REUSE_BY = N_("invitation %(invitation)s was already used by response %(first)d")
TEMPLATES = (SPEEDER, STRAIGHTLINING, DUPLICATE, REPEAT, TOKEN_REUSE_BY, TOKEN_REUSE)

_PARAM = re.compile(r"%\((\w+)\)(\.\d+)?([dfs])")
_GROUPS = {"d": r"-?\d+", "f": r"-?\d+(?:\.\d+)?", "s": r".+?"}
_TYPES = {"d": int, "f": float, "s": str}


def reason(template, **params):
    """The stored (English) text of a flag reason."""
    return template % params


@cache
def _pattern(template):
    parts, types, end = [], {}, 0
    for found in _PARAM.finditer(template):
        name, kind = found.group(1), found.group(3)
        parts.append(re.escape(template[end : found.start()]))
        parts.append(f"(?P<{name}>{_GROUPS[kind]})")
        types[name] = _TYPES[kind]
        end = found.end()
    parts.append(re.escape(template[end:]))
    return re.compile("".join(parts)), types


def translated(text):
    """A stored flag reason in the current language."""
    for template in TEMPLATES:
        pattern, types = _pattern(template)
        found = pattern.fullmatch(text or "")
        if found is not None:
            params = {name: types[name](value) for name, value in found.groupdict().items()}
            return gettext(template, **params)
    return text

"""Messages kept in English where they are made (stored flag reasons, the statistics library's
errors) and shown in the user's language: each is one gettext template with named parameters
(``%(name)s``, ``%(n)d``, ``%(x).0f``). :func:`translate_known` recognises a text as one of the
templates filled in and renders that template translated with the same values; any other text
is returned as it is."""

import re
from functools import cache

from flask_babel import gettext

_PARAM = re.compile(r"%\((\w+)\)(\.\d+)?([dfs])")
_GROUPS = {"d": r"-?\d+", "f": r"-?\d+(?:\.\d+)?", "s": r".+?"}
_TYPES = {"d": int, "f": float, "s": str}


def N_(message):
    """Mark ``message`` for translation without translating it (pybabel extracts ``N_``)."""
    return message


@cache
def pattern(template):
    """``(compiled regex, {name: type})`` recognising ``template`` filled in."""
    parts, types, end = [], {}, 0
    for found in _PARAM.finditer(template):
        name, kind = found.group(1), found.group(3)
        parts.append(re.escape(template[end : found.start()]))
        parts.append(f"(?P<{name}>{_GROUPS[kind]})")
        types[name] = _TYPES[kind]
        end = found.end()
    parts.append(re.escape(template[end:]))
    return re.compile("".join(parts), re.S), types


def translate_known(text, templates):
    """``text`` in the current language when it is one of ``templates`` filled in."""
    for template in templates:
        regex, types = pattern(template)
        found = regex.fullmatch(text or "")
        if found is not None:
            params = {name: types[name](value) for name, value in found.groupdict().items()}
            return gettext(template, **params)
    return text

"""Fieldwork channels: the ``?ch=`` tags of survey links, the one check of a tag, and their names
in both languages."""

import re

from .i18n import text_in

DIRECT = "direct"
# 1-32 lower-case letters, digits and hyphens, starting with a letter or digit. Always applied
# with fullmatch: "$" would also match before a trailing newline ("poster\n").
CHANNEL_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
# Channels the city uses; any other tag is allowed too and shown as typed.
STANDARD = {
    "wechat": {"zh": "微信公众号", "en": "WeChat"},
    "poster": {"zh": "海报二维码", "en": "Poster"},
    "hotline-interview": {"zh": "热线电话访问", "en": "Hotline interview"},
}
NAMES = {**STANDARD, DIRECT: {"zh": "直接访问", "en": "Direct link"}}


def is_channel(tag):
    """True for a usable channel tag, exactly as given (no case folding, no trimming)."""
    return isinstance(tag, str) and CHANNEL_PATTERN.fullmatch(tag) is not None


def clean_channel(value):
    """The channel of a link's ``?ch=`` (trimmed, case folded) if it is a valid tag, else ``direct``."""
    value = (value or "").strip().lower()
    return value if is_channel(value) else DIRECT


def channel_name(channel, locale):
    """The name of a channel in ``locale`` (the tag itself for a custom channel)."""
    return text_in(NAMES.get(channel, {"zh": channel, "en": channel}), locale)

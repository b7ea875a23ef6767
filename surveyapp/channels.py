"""Fieldwork channels: the ``?ch=`` tags of survey links, and their names in both languages."""

from .i18n import text_in

DIRECT = "direct"
# Channels the city uses; any other tag is allowed too and shown as typed.
STANDARD = {
    "wechat": {"zh": "微信公众号", "en": "WeChat"},
    "poster": {"zh": "海报二维码", "en": "Poster"},
    "hotline-interview": {"zh": "热线电话访问", "en": "Hotline interview"},
}
NAMES = {**STANDARD, DIRECT: {"zh": "直接访问", "en": "Direct link"}}


def channel_name(channel, locale):
    """The name of a channel in ``locale`` (the tag itself for a custom channel)."""
    return text_in(NAMES.get(channel, {"zh": channel, "en": channel}), locale)

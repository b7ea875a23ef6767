"""Share cards: what WeChat and other apps show for a survey link (title, description, image).

The questionnaire page carries ``og:`` and ``itemprop`` meta; the image is drawn here with Pillow
in a CJK font installed on the machine (never fetched), once per survey version and language.
"""

import io
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Response
from flask import current_app
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from ..database import defers_write_lock
from ..definitions.store import definition_of
from ..i18n import text_in
from . import services
from .blueprint import bp
from .preview import preview_requested

# Open Graph's recommended size; WeChat crops the middle square for its thumbnail.
SIZE = (1200, 630)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
DESCRIPTION_LENGTH = 120


@dataclass(frozen=True)
class ShareCard:
    """The texts and image link of a survey's share card."""

    title: str
    description: str
    image_url: str
    url: str


def share_card(key, definition, locale):
    """The :class:`ShareCard` of a survey in ``locale`` (absolute links, as apps need them)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")
    intro = " ".join(text_in(definition.intro, locale).split()) if definition.intro else ""
    if len(intro) > DESCRIPTION_LENGTH:
        intro = intro[: DESCRIPTION_LENGTH - 1] + "…"
    lang = "en" if str(locale).startswith("en") else "zh_CN"
    return ShareCard(
        title=text_in(definition.title, locale),
        description=intro,
        image_url=base + url_for("public.share_image", key=key, lang=lang),
        url=base + url_for("public.survey", key=key),
    )


@bp.context_processor
def share_helpers():
    """``share_card(key, definition)`` for the questionnaire page's meta tags."""
    return {"share_card": lambda key, definition: share_card(key, definition, get_locale())}


def _font_path():
    configured = current_app.config.get("SHARE_FONT")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _font(path, size):
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _wrap(text, width):
    # CJK text has no spaces to break at: wrap by characters, Latin text by words.
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return [text[i : i + width] for i in range(0, len(text), width)]
    return textwrap.wrap(text, width * 2)


@lru_cache(maxsize=64)
def draw_share_image(title, subtitle, font_path, action=""):
    """PNG bytes of a share image: the title large, the introduction's start, a call to act."""
    image = Image.new("RGB", SIZE, "#0b5cad")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, SIZE[1] - 90, SIZE[0], SIZE[1]), fill="#084a8c")
    title_font = _font(font_path, 64)
    y = 110
    for line in _wrap(title, 16)[:3]:
        draw.text((80, y), line, font=title_font, fill="#ffffff")
        y += 88
    if subtitle:
        small = _font(font_path, 34)
        for line in _wrap(subtitle, 30)[:2]:
            draw.text((80, y + 20), line, font=small, fill="#dce9f7")
            y += 50
    if action:
        draw.text((80, SIZE[1] - 68), action, font=_font(font_path, 36), fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@bp.get("/s/<key>/share.png")
@defers_write_lock
def share_image(key):
    """The survey's share image (404 for a draft or unknown survey, as its page)."""
    found, version = services.requested_survey(key)
    if found is None or version is None or (found.status == "draft" and not preview_requested()):
        return Response(status=404)
    definition = definition_of(version)
    locale = get_locale()
    intro = " ".join(text_in(definition.intro, locale).split()) if definition.intro else ""
    if len(intro) > 56:
        intro = intro[:55] + "…"
    png = draw_share_image(
        text_in(definition.title, locale), intro, _font_path(), _("Tap the link to take part")
    )
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response

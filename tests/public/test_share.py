"""Share cards: the questionnaire page carries title, description and image meta; the image is a
PNG drawn per survey; drafts have none; the distribution page shows the card."""

import io
import re

from PIL import Image

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file

DEFINITION = load_file(builtin_path("nanyang-dcm"))


def meta(page, name):
    match = re.search(rf'<meta (?:property|name|itemprop)="{name}" content="([^"]*)"', page)
    return match.group(1) if match else None


def test_questionnaire_page_carries_share_meta(client):
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    assert meta(page, "og:title") == DEFINITION.title["zh"]
    assert meta(page, "og:description").startswith(DEFINITION.intro["zh"][:20])
    image = meta(page, "og:image")
    assert image.startswith("http://localhost/s/nanyang-dcm/share.png")
    assert meta(page, "name") and meta(page, "image") == image
    english = client.get("/s/nanyang-dcm?lang=en").get_data(as_text=True)
    assert meta(english, "og:title") == DEFINITION.title["en"]


def test_share_image_is_a_png_per_language(client):
    zh = client.get("/s/nanyang-dcm/share.png?lang=zh_CN")
    en = client.get("/s/nanyang-dcm/share.png?lang=en")
    assert zh.status_code == 200 and zh.mimetype == "image/png"
    assert Image.open(io.BytesIO(zh.data)).size == (1200, 630)
    assert zh.data != en.data


def test_drafts_have_no_share_image(app, client):
    from surveyapp.definitions.store import get_survey
    from surveyapp.extensions import db

    with app.app_context():
        get_survey("nanyang-dcm").status = "draft"
        db.session.commit()
    assert client.get("/s/nanyang-dcm/share.png").status_code == 404

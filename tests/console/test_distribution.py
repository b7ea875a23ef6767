"""Public links per channel, QR codes as PNG and SVG, and the poster page."""

import io

import segno

from tests.console.conftest import audit_actions

BASE = "http://localhost/s/nanyang-dcm"


def expected_png(url):
    """What segno makes for ``url`` with the console's settings."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def test_distribution_page_lists_absolute_channel_links(client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/distribution?lang=en").get_data(as_text=True)
    for suffix in ("", "?ch=wechat", "?ch=poster", "?ch=hotline-interview"):
        assert f">{BASE}{suffix}<" in page
    assert "/console/surveys/nanyang-dcm/qr.svg?ch=wechat" in page
    assert "/console/surveys/nanyang-dcm/qr.png?ch=poster&amp;download=1" in page


def test_custom_channel_link_and_bad_tag(client, as_role):
    as_role("evaluator")
    page = client.get(
        "/console/surveys/nanyang-dcm/distribution?ch=street-wancheng&lang=en"
    ).get_data(as_text=True)
    assert f">{BASE}?ch=street-wancheng<" in page
    page = client.get("/console/surveys/nanyang-dcm/distribution?ch=Bad Tag!").get_data(
        as_text=True
    )
    assert "s/nanyang-dcm?ch=Bad" not in page
    assert "c-errors" in page


def test_public_base_url_setting(app, client, as_role):
    app.config["PUBLIC_BASE_URL"] = "https://survey.nanyang.example/"
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/distribution").get_data(as_text=True)
    assert ">https://survey.nanyang.example/s/nanyang-dcm?ch=wechat<" in page


def test_qr_png_is_segno_code_of_the_link(client, as_role):
    as_role("evaluator")
    with client.get("/console/surveys/nanyang-dcm/qr.png?ch=wechat") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        body = response.data
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert body == expected_png(f"{BASE}?ch=wechat")
    assert body != expected_png(f"{BASE}?ch=poster")


def test_qr_svg(client, as_role):
    as_role("evaluator")
    with client.get("/console/surveys/nanyang-dcm/qr.svg?ch=poster") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and 'class="segno"' in svg
    assert f"<title>{BASE}?ch=poster</title>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_qr_download_is_an_audited_attachment(app, client, as_role):
    as_role("evaluator")
    with client.get("/console/surveys/nanyang-dcm/qr.svg?ch=wechat&download=1") as response:
        assert (
            response.headers["Content-Disposition"]
            == 'attachment; filename="nanyang-dcm-wechat.svg"'
        )
    entry = audit_actions(app, "distribution.qr")[-1]
    assert entry.detail == {"format": "svg", "channel": "wechat", "invitation": False}


def test_qr_refuses_bad_channel_unknown_token_and_format(client, as_role):
    as_role("evaluator")
    assert client.get("/console/surveys/nanyang-dcm/qr.png?ch=../../x").status_code == 404
    assert client.get("/console/surveys/nanyang-dcm/qr.png?t=not-a-token").status_code == 404
    assert client.get("/console/surveys/nanyang-dcm/qr.gif").status_code == 404
    assert client.get("/console/surveys/missing/qr.png").status_code == 404


def test_poster_page(app, client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/poster?ch=poster").get_data(as_text=True)
    assert "南阳" in page
    assert "localhost/s/nanyang-dcm?ch=poster" in page
    assert "/console/surveys/nanyang-dcm/qr.svg?ch=poster" in page
    assert "<script>" not in page and "style=" not in page
    assert audit_actions(app, "survey.poster")[-1].detail == {"channel": "poster"}


def test_viewer_cannot_distribute(client, as_role):
    as_role("viewer")
    assert client.get("/console/surveys/nanyang-dcm/distribution").status_code == 403
    assert client.get("/console/surveys/nanyang-dcm/qr.png").status_code == 403
    assert client.get("/console/surveys/nanyang-dcm/poster").status_code == 403

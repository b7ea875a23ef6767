"""Every console page renders in both languages and stays within the content security policy."""

import re

import pytest

PAGES = [
    "/console/surveys",
    "/console/surveys/nanyang-dcm",
    "/console/surveys/nanyang-dcm/versions",
    "/console/surveys/nanyang-dcm/distribution?ch=street-1",
    "/console/surveys/nanyang-dcm/poster",
    "/console/surveys/nanyang-dcm/invitations",
    "/console/surveys/nanyang-dcm/quotas",
    "/console/users",
]


def check_page(page, url):
    assert not re.search(r"\sstyle\s*=", page), url
    assert not re.search(r"<style", page), url
    assert not re.search(r"<script(?![^>]*\ssrc=)", page), url
    assert not re.search(r"\son[a-z]+\s*=", page), url


def test_login_page_is_csp_clean(client):
    with client.get("/auth/login") as response:
        assert response.status_code == 200
        check_page(response.get_data(as_text=True), "/auth/login")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_pages_render_without_inline_script_or_style(client, as_role, lang):
    as_role("admin")
    for url in PAGES:
        joiner = "&" if "?" in url else "?"
        with client.get(f"{url}{joiner}lang={lang}") as response:
            assert response.status_code == 200, url
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            page = response.get_data(as_text=True)
        check_page(page, url)
        assert f'<html lang="{"en" if lang == "en" else "zh-CN"}">' in page


def test_navigation_follows_the_role(client, as_role):
    as_role("viewer")
    page = client.get("/console/surveys/nanyang-dcm").get_data(as_text=True)
    assert 'href="/console/users"' not in page
    assert 'href="/console/surveys/nanyang-dcm/versions"' not in page
    as_role("admin")
    page = client.get("/console/surveys/nanyang-dcm").get_data(as_text=True)
    assert 'href="/console/users"' in page
    assert 'href="/console/surveys/nanyang-dcm/versions"' in page
    assert 'href="/console/surveys/nanyang-dcm/quotas"' in page


def test_language_switch_keeps_the_page(client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/distribution?ch=abc&key=other").get_data(
        as_text=True
    )
    assert 'href="/console/surveys/nanyang-dcm/distribution?ch=abc&amp;lang=en"' in page
    page = client.get("/console/surveys/nanyang-dcm/distribution?lang=en").get_data(as_text=True)
    assert "Distribution" in page and 'lang="zh-CN">中文</a>' in page

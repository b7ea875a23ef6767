"""The results pages speak the console's language: nothing but content stays Chinese in English."""

import re

HAN = re.compile(r"[\u4e00-\u9fff]")
BASE = "/console/surveys/nanyang-dcm/results"


def headings(page):
    """Text of every heading, table header cell, label and list item of a page."""
    found = re.findall(r"<(h[1-4]|th|label|li)\b[^>]*>(.*?)</\1>", page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for _tag, text in found]


def settings_form(client):
    """``(url, form data)`` of the analysis settings page as it is now."""
    import html

    from tests.results.conftest import csrf_from

    url = "/console/surveys/nanyang-dcm/analysis-settings"
    token = csrf_from(client, url)
    form = client.get(url).get_data(as_text=True)
    rubric = re.search(r'name="rubric"[^>]*>\s*(.*?)</textarea>', form, re.S).group(1)
    return url, {
        "csrf_token": token,
        "weighting": "rake",
        "poststratify_variable": "district",
        "margins": (
            "variable,code,count\n"
            + "".join(f"district,{c},250\n" for c in (1, 2, 3, 4))
            + "gender,1,10\ngender,2,10\n"
        ),
        "ci_method": "wilson",
        "ci_level": "0.95",
        "scoring": "linear",
        "score_table": "5:100,4:75,3:50,2:25,1:0",
        "rubric": html.unescape(rubric),
        "comparison_by": "none",
        "wave_a": "",
        "wave_b": "",
    }


def test_margin_errors_are_in_the_console_language(as_role):
    client = as_role("evaluator")
    url, data = settings_form(client)
    chinese = client.post(url + "?lang=zh", data=data).get_data(as_text=True)
    error = re.search(r'id="settings-error">(.*?)</div>', chinese, re.S).group(1)
    assert "人数合计须相同" in error and "must add up" not in error
    data["margins"] = "variable,code,count\ndistrict,x,400\n"
    english = client.post(url + "?lang=en", data=data).get_data(as_text=True)
    error = re.search(r'id="settings-error">(.*?)</div>', english, re.S).group(1)
    assert "line 2: code must be a whole number" in error and not HAN.search(error)


CONSOLE_PAGES = (
    "/console/surveys",
    "/console/surveys/nanyang-dcm",
    "/console/surveys/nanyang-dcm/results",
    "/console/surveys/nanyang-dcm/analysis-settings",
    "/console/surveys/nanyang-dcm/responses",
    "/console/surveys/nanyang-dcm/responses/1",
    "/console/surveys/nanyang-dcm/versions",
    "/console/surveys/nanyang-dcm/quotas",
    "/console/surveys/nanyang-dcm/distribution",
    "/console/surveys/nanyang-dcm/invitations",
    "/console/surveys/nanyang-dcm/deletions",
    "/console/audit",
    "/console/users",
)


def test_the_english_console_has_no_chinese_headings(as_role):
    client = as_role("admin")
    client.get("/console/surveys?lang=en")
    for url in CONSOLE_PAGES:
        page = client.get(url).get_data(as_text=True)
        found = re.findall(r"<(h[1-4]|th|caption|legend|dt|button)\b[^>]*>(.*?)</\1>", page, re.S)
        chinese = [text for _tag, text in found if HAN.search(re.sub(r"<[^>]+>", "", text))]
        assert chinese == [], url


def test_weighting_errors_are_in_the_console_language(as_role, demo):
    client = as_role("evaluator")
    url, data = settings_form(client)
    data["margins"] = "variable,code,count\n" + "".join(f"district,{c},250\n" for c in (1, 2, 3, 4))
    assert client.post(url, data=data).status_code == 302  # valid settings ...
    # ... that no longer fit the sample: nobody from district 4 is left in it.
    from sqlalchemy import text

    from surveyapp.extensions import db

    with demo.app_context():
        db.session.execute(
            text(
                "UPDATE responses SET status = 'excluded' WHERE id IN (SELECT response_id "
                "FROM answers WHERE question = 'district' AND code = 4)"
            )
        )
        db.session.commit()
    chinese = client.get(f"{BASE}?lang=zh").get_data(as_text=True)
    error = re.search(r'id="weighting-error">(.*?)</span>', chinese, re.S).group(1)
    # ... said in Chinese.
    assert "没有受访者" in error and "have no respondents" not in error
    english = client.get(f"{BASE}?lang=en").get_data(as_text=True)
    error = re.search(r'id="weighting-error">(.*?)</span>', english, re.S).group(1)
    assert "have no respondents" in error

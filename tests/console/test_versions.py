"""Changing a live survey: the changes are listed (breaking ones marked) and stored only after
confirmation; every version downloads as YAML, XLSForm and JSON; the template workbook."""

import io
import re

import yaml

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions import load_text
from surveyapp.definitions.diff import compare
from surveyapp.definitions.xlsform_in import read_xlsform
from surveyapp.definitions.xlsform_out import to_xlsform
from tests.console.conftest import audit_actions
from tests.console.test_surveys import DEFAULT
from tests.console.test_surveys import confirm
from tests.console.test_surveys import upload
from tests.console.test_surveys import versions_of


def changed_default():
    """The default survey with one change of each kind the diff names."""
    data = yaml.safe_load(DEFAULT)
    questions = {q["key"]: q for q in data["questions"]}
    questions["district"]["text"]["zh"] = "您现在住在哪个区？"  # reworded
    questions["awareness"]["choices"][3]["label"]["zh"] = "不了解"  # code 4 relabelled
    questions["reported"]["choices"].append({"code": 3, "label": {"zh": "记不清"}})  # added
    questions["recommend"]["type"] = "single"  # type changed
    questions["recommend"]["choices"] = [{"code": 1, "label": {"zh": "会"}}]
    del questions["suggestion"]  # removed
    order = [q for q in data["questions"] if q["key"] not in ("suggestion", "gender")]
    order.insert(0, questions["gender"])  # moved to the front
    order.append(
        {
            "key": "contact_ok",
            "type": "single",
            "text": {"zh": "可以联系您吗？"},
            "choices": [{"code": 1, "label": {"zh": "可以"}}],
        }
    )  # added
    data["questions"] = order
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_diff_names_every_kind_of_change_and_marks_the_breaking_ones():
    old = load_file(builtin_path("nanyang-dcm"))
    new = load_text(changed_default())
    found = {(c.kind, c.key): c.breaking for c in compare(old, new).changes}
    assert found == {
        ("moved", "gender"): False,
        ("reworded", "district"): True,
        ("choice_relabelled", "awareness"): True,
        ("choice_added", "reported"): False,
        ("type", "recommend"): True,
        ("added", "contact_ok"): False,
        ("removed", "suggestion"): True,
    }
    assert not compare(old, old)


def test_a_live_survey_changes_only_after_confirmation(app, client, as_role):
    as_role("evaluator")
    shown = upload(
        client, "/console/surveys/nanyang-dcm/versions/upload", changed_default(), "v2.yaml"
    )
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="breaking-summary"' in page
    assert page.count('class="c-row--breaking"') == 4
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]
    # Breaking changes need the box ticked.
    refused = confirm(client, shown, acknowledge=False)
    assert refused.status_code == 400 and 'id="confirm-form"' in refused.get_data(as_text=True)
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]
    assert confirm(client, shown).status_code == 302
    assert versions_of(app) == [(1, "builtin:nanyang-dcm"), (2, "upload:v2.yaml")]
    entry = audit_actions(app, "survey.load")[-1]
    assert entry.detail["version"] == 2 and entry.detail["changes"] == 7
    assert sorted(entry.detail["breaking"]) == [
        "choice_relabelled:awareness",
        "removed:suggestion",
        "reworded:district",
        "type:recommend",
    ]
    # The same page confirmed again after another version went live is shown afresh (409).
    again = confirm(client, shown)
    assert again.status_code in (302, 409)
    assert len(versions_of(app)) == 2


def test_an_xlsx_upload_of_a_live_survey_shows_the_diff_too(app, client, as_role):
    as_role("evaluator")
    workbook = to_xlsform(load_text(changed_default()))
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/console/surveys").get_data(as_text=True),
    ).group(1)
    shown = client.post(
        "/console/surveys/upload",
        data={"csrf_token": token, "definition": (io.BytesIO(workbook), "v2.xlsx")},
        content_type="multipart/form-data",
    )
    assert shown.status_code == 200 and 'data-kind="reworded"' in shown.get_data(as_text=True)
    assert confirm(client, shown).status_code == 302
    assert versions_of(app)[-1] == (2, "upload:v2.xlsx")


def test_drafts_and_new_surveys_load_at_once(app, client, as_role):
    as_role("evaluator")
    other = DEFAULT.replace("key: nanyang-dcm", "key: wolong-pilot", 1)
    assert upload(client, "/console/surveys/upload", other, "pilot.yaml").status_code == 302
    changed = other.replace("您的性别", "性别")
    assert upload(client, "/console/surveys/upload", changed, "pilot2.yaml").status_code == 302
    assert [n for n, _ in versions_of(app, "wolong-pilot")] == [1, 2]


def test_every_version_downloads_as_yaml_xlsform_and_json(client, as_role):
    as_role("viewer")
    base = "/console/surveys/nanyang-dcm/versions/1"
    text = client.get(f"{base}/yaml").get_data(as_text=True)
    assert load_text(text) == load_file(builtin_path("nanyang-dcm"))
    sheet = client.get(f"{base}/xlsform")
    assert "nanyang-dcm-v1.xlsx" in sheet.headers["Content-Disposition"]
    assert read_xlsform(sheet.data) == load_file(builtin_path("nanyang-dcm"))
    assert client.get(f"{base}/json").json["key"] == "nanyang-dcm"
    assert client.get(f"{base}/pdf").status_code == 404
    assert client.get("/console/surveys/nanyang-dcm/versions/9/yaml").status_code == 404


def test_upload_page_offers_the_template_workbook(client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys").get_data(as_text=True)
    assert "/console/definition-template.xlsx" in page
    template = client.get("/console/definition-template.xlsx")
    assert read_xlsform(template.data) == load_file(builtin_path("nanyang-dcm"))


def test_yaml_errors_keep_the_caret_under_the_column(client, as_role):
    as_role("evaluator")
    shown = upload(
        client, "/console/surveys/upload", "key: demo\ntitle: {zh: [unclosed\n", "bad.yaml"
    )
    page = shown.get_data(as_text=True)
    assert shown.status_code == 400
    [block] = re.findall(r'<pre class="c-pre">(.*?)</pre>', page, re.S)
    assert "不是有效的 YAML" in block and "^" in block


def test_distribution_page_shows_the_share_card(client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/distribution").get_data(as_text=True)
    card = page[page.index('id="share-card"') :]
    assert "/s/nanyang-dcm/share.png" in card
    assert load_file(builtin_path("nanyang-dcm")).title["zh"] in card


def test_xlsform_problems_name_sheet_row_and_column_in_chinese_and_english(app, client, as_role):
    from tests.definitions.test_xlsform import workbook

    as_role("evaluator")
    bad = workbook(
        """
| survey |
| | type | name | label |
| | text | first | 第一题 |
| | begin_repeat | kids | 孩子 |
| | end_repeat | | |
"""
    )
    for lang, expected in (
        ("zh_CN", "survey 工作表第 3 行 type 列: 不支持重复组（repeat）"),
        ("en", "survey sheet, row 3, column type: repeat groups are not supported"),
    ):
        client.get(f"/console/surveys?lang={lang}")
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/console/surveys").get_data(as_text=True),
        ).group(1)
        shown = client.post(
            "/console/surveys/upload",
            data={"csrf_token": token, "definition": (io.BytesIO(bad), "kids.xlsx")},
            content_type="multipart/form-data",
        )
        assert shown.status_code == 400
        assert f"kids.xlsx: {expected}" in shown.get_data(as_text=True)
    assert versions_of(app, "kids") is None

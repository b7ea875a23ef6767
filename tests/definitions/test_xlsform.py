"""XLSForm in and out: the default survey round-trips; a form written as KoBoToolbox authors
write one imports as a draft, publishes, renders, validates and exports back unchanged."""

import io
import json
import re

import pytest
from pyxform.builder import create_survey_element_from_dict
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2json_backends import md_table_to_workbook

from surveyapp.definitions import DefinitionError
from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions.store import definition_hash
from surveyapp.definitions.xlsform_in import read_xlsform
from surveyapp.definitions.xlsform_out import to_xlsform

# As a KoBoToolbox author writes it: bilingual label columns, device metadata, a yes/no list
# with text names, selected() relevance, a constraint with a message, a likert field-list.
KOBO_FORM = """
| survey |
| | type | name | label::中文 (zh) | label::English (en) | hint::English (en) | required | relevant | constraint | constraint_message::中文 (zh) | constraint_message::English (en) | appearance |
| | start | start | | | | | | | | | |
| | end | end | | | | | | | | | |
| | select_one yesno | used_service | 您用过政务服务中心吗？ | Have you used the service centre? | | yes | | | | | |
| | select_multiple channels | channels | 您通过哪些渠道办事？ | Which channels did you use? | Choose up to two | | ${used_service} = 'yes' | count-selected(.) <= 2 | 最多选两项 | Choose at most two | |
| | integer | visits | 去年您去了几次？ | How many visits last year? | | | selected(${channels}, 'visit') | . >= 1 and . <= 50 | 请填写1到50之间的数 | Enter a number from 1 to 50 | |
| | note | rating_note | 以下问题请根据最近一次办事的感受回答。 | Answer the next questions about your last visit. | | | ${used_service} = 'yes' | | | | |
| | begin_group | rating | 请评价以下方面 | Please rate each aspect | | | ${used_service} = 'yes' | | | | field-list |
| | select_one agree | rate_staff | 工作人员态度 | Staff attitude | | yes | | | | | likert |
| | select_one agree | rate_wait | 等候时间 | Waiting time | | yes | | | | | likert |
| | end_group | rating | | | | | | | | | |
| | text | comment | 您的建议 | Your suggestions | | | | | | | multiline |
| choices |
| | list_name | name | label::中文 (zh) | label::English (en) |
| | yesno | yes | 是 | Yes |
| | yesno | no | 否 | No |
| | channels | online | 网上办理 | Online |
| | channels | phone | 电话 | By phone |
| | channels | visit | 现场办理 | In person |
| | agree | 5 | 非常满意 | Very satisfied |
| | agree | 4 | 满意 | Satisfied |
| | agree | 3 | 一般 | Neutral |
| | agree | 2 | 不满意 | Dissatisfied |
| | agree | 1 | 很不满意 | Very dissatisfied |
| settings |
| | form_id | form_title | version | default_language |
| | service_pilot | 政务服务满意度试点 | 2026.1 | 中文 (zh) |
"""


def workbook(md):
    """XLSX bytes of a form written as markdown tables (pyxform's own test format)."""
    out = io.BytesIO()
    md_table_to_workbook(md).save(out)
    return out.getvalue()


def xform_of(data):
    """pyxform's XForm of XLSForm bytes (raises if pyxform refuses the form)."""
    warnings = []
    form = get_xlsform(data)
    tree = workbook_to_json(
        form,
        form_name="data",
        fallback_form_name=form.fallback_form_name,
        default_language="default",
        warnings=warnings,
    )
    return create_survey_element_from_dict(tree).to_xml()


def test_default_survey_round_trips_through_xlsform_unchanged():
    definition = load_file(builtin_path("nanyang-dcm"))
    data = to_xlsform(definition)
    assert "<h:html" in xform_of(data)
    again = read_xlsform(data, "nanyang-dcm.xlsx")
    assert again == definition
    assert definition_hash(again) == definition_hash(definition)


def test_kobo_form_maps_onto_the_definition():
    definition = read_xlsform(workbook(KOBO_FORM), "pilot.xlsx")
    assert definition.key == "service-pilot"
    assert definition.title == {"zh": "政务服务满意度试点"}
    keys = [(q.key, q.type) for q in definition.questions]
    assert keys == [
        ("used_service", "single"),
        ("channels", "multiple"),
        ("visits", "number"),
        ("rating_note", "note"),
        ("rating", "likert_group"),
        ("comment", "long_text"),
    ]
    used = definition.question("used_service")
    assert [(c.code, c.name, c.label["en"]) for c in used.choices] == [
        (1, "yes", "Yes"),
        (2, "no", "No"),
    ]
    assert used.required
    channels = definition.question("channels")
    assert channels.relevant == "used_service == 1"
    assert channels.constraint == "count(channels) <= 2"
    assert channels.constraint_message == {"zh": "最多选两项", "en": "Choose at most two"}
    assert channels.help == {"zh": "Choose up to two", "en": "Choose up to two"}
    visits = definition.question("visits")
    assert visits.relevant == "channels has 3"
    assert visits.constraint == "visits >= 1 and visits <= 50"
    assert definition.question("rating_note").relevant == "used_service == 1"
    assert "rating_note" not in definition.answer_keys
    rating = definition.question("rating")
    assert [i.key for i in rating.items] == ["rate_staff", "rate_wait"]
    assert rating.scale == "agree" and rating.required
    assert [c.code for c in rating.choices] == [5, 4, 3, 2, 1]
    assert rating.relevant == "used_service == 1"


def test_kobo_form_exports_back_to_an_xlsform_that_reimports_unchanged():
    definition = read_xlsform(workbook(KOBO_FORM), "pilot.xlsx")
    exported = to_xlsform(definition)
    assert "<h:html" in xform_of(exported)
    assert read_xlsform(exported, "again.xlsx") == definition


@pytest.mark.parametrize(
    ("row", "where", "reason"),
    [
        ("| | begin_repeat | kids | 孩子 |", "survey sheet, row 3, column type", "repeat"),
        ("| | calculate | total | 合计 |", "survey sheet, row 3, column type", "calculation"),
        ("| | geopoint | place | 地点 |", "survey sheet, row 3, column type", "“geopoint”"),
    ],
)
def test_unsupported_features_are_refused_with_sheet_row_and_reason(row, where, reason):
    md = f"""
| survey |
| | type | name | label |
| | text | first | 第一题 |
{row}
"""
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(workbook(md), "bad.xlsx")
    [problem] = caught.value.problems
    assert problem.startswith(where) and reason in problem


def test_cascading_choices_and_media_are_refused_naming_the_column():
    md = """
| survey |
| | type | name | label | choice_filter | image |
| | select_one a | first | 第一题 | | logo.png |
| | select_one b | second | 第二题 | a = ${first} | |
| choices |
| | list_name | name | label | a |
| | a | 1 | 甲 | |
| | b | 1 | 乙 | 1 |
"""
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(workbook(md), "bad.xlsx")
    text = str(caught.value)
    assert "survey sheet, row 2, column image: media (images, audio, video)" in text
    assert "survey sheet, row 3, column choice_filter: cascading choices" in text


def test_xpath_outside_the_subset_and_other_languages_name_row_and_column():
    md = """
| survey |
| | type | name | label::中文 (zh) | label::Français (fr) | relevant |
| | integer | age | 年龄 | Âge | |
| | text | why | 原因 | Pourquoi | today() > ${age} |
"""
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(workbook(md), "bad.xlsx")
    text = str(caught.value)
    assert "survey sheet, row 2, column label::Français (fr): only Chinese (zh)" in text
    assert "survey sheet, row 3, column relevant: cannot translate" in text and "'today'" in text


def test_kobo_form_imports_as_a_draft_publishes_and_enforces_its_constraint(app, runner, tmp_path):
    path = tmp_path / "pilot.xlsx"
    path.write_bytes(workbook(KOBO_FORM))
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--key", "pilot-form"])
    assert result.exit_code == 0, result.output
    assert "draft" in result.output
    with app.app_context():
        from surveyapp.definitions.store import get_survey as _get

        assert (
            _get("pilot-form").latest_version.source_name == "xlsform:pilot.xlsx (version 2026.1)"
        )
    public = app.test_client()
    assert public.get("/s/pilot-form").status_code == 404
    assert runner.invoke(args=["survey", "publish", "pilot-form"]).exit_code == 0

    definition = read_xlsform(workbook(KOBO_FORM), "pilot.xlsx")
    for lang, language in (("zh_CN", "zh"), ("en", "en")):
        page = public.get(f"/s/pilot-form?lang={lang}").get_data(as_text=True)
        for question in definition.questions:
            assert question.text[language] in page
            for choice in question.choices:
                assert choice.label[language] in page
            for item in question.items:
                assert item.label[language] in page

    def post(**answers):
        page = public.get("/s/pilot-form?lang=en").get_data(as_text=True)
        fields = dict(re.findall(r'name="(csrf_token|_st)"[^>]*?value="([^"]*)"', page))
        return public.post("/s/pilot-form?lang=en", data={**fields, **answers})

    answers = {"used_service": "1", "channels": ["1", "3"], "rate_staff": "5", "rate_wait": "3"}
    refused = post(**answers, visits="99")
    assert refused.status_code == 422
    assert "Enter a number from 1 to 50" in refused.get_data(as_text=True)
    too_many = post(**{**answers, "channels": ["1", "2", "3"]}, visits="2")
    assert "Choose at most two" in too_many.get_data(as_text=True)
    assert post(**answers, visits="12").status_code == 303

    out = tmp_path / "back.xlsx"
    result = runner.invoke(
        args=["survey", "export-definition", "pilot-form", "--format", "xlsform", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    again = read_xlsform(out.read_bytes(), "back.xlsx")
    with app.app_context():
        from surveyapp.definitions.store import definition_of
        from surveyapp.definitions.store import get_survey

        assert again == definition_of(get_survey("pilot-form").latest_version)


def test_export_definition_writes_yaml_and_json(runner):
    result = runner.invoke(args=["survey", "export-definition", "nanyang-dcm", "--format", "yaml"])
    assert result.exit_code == 0
    from surveyapp.definitions import load_text

    assert load_text(result.output) == load_file(builtin_path("nanyang-dcm"))
    result = runner.invoke(args=["survey", "export-definition", "nanyang-dcm", "--format", "json"])
    import json

    data = json.loads(result.output)
    first = data["questions"][0]
    assert {"key", "type", "choices", "items"} <= set(first)
    assert set(first["choices"][0]) == {"code", "label", "substantive"}


def test_a_file_that_is_no_workbook_is_refused_politely():
    for data in (b"PK\x03\x04 not really a zip", b"key: yaml-not-xlsx"):
        with pytest.raises(DefinitionError) as caught:
            read_xlsform(data, "x.xlsx")
        assert "not a readable XLSForm workbook" in str(caught.value)


def sheet_rows(data, name):
    """The rows of one sheet of XLSX bytes as dicts keyed by the header row."""
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data))[name].values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_surveyapp_only_attributes_travel_in_extra_columns_and_only_when_set():
    definition = load_file(builtin_path("nanyang-dcm"))
    data = to_xlsform(definition)
    [settings] = sheet_rows(data, "settings")
    assert json.loads(settings["surveyapp_analysis"]) == definition.analysis
    assert settings["surveyapp_population::中文 (zh)"] == definition.population["zh"]
    # Defaults stay out: the default survey uses the default time zone and one answer each.
    assert "surveyapp_timezone" not in settings and "surveyapp_allow_multiple" not in settings
    labelled = {
        r["name"]: r["report_label::English (en)"]
        for r in sheet_rows(data, "survey")
        if r["report_label::English (en)"]
    }
    assert labelled == {q.key: q.report_label["en"] for q in definition.questions if q.report_label}

    kobo = to_xlsform(read_xlsform(workbook(KOBO_FORM), "pilot.xlsx"))
    [settings] = sheet_rows(kobo, "settings")
    assert not [c for c in settings if "population" in c or c.startswith("surveyapp_a")]
    assert "surveyapp_timezone" not in settings
    assert not [c for c in sheet_rows(kobo, "survey")[0] if c.startswith("report_label")]


SETTINGS_FORM = """
| survey |
| | type | name | label | report_label::中文 (zh) | report_label::English (en) |
| | select_one area | area | 您住在哪个区？ | 居住区 | area |
| | select_one sat | overall | 总体满意吗？ | | |
| choices |
| | list_name | name | label |
| | area | 1 | 东区 |
| | area | 2 | 西区 |
| | sat | 5 | 满意 |
| | sat | 1 | 不满意 |
| settings |
| | form_id | surveyapp_population::中文 (zh) | surveyapp_timezone | surveyapp_allow_multiple | surveyapp_analysis |
| | pilot | 试点区居民 | {timezone} | {allow} | {analysis} |
"""


def settings_form(timezone="Asia/Urumqi", allow="yes", analysis='{"domains":["area"]}'):
    return workbook(SETTINGS_FORM.format(timezone=timezone, allow=allow, analysis=analysis))


def test_authors_can_set_report_labels_population_time_zone_repeats_and_analysis():
    definition = read_xlsform(settings_form(), "pilot.xlsx")
    assert definition.question("area").report_label == {"zh": "居住区", "en": "area"}
    assert definition.question("overall").report_label == {}
    assert definition.population == {"zh": "试点区居民"}
    assert definition.timezone == "Asia/Urumqi"
    assert definition.allow_multiple is True
    assert definition.analysis == {"domains": ["area"]}
    again = read_xlsform(settings_form(timezone="", allow="no", analysis=""), "pilot.xlsx")
    assert (again.timezone, again.allow_multiple, again.analysis) == ("Asia/Shanghai", False, {})


@pytest.mark.parametrize(
    ("cell", "column", "reason"),
    [
        ({"analysis": '{"domains":["area"'}, "surveyapp_analysis", "not valid JSON"),
        ({"analysis": '["area"]'}, "surveyapp_analysis", "must be a JSON object"),
        ({"analysis": '{"domains":["nowhere"]}'}, "surveyapp_analysis", "no question 'nowhere'"),
        ({"analysis": '{"overall":"area"}'}, "surveyapp_analysis", "is not a Likert question"),
        ({"timezone": "Asia/Nanyang"}, "surveyapp_timezone", "not an IANA time zone"),
        ({"allow": "sometimes"}, "surveyapp_allow_multiple", "write yes or no"),
    ],
)
def test_bad_survey_settings_are_refused_naming_sheet_row_and_column(cell, column, reason):
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(settings_form(**cell), "pilot.xlsx")
    [problem] = caught.value.problems
    assert problem.startswith(f"settings sheet, row 2, column {column}: ") and reason in problem


def test_bad_survey_settings_are_explained_in_chinese(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        with pytest.raises(DefinitionError) as caught:
            read_xlsform(settings_form(analysis="{oops"), "pilot.xlsx")
    [problem] = caught.value.problems
    assert problem.startswith("settings 工作表第 2 行 surveyapp_analysis 列: 不是有效的 JSON")

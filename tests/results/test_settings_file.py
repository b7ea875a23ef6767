"""``flask survey settings KEY [--load PATH]`` and the checks every way of saving settings shares."""

import pytest
import yaml
from sqlalchemy import select

from surveyapp.definitions.store import get_survey
from surveyapp.models import AnalysisSettings
from surveyapp.models import AuditEntry
from surveyapp.results import settings as settings_service
from tests.results.conftest import csrf_from
from tests.second_survey import load_second
from tests.second_survey import second_survey_path


@pytest.fixture
def second(runner):
    return load_second(runner)


def _printed(runner, key):
    result = runner.invoke(args=["survey", "settings", key])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.output)


def _load(runner, tmp_path, key, settings):
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return runner.invoke(args=["survey", "settings", key, "--load", str(path)])


def _versions(db):
    return db.session.scalars(select(AnalysisSettings.number)).all()


def test_printed_settings_carry_the_shipped_margins_and_a_score_table_of_the_scale(runner, second):
    printed = _printed(runner, second.key)
    shipped = yaml.safe_load(
        second_survey_path().with_suffix("").with_suffix(".margins.yaml").read_text("utf-8")
    )
    assert printed["margins"] == shipped
    assert printed["weighting"] == "rake"
    assert printed["poststratify_variable"] in shipped
    scale = next(iter(second.scales.values()))
    substantive = [c.code for c in scale if c.substantive]
    # Equal steps to 100 over the survey's own (four- or seven-point) scale, best answer first.
    k = len(substantive)
    assert printed["score_table"] == {c: 100 * (k - i) / k for i, c in enumerate(substantive)}


def test_loading_printed_settings_stores_an_audited_version(runner, second, tmp_path, db):
    printed = _printed(runner, second.key)
    var = next(iter(printed["margins"]))
    codes = list(printed["margins"][var])
    printed["margins"][var] = {code: 1000 * (i + 1) for i, code in enumerate(codes)}
    total = sum(printed["margins"][var].values())
    for other in list(printed["margins"])[1:]:
        cells = list(printed["margins"][other])
        printed["margins"][other] = {c: total / len(cells) for c in cells}
    printed["ci_level"] = 0.9
    result = _load(runner, tmp_path, second.key, printed)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("version 1")
    assert _versions(db) == [1]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "settings.change")
    ).one()
    assert entry.username == "cli" and entry.detail["version"] == 1
    assert set(entry.detail["changed"]) == {"margins", "ci_level"}
    again = _printed(runner, second.key)
    assert again["margins"][var] == {code: 1000 * (i + 1) for i, code in enumerate(codes)}
    assert again["ci_level"] == 0.9


def test_a_file_with_some_settings_changes_only_those(runner, second, tmp_path, db):
    before = _printed(runner, second.key)
    result = _load(runner, tmp_path, second.key, {"ci_method": "wilson"})
    assert result.exit_code == 0, result.output
    after = _printed(runner, second.key)
    assert after == {**before, "ci_method": "wilson"}


def _bad_cases(definition):
    """(settings file, words the refusal must contain) for settings that must be refused."""
    weighting = [q for q in definition.questions if q.weighting]
    var = weighting[0]
    other = next(q for q in definition.questions if not q.weighting and q.scale)
    cells = {c.code: 100 for c in var.choices}
    unused = max(var.codes) + 1
    return [
        ({"colour": "red"}, ["colour"]),
        ({"margins": {"no_such_question": {1: 5}}}, ["margins", "no_such_question"]),
        ({"margins": {other.key: {c: 1 for c in other.codes}}}, ["margins", other.key]),
        ({"margins": {var.key: {**cells, unused: 5}}}, ["margins", var.key, str(unused)]),
        ({"margins": {var.key: {**cells, var.codes[0]: -1}}}, ["margins", var.key]),
        ({"margins": {var.key: {**cells, var.codes[0]: "many"}}}, ["margins", "many"]),
        ({"margins": {var.key: {var.codes[0]: 100}}}, ["margins", var.key, str(var.codes[1])]),
        (
            {
                "weighting": "rake",
                "margins": {var.key: cells, weighting[1].key: {c: 7 for c in weighting[1].codes}},
            },
            ["margins", var.key, weighting[1].key],
        ),
        ({"ci_level": 1.5}, ["ci_level"]),
        ({"ci_level": "high"}, ["ci_level"]),
        ({"weighting": "magic"}, ["weighting", "magic"]),
        (
            {"weighting": "poststratify", "poststratify_variable": other.key},
            ["poststratify_variable", other.key],
        ),
        ({"score_table": {99: 100, 1: 0}}, ["score_table", "99"]),
        # The settings of the removed score table are unknown keys now.
        ({"grades": [["优", 90]]}, ["grades"]),
        ({"manual_scores": {}}, ["manual_scores"]),
        ({"comparison": {"by": "dates", "a": ["2026-01-01", "soon"], "b": ["", ""]}}, ["soon"]),
        (
            {
                "rubric": {
                    "indicators": [
                        {
                            "id": "x",
                            "name": {"zh": "x"},
                            "points": 5,
                            "estimate": {"kind": "share", "question": "nope", "codes": [1]},
                            "rule": {"type": "proportional"},
                        }
                    ]
                }
            },
            ["rubric", "nope"],
        ),
    ]


def test_bad_settings_are_refused_naming_what_is_wrong_and_nothing_is_stored(
    runner, second, tmp_path, db
):
    before = _printed(runner, second.key)
    for settings, words in _bad_cases(second):
        result = _load(runner, tmp_path, second.key, settings)
        assert result.exit_code != 0, (settings, result.output)
        for word in words:
            assert word in result.output, (settings, word, result.output)
    assert _versions(db) == []
    assert _printed(runner, second.key) == before


def test_a_file_that_is_not_yaml_is_refused(runner, second, tmp_path, db):
    path = tmp_path / "broken.yaml"
    path.write_text("margins: {area: [1, 2", encoding="utf-8")
    result = runner.invoke(args=["survey", "settings", second.key, "--load", str(path)])
    assert result.exit_code != 0 and "YAML" in result.output
    assert _versions(db) == []


def test_unknown_survey_is_refused(runner):
    result = runner.invoke(args=["survey", "settings", "no-such-survey"])
    assert result.exit_code != 0 and "no-such-survey" in result.output


def test_the_default_surveys_shipped_settings_pass_the_checks(db):
    survey = get_survey("nanyang-dcm")
    _version, before = settings_service.current(survey)
    row = settings_service.save(survey, {})
    assert row.number == 1
    assert settings_service.current(survey) == (1, before)


def test_console_settings_page_refuses_bad_margins_in_chinese(as_role, runner, second, db):
    client = as_role("evaluator")
    url = f"/console/surveys/{second.key}/analysis-settings"
    token = csrf_from(client, url)
    var = next(q for q in second.questions if q.weighting)
    margins = "variable,code,count\n" + "".join(f"{var.key},{c},100\n" for c in var.codes)
    data = {
        "csrf_token": token,
        "weighting": "poststratify",
        "poststratify_variable": var.key,
        "margins": margins + f"{var.key},{max(var.codes) + 1},5\n",
        "ci_method": "logit",
        "ci_level": "0.95",
        "scoring": "linear",
        "score_table": "",
        "rubric": "indicators: []",
        "comparison_by": "none",
        "wave_a": "",
        "wave_b": "",
    }
    with client.post(url, data=data) as response:
        assert response.status_code == 200
        assert f"margins：{var.key} 没有选项 {max(var.codes) + 1}" in response.text
    assert _versions(db) == []
    with client.post(url, data={**data, "margins": margins}) as response:
        assert response.status_code == 302, response.text
    assert _versions(db) == [1]

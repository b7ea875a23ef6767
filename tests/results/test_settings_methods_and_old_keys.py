"""Every share-interval method of the analysis package can be chosen; old stored settings load."""

import json

import pytest
import yaml
from flask_babel import force_locale
from sqlalchemy import select

import analysis
from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import AnalysisSettings
from surveyapp.results import settings as settings_service
from surveyapp.results.citations import method_name
from surveyapp.results.citations import methods_paragraph
from surveyapp.results.compute import computed
from surveyapp.results.settings_check import CI_METHODS

KEY = "nanyang-dcm"
RESULTS = f"/console/surveys/{KEY}/results"
SETTINGS = f"/console/surveys/{KEY}/analysis-settings"


def _load(runner, tmp_path, settings):
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return runner.invoke(args=["survey", "settings", KEY, "--load", str(path)])


def test_the_settings_offer_every_interval_method_of_the_analysis_package(app):
    assert CI_METHODS == analysis.PROPORTION_METHODS
    assert {"likelihood", "asin"} <= set(CI_METHODS)
    with app.test_request_context():
        for locale in ("en", "zh"):
            with force_locale(locale):
                names = [method_name(m) for m in CI_METHODS]
            assert len(set(names)) == len(CI_METHODS) and not set(names) & set(CI_METHODS)
        with pytest.raises(KeyError):
            method_name("no-such-method")


@pytest.mark.parametrize(
    ("method", "zh_name"),
    [("likelihood", "轮廓似然区间"), ("asin", "反正弦平方根变换区间")],
)
def test_saving_a_likelihood_or_asin_interval_drives_the_results(
    as_role, demo, runner, tmp_path, method, zh_name
):
    client = as_role("evaluator")
    with client.get(SETTINGS) as response:
        assert f'<option value="{method}">' in response.text
    result = _load(runner, tmp_path, {"ci_method": method})
    assert result.exit_code == 0, result.output
    with demo.app_context():
        survey = get_survey(KEY)
        version, settings = settings_service.current(survey)
        assert version == 1 and settings["ci_method"] == method
        done = computed(survey)
        results = done.results
        figure = results.estimate("awareness", "dist", [3])
        assert figure.method == method
        level = float(settings["ci_level"])
        codes = definition_of(survey.latest_version).question("awareness").codes
        shares = analysis.proportion(done.design, "awareness", levels=list(codes))
        direct = next(e for e in shares if int(float(e.category)) == 3)
        assert (figure.ci_low, figure.ci_high) == pytest.approx(direct.ci(level, method))
        assert zh_name in methods_paragraph(results, "zh")
    with client.get(RESULTS) as response:
        assert response.status_code == 200


def test_stored_settings_with_the_removed_grades_and_manual_scores_still_load(
    as_role, demo, runner, tmp_path
):
    with demo.app_context():
        survey = get_survey(KEY)
        old = settings_service.default_settings(KEY, definition_of(survey.latest_version))
        old |= {"ci_level": 0.9, "grades": [["优", 90.0], ["良", 80.0]], "manual_scores": {"a": 3}}
        _db.session.add(AnalysisSettings(survey_id=survey.id, number=1, settings=old))
        _db.session.commit()
        version, settings = settings_service.current(survey)
        assert version == 1 and settings["ci_level"] == 0.9
        assert "grades" not in settings and "manual_scores" not in settings
    client = as_role("evaluator")
    for url in (RESULTS, SETTINGS):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert 'name="grades"' not in response.text
    printed = runner.invoke(args=["survey", "settings", KEY])
    assert printed.exit_code == 0 and "grades" not in printed.output
    analyzed = runner.invoke(args=["survey", "analyze", KEY, "--json"])
    assert analyzed.exit_code == 0, analyzed.output
    assert "grades" not in json.loads(analyzed.output)["settings"]
    # Saving over the old version works, and stores no obsolete key...
    assert _load(runner, tmp_path, {"ci_level": 0.95}).exit_code == 0
    # ...while a settings file naming one is refused like any unknown setting.
    for key, value in (("grades", [["优", 90]]), ("manual_scores", {})):
        refused = _load(runner, tmp_path, {key: value})
        assert refused.exit_code != 0 and f"未知的设置项 {key}" in refused.output
    with demo.app_context():
        rows = _db.session.scalars(select(AnalysisSettings).order_by(AnalysisSettings.number))
        stored = [r.settings for r in rows]
    assert len(stored) == 2 and not {"grades", "manual_scores"} & set(stored[1])

"""Results for a survey written inside the test: random keys, codes and scales, no district.

Every question gets its summary, raking meets the margins, headline figures equal direct
``analysis`` calls, significance flags follow p < 1 - level, missing estimates raise, and the
crosstab CLI answers in JSON.
"""

import io
import json
import os
import secrets
import shutil
import zipfile
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

import analysis
from surveyapp.definitions.loader import load_text
from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.definitions.store import save_definition
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.results import settings as settings_service
from surveyapp.results.compute import clear_cache
from surveyapp.results.compute import compute_results
from surveyapp.results.data import load_frame
from surveyapp.results.model import MissingEstimate
from surveyapp.results.waves import utc_bounds
from tests.conftest import CHROMIUM

N = 600


def _key(prefix):
    return f"{prefix}_{secrets.token_hex(3)}"


@pytest.fixture
def random_survey(app):
    """A survey with random keys and codes: a 7-point scale with a "not experienced" code."""
    k = {
        name: _key(name[:2])
        for name in ("area", "band", "scale", "items", "one", "two", "overall", "pick", "num")
    }
    k.update(rating=_key("ra"), note=_key("no"), yesno=_key("yn"))
    area_codes = [11, 12, 13]
    band_codes = [21, 22]
    # Listed best first; the non-substantive code is 0.
    scale_codes = [70, 60, 50, 40, 30, 20, 10]
    scale = "\n".join(
        f"    - {{code: {c}, label: {{zh: 等级{c}, en: level {c}}}}}" for c in scale_codes
    )
    text = f"""
key: rnd-{secrets.token_hex(2)}
title: {{zh: 随机问卷, en: Random survey}}
population: {{zh: 测试总体, en: the test population}}
scales:
  {k["scale"]}:
{scale}
    - {{code: 0, label: {{zh: 未接触过, en: not experienced}}, substantive: false}}
questions:
  - key: {k["area"]}
    type: demographic
    required: true
    text: {{zh: 片区？, en: Area}}
    choices:
{chr(10).join(f"      - {{code: {c}, label: {{zh: 片区{c}, en: area {c}}}}}" for c in area_codes)}
  - key: {k["band"]}
    type: single
    required: true
    text: {{zh: 年龄段？, en: Band}}
    choices:
{chr(10).join(f"      - {{code: {c}, label: {{zh: 段{c}, en: band {c}}}}}" for c in band_codes)}
  - key: {k["items"]}
    type: likert_group
    scale: {k["scale"]}
    text: {{zh: 请评价, en: Rate}}
    items:
      - {{key: {k["one"]}, label: {{zh: 甲, en: A}}}}
      - {{key: {k["two"]}, label: {{zh: 乙, en: B}}}}
  - key: {k["overall"]}
    type: likert
    scale: {k["scale"]}
    text: {{zh: 总体评价？, en: Overall}}
  - key: {k["yesno"]}
    type: single
    text: {{zh: 是否？, en: Yes or no}}
    choices:
      - {{code: 4, label: {{zh: 是, en: yes}}}}
      - {{code: 8, label: {{zh: 否, en: no}}}}
      - {{code: 99, label: {{zh: 说不清, en: can't say}}, substantive: false}}
  - key: {k["pick"]}
    type: multiple
    text: {{zh: 多选, en: Pick}}
    choices:
      - {{code: 3, label: {{zh: 甲, en: a}}}}
      - {{code: 5, label: {{zh: 乙, en: b}}}}
  - key: {k["num"]}
    type: number
    min: 0
    max: 100
    text: {{zh: 数字, en: Number}}
  - key: {k["rating"]}
    type: rating
    text: {{zh: 推荐？, en: Recommend}}
  - key: {k["note"]}
    type: long_text
    text: {{zh: 建议, en: Note}}
analysis:
  domains: [{k["area"]}]
  headlines:
    - {{id: agree, question: {k["yesno"]}, codes: [4]}}
"""
    rng = np.random.default_rng(7)
    with app.app_context():
        definition = load_text(text, "random.yaml")
        version, _ = save_definition(definition)
        survey = get_survey(definition.key)
        start = datetime(2026, 10, 1)
        for i in range(N):
            area = area_codes[i % 3]
            latent = {11: 2.0, 12: 4.5, 13: 4.55}[area] + rng.normal(0, 1)

            def level(latent=latent):
                return scale_codes[::-1][int(np.clip(round(latent + rng.normal(0, 1)), 0, 6))]

            r = Response(
                survey_id=survey.id,
                version_id=version.id,
                submission_token=f"rnd{i}",
                channel="web" if i % 4 else "interview",
                submitted_at=start + timedelta(hours=i),
                status="valid",
            )
            db.session.add(r)
            db.session.flush()
            rows = [
                (k["area"], area, None, None, True),
                (k["band"], band_codes[int(rng.random() < 0.3)], None, None, False),
                (k["one"], level(), None, None, False),
                (k["two"], 0 if i % 9 == 0 else level(), None, None, False),
                (k["overall"], level(), None, None, False),
                (k["yesno"], [4, 8, 99][i % 3 if area != 13 else 0], None, None, False),
                (k["num"], None, float(rng.integers(0, 60)), None, False),
                (k["rating"], int(rng.integers(0, 11)), None, None, False),
            ]
            rows += [(k["pick"], c, None, None, False) for c in (3, 5) if rng.random() < 0.5]
            if i % 5 == 0:
                rows.append((k["note"], None, None, f"意见 {i}", False))
            db.session.add_all(
                Answer(
                    response_id=r.id,
                    survey_id=survey.id,
                    question=q,
                    code=c,
                    number=num,
                    text=t,
                    demographic=d,
                )
                for q, c, num, t, d in rows
            )
        db.session.commit()
    clear_cache()
    margins = {
        k["area"]: {"11": 5000.0, "12": 3000.0, "13": 2000.0},
        k["band"]: {"21": 6000.0, "22": 4000.0},
    }
    return {"app": app, "key": definition.key, "keys": k, "margins": margins}


def _settings(survey, margins, **changes):
    _, settings = settings_service.current(survey)
    return {**settings, "weighting": "rake", "margins": margins, **changes}


def test_every_question_has_its_summary_and_raking_meets_the_margins(random_survey):
    app, k, margins = random_survey["app"], random_survey["keys"], random_survey["margins"]
    with app.app_context():
        survey = get_survey(random_survey["key"])
        results = compute_results(survey, _settings(survey, margins), 1)
        frame = load_frame(survey)
    assert results.weighting.method == "rake" and results.weighting.error is None
    for q in results.definition.questions:
        summary = results.summary(q.key)
        if q.key == k["note"]:
            assert summary.n == N // 5 and results.text_counts[q.key] == N // 5
        else:
            assert summary.figures and summary.n > 0, q.key
    # Raking meets every margin: weighted counts by area and band equal the population counts.
    # (The weights are recomputed here from the report's achieved margins and directly.)
    for var, cells in margins.items():
        achieved = results.weighting.report["achieved"][var]
        for code, target in cells.items():
            assert achieved[code] == pytest.approx(target, rel=1e-6)
    assert results.weights_sum == pytest.approx(10000.0)
    # Scale order from the choices: the top two of the 7-point scale are 70 and 60, and the
    # "not experienced" code 0 is out of the base.
    top = results.estimate(k["one"], "top2")
    assert top.codes == (70, 60)
    two = results.estimate(k["two"], "top2")
    assert two.n == int((frame[k["two"]] != 0).sum())
    # Statistics of each type are there.
    for question, statistic, codes in (
        (k["rating"], "nps", ()),
        (k["rating"], "mean", ()),
        (k["num"], "median", ()),
        (k["num"], "q1", ()),
        (k["num"], "q3", ()),
        (k["pick"], "share", (5,)),
        (k["items"], "index", ()),
        ("index", "index", ()),
        (k["yesno"], "share", (4,)),
    ):
        assert results.estimate(question, statistic, codes).n > 0
    # The plan's domain has headline figures and pairwise differences.
    assert results.estimate("index", "index", (), (k["area"], "11")).n == N // 3
    assert {(d.a, d.b) for d in results.domain_differences} == {
        ("11", "12"),
        ("11", "13"),
        ("12", "13"),
    }


def test_headline_figures_equal_direct_analysis_calls(random_survey):
    app, k, margins = random_survey["app"], random_survey["keys"], random_survey["margins"]
    with app.app_context():
        survey = get_survey(random_survey["key"])
        settings = _settings(survey, margins)
        results = compute_results(survey, settings, 1)
        frame = load_frame(survey)
    # The default score table scores the seven levels 100, 85.7, ... 14.3, best first.
    table = settings["score_table"]
    assert sorted(table.values()) == pytest.approx([100 * i / 7 for i in range(1, 8)])
    # An independent design: string copies of the weighting variables, raked to the margins.
    for var in margins:
        frame[f"w_{var}"] = frame[var].map(lambda v: str(int(v)))
    frame["yes"] = np.where(frame[k["yesno"]] == 99, np.nan, (frame[k["yesno"]] == 4) * 1.0)
    nps = frame[k["rating"]]
    frame["nps"] = np.where(
        nps.isna(), np.nan, np.where(nps >= 9, 100.0, np.where(nps <= 6, -100.0, 0.0))
    )
    design = analysis.rake(
        analysis.Design(frame), {f"w_{var}": cells for var, cells in margins.items()}
    )
    levels = [10, 20, 30, 40, 50, 60, 70]
    checks = [
        (
            results.estimate(k["overall"], "top2"),
            analysis.satisfaction_rate(design, k["overall"], levels=levels, top=2),
            "logit",
        ),
        (
            results.estimate(k["yesno"], "share", [4]),
            analysis.proportion(design, "yes", levels=[0, 1])[1],
            "logit",
        ),
        (
            results.estimate("index", "index"),
            analysis.dimension_index(design, [k["one"], k["two"]], levels=levels, table=table),
            None,
        ),
        (
            results.estimate(k["overall"], "score"),
            analysis.score(design, k["overall"], levels=levels, table=table),
            None,
        ),
        (results.estimate(k["rating"], "nps"), analysis.mean(design, "nps"), None),
    ]
    for figure, direct, method in checks:
        assert figure.estimate == pytest.approx(direct.estimate, rel=1e-9)
        assert figure.se == pytest.approx(direct.se, rel=1e-9)
        assert (figure.ci_low, figure.ci_high) == pytest.approx(direct.ci(0.95, method), rel=1e-9)
        assert figure.n == direct.n
    # Domain differences: both flags occur, and each is p < 1 - level.
    by_area = analysis.dimension_index(
        design, [k["one"], k["two"]], levels=levels, table=table, by=k["area"]
    )
    flags = set()
    for d in results.domain_differences:
        direct = analysis.domain_difference(by_area, float(d.a), float(d.b))
        assert d.difference == pytest.approx(direct.estimate, rel=1e-9)
        assert d.p_value == pytest.approx(direct.p_value, rel=1e-6, abs=1e-12)
        assert d.significant == (direct.p_value < 0.05)
        flags.add(d.significant)
    assert flags == {True, False}


def test_missing_estimates_raise_with_a_clear_message(random_survey):
    app, k, margins = random_survey["app"], random_survey["keys"], random_survey["margins"]
    with app.app_context():
        survey = get_survey(random_survey["key"])
        results = compute_results(survey, _settings(survey, margins), 1)
    with pytest.raises(MissingEstimate, match=k["yesno"]):
        results.estimate(k["yesno"], "share", [8, 4, 99, 12345])
    with pytest.raises(KeyError, match="no_such_question"):
        results.estimate("no_such_question", "share", [1])
    with pytest.raises(KeyError, match="district"):
        results.estimate("index", "index", domain=("district", "1"))


def test_weighting_failure_is_an_error_not_a_silent_fallback(random_survey):
    app, k = random_survey["app"], random_survey["keys"]
    # Code 23 has a population count but no respondent: raking cannot meet it.
    margins = {k["band"]: {"21": 6000.0, "22": 2000.0, "23": 2000.0}}
    with app.app_context():
        survey = get_survey(random_survey["key"])
        results = compute_results(survey, _settings(survey, margins), 1)
        from surveyapp.results.citations import methods_paragraph

        note = methods_paragraph(results, "en")
    assert results.weighting.requested == "rake" and results.weighting.method == "none"
    assert results.weighting.error
    assert "Weighting failed" in note and "raked" not in note


def test_crosstab_cli_json(random_survey, runner):
    k = random_survey["keys"]
    result = runner.invoke(
        args=["survey", "analyze", random_survey["key"], "--by", k["area"], "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    tables = {t["question"]: t for t in data["crosstabs"]}
    assert k["note"] not in tables and k["overall"] in tables
    overall = tables[k["overall"]]
    assert {e["domain"][k["area"]] for e in overall["estimates"]} == {"11", "12", "13"}
    # Satisfaction depends on the area by construction: the Rao-Scott test says so.
    assert overall["tests"][k["overall"]]["p_value"] < 0.001
    bad = runner.invoke(args=["survey", "analyze", random_survey["key"], "--by", k["num"]])
    assert bad.exit_code != 0 and "categorical" in bad.output


def test_wave_dates_are_local_days_with_the_end_included():
    low, high = utc_bounds("2026-10-01", "2026-10-15", "Asia/Shanghai")
    # Local midnight of 1 October is 16:00 UTC on 30 September; the 15th is included.
    assert low == datetime(2026, 9, 30, 16, 0) and high == datetime(2026, 10, 15, 16, 0)
    with pytest.raises(ValueError, match="before"):
        utc_bounds("2026-10-15", "2026-10-01", "Asia/Shanghai")


def test_wave_comparison_counts_the_last_local_day(random_survey):
    app, margins = random_survey["app"], random_survey["margins"]
    # Responses are hourly from 2026-10-01 00:00 UTC (08:00 local); 2026-10-10 local ends at
    # 2026-10-10 16:00 UTC, so wave A holds the hours 0..231 (232 responses).
    comparison = {
        "by": "dates",
        "a": ["2026-10-01", "2026-10-10"],
        "b": ["2026-10-11", "2026-12-31"],
    }
    with app.app_context():
        survey = get_survey(random_survey["key"])
        waves = compute_results(survey, _settings(survey, margins, comparison=comparison), 1).waves
    assert waves.error is None and (waves.n_a, waves.n_b) == (232, N - 232)
    assert waves.label_a == "2026-10-01 – 2026-10-10"
    for row in waves.rows:
        # A share of a raking variable is fixed by its margin in both waves: no p-value there.
        assert row.significant == (row.p_value is not None and row.p_value < 0.05)


def test_results_page_api_and_report_of_the_random_survey(random_survey, client, accounts):
    from tests.conftest import login_as

    key, k = random_survey["key"], random_survey["keys"]
    login_as(client, accounts["evaluator"])
    url = f"/console/surveys/{key}/results"
    with client.get(url) as response:
        assert response.status_code == 200
        page = response.text
    for q in (k["area"], k["items"], k["overall"], k["pick"], k["num"], k["rating"], k["note"]):
        assert f'id="section-q-{q}"' in page
    # Nothing of the default survey's wording leaks in; text answers stay off the page.
    assert "数字城管" not in page and "district" not in page and "意见 5" not in page
    with client.get(f"{url}?q={k['overall']}&by={k['area']}") as response:
        assert "Rao–Scott" in response.text or "Rao-Scott" in response.text
    with client.get(f"{url}/text/{k['note']}?search=意见 1") as response:
        assert response.status_code == 200 and "意见 1" in response.text
    with client.get(f"{url}/report.md") as response:
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            [name] = [n for n in archive.namelist() if n.endswith(".md")]
            markdown = archive.read(name).decode()
    # The report names the random survey's own questions and choices, and no text answer.
    assert "总体评价？" in markdown and "片区11" in markdown and "意见 5" not in markdown
    assert "数字城管" not in markdown
    for name in ("headline", "likert", "domains"):
        with client.get(f"{url}/chart/{name}.svg") as response:
            assert response.status_code == 200, name


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_random_survey_page_in_a_browser(random_survey, browser, live_server, tmp_path):
    """An evaluator reads the random survey's page (screenshot: /tmp/screens/results-random.png)."""
    from tests.conftest import create_user

    with random_survey["app"].app_context():
        create_user("wang.pingjia", "evaluator", "evaluator password 789")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server}/auth/login")
    page.fill("#username", "wang.pingjia")
    page.fill("#password", "evaluator password 789")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/**")
    k = random_survey["keys"]
    page.goto(
        f"{live_server}/console/surveys/{random_survey['key']}/results"
        f"?q={k['overall']}&by={k['area']}"
    )
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#section-q-{k['num']} tr.r-figure").count() == 4
    for img in page.locator(".r-chart img").element_handles():
        assert page.evaluate("i => i.complete && i.naturalWidth > 100", img)
    assert page.locator("#crosstab tr.r-figure").count() > 10
    path = tmp_path / "results-random.png"
    page.screenshot(path=str(path), full_page=True)
    Path("/tmp/screens").mkdir(exist_ok=True)
    shutil.copyfile(path, "/tmp/screens/results-random.png")
    page.close()


def test_quantiles_and_nps_by_hand_without_weights(random_survey):
    app, k = random_survey["app"], random_survey["keys"]
    with app.app_context():
        survey = get_survey(random_survey["key"])
        results = compute_results(survey, _settings(survey, {}, weighting="none"), 1)
        frame = load_frame(survey)
    values = frame[k["num"]].dropna().to_numpy()
    for statistic, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
        figure = results.estimate(k["num"], statistic)
        # The smallest value whose cumulative share reaches p (R's qrule="math").
        assert figure.estimate == np.quantile(values, p, method="inverted_cdf")
        assert figure.ci_low <= figure.estimate <= figure.ci_high
        # Woodruff's interval with a logit interval for the share below (R's "xlogit").
        direct = analysis.quantile(analysis.Design(frame), k["num"], (p,), interval="xlogit")[p]
        assert (figure.ci_low, figure.ci_high) == pytest.approx((direct.low, direct.high))
    rating = frame[k["rating"]].dropna()
    nps = results.estimate(k["rating"], "nps")
    assert nps.estimate == pytest.approx(100 * ((rating >= 9).mean() - (rating <= 6).mean()))
    assert nps.se == pytest.approx(
        100
        * np.where(rating >= 9, 1, np.where(rating <= 6, -1, 0)).std(ddof=1)
        / len(rating) ** 0.5
    )


def test_wave_comparison_by_versions_and_the_text_summary(random_survey, runner):
    from dataclasses import replace

    from sqlalchemy import update

    app, margins = random_survey["app"], random_survey["margins"]
    with app.app_context():
        survey = get_survey(random_survey["key"])
        changed = replace(definition_of(survey.latest_version), title={"zh": "随机问卷（第二版）"})
        second, created = save_definition(changed)
        assert created and second.number == 2
        db.session.execute(
            update(Response)
            .where(Response.survey_id == survey.id, Response.id % 2 == 0)
            .values(version_id=second.id)
        )
        db.session.commit()
        comparison = {"by": "versions", "a": ["1"], "b": ["2"]}
        waves = compute_results(
            get_survey(random_survey["key"]), _settings(survey, margins, comparison=comparison), 1
        ).waves
    assert waves.error is None and (waves.n_a, waves.n_b) == (N // 2, N // 2)
    assert (waves.label_a, waves.label_b) == ("v1", "v2") and len(waves.rows) == 3
    text = runner.invoke(args=["survey", "analyze", random_survey["key"]])
    assert text.exit_code == 0 and f"n={N}" in text.output

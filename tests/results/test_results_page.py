"""The results page, the JSON CLI and the settings: same numbers everywhere, weighted, audited."""

import hashlib
import io
import json
import re
import zipfile

import numpy as np
from docx import Document
from sqlalchemy import select

from surveyapp.definitions.store import get_survey
from surveyapp.models import AnalysisSettings
from surveyapp.models import AuditEntry
from surveyapp.models import Response
from surveyapp.results.compute import compute_results
from surveyapp.results.data import load_frame
from tests.results.conftest import csrf_from

URL = "/console/surveys/nanyang-dcm/results"
FIGURE = re.compile(
    r'<tr class="r-figure[^"]*" data-key="([^"]+)" data-estimate="([^"]+)" '
    r'data-ci-low="([^"]+)" data-ci-high="([^"]+)" data-n="(\d+)" data-reliable="(true|false)"'
)


def _key(row):
    domain = "" if not row["domain"] else "{}={}".format(*next(iter(row["domain"].items())))
    return f"{row['question']}|{','.join(map(str, row['codes']))}|{domain}|{row['statistic']}"


def test_page_shows_the_same_numbers_as_the_json_cli(as_role, runner):
    client = as_role("viewer")
    with client.get(URL) as response:
        assert response.status_code == 200
        page = response.text
    matches = FIGURE.findall(page)
    shown = {m[0]: (float(m[1]), float(m[2]), float(m[3]), int(m[4])) for m in matches}
    reliable = {m[0]: m[5] == "true" for m in matches}
    result = runner.invoke(args=["survey", "analyze", "nanyang-dcm", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"survey", "settings", "estimates", "indicators"}
    by_key = {_key(r): r for r in data["estimates"]}
    # Every figure on the page is one of the JSON estimates, with exactly the same values...
    assert len(shown) > 50
    for key, (est, low, high, n) in shown.items():
        row = by_key[key]
        assert (est, low, high, n) == (row["estimate"], row["ci"][0], row["ci"][1], row["n"])
        assert reliable[key] == row["reliable"] == (not row["flags"])
    # ...and the headline whole-sample figures are all on the page.
    for key in (
        "awareness|3||dist",
        "awareness|1,2,3||share",
        "sat_overall|5,4||top2",
        "index|||index",
        "env_improved|5,4||share",
        "index||district=2|index",
        "sat_overall|5,4|channel=wechat|top2",
        "recommend|||nps",
        "years_lived|||median",
        "heard_via|2||share",
    ):
        assert key in shown
    for ind in data["indicators"]:
        assert (
            f'data-id="{ind["id"]}" data-estimate="{ind["estimate"]}" data-points="{ind["points"]}"'
            in page
        )


def test_json_shape_of_an_awareness_share(demo, runner):
    data = json.loads(runner.invoke(args=["survey", "analyze", "nanyang-dcm", "--json"]).output)
    row = next(
        r
        for r in data["estimates"]
        if r["question"] == "awareness" and r["codes"] == [3] and r["domain"] is None
    )
    assert row["statistic"] == "dist" and row["method"] == "logit" and row["level"] == 0.95
    assert row["ci"][0] < row["estimate"] < row["ci"][1]
    assert row["n_eff"] > 0 and row["deff"] > 0
    district = next(
        r
        for r in data["estimates"]
        if r["question"] == "awareness" and r["domain"] == {"district": "2"}
    )
    assert district["n"] < row["n"]


def test_raking_hits_the_margins_and_changes_the_estimates(demo):
    with demo.app_context():
        survey = get_survey("nanyang-dcm")
        results = compute_results(survey)
        assert results.weighting.method == "rake" and results.weighting.report["converged"]
        # Weights add up to the population of the shipped margins (1,200,000 adults).
        assert abs(results.weights_sum - 1_200_000) < 1
        frame = load_frame(survey)
        # The sample over-represents the young (demo), so the unweighted age mix differs from the
        # weighted one: the raw share of 60+ is far below the population share 276000/1200000.
        assert (frame["age_group"] == 4).mean() < 0.8 * 276000 / 1200000
        unweighted = compute_results(survey, {**_settings(survey), "weighting": "none"}, 0)
    w = results.estimate("awareness", "dist", [4])
    u = unweighted.estimate("awareness", "dist", [4])
    # The oldest are least aware (demo model): weighting them up raises the "not at all" share.
    assert w.estimate > u.estimate
    assert u.deff < w.deff * 1.5


def _settings(survey):
    from surveyapp.results import settings

    return settings.current(survey)[1]


def test_only_valid_responses_are_analysed(demo):
    with demo.app_context():
        survey = get_survey("nanyang-dcm")
        valid = (
            demo.extensions["sqlalchemy"]
            .session.scalars(select(Response.id).where(Response.status == "valid"))
            .all()
        )
        frame = load_frame(survey)
        assert sorted(frame["response_id"]) == sorted(valid)
        results = compute_results(survey)
    expected = hashlib.sha256(",".join(map(str, sorted(valid))).encode()).hexdigest()
    assert results.provenance["response_ids_sha256"] == expected
    assert results.fieldwork["n_excluded"] > 0


def test_load_frame_columns(demo):
    with demo.app_context():
        frame = load_frame(get_survey("nanyang-dcm"))
    assert {
        "district",
        "awareness",
        "sat_parking",
        "heard_via_1",
        "heard_via_5",
        "years_lived",
    } <= set(frame)
    aware = frame["awareness"].isin([1, 2, 3])
    # heard_via was asked only of the aware: 0/1 there, missing elsewhere.
    assert frame.loc[~aware, "heard_via_1"].isna().all()
    assert set(np.unique(frame.loc[aware, "heard_via_1"])) <= {0.0, 1.0}


def test_viewer_sees_results_but_not_downloads(as_role):
    client = as_role("viewer")
    with client.get(URL) as response:
        assert "report.docx" not in response.text
    for url in (
        URL + "/report.docx",
        URL + "/export?format=csv",
        "/console/surveys/nanyang-dcm/analysis-settings",
    ):
        with client.get(url) as response:
            assert response.status_code == 403


def test_anonymous_is_sent_to_login(demo, client):
    with client.get(URL) as response:
        assert response.status_code in (302, 401)


def test_settings_change_is_versioned_and_audited(as_role, demo):
    client = as_role("evaluator")
    url = "/console/surveys/nanyang-dcm/analysis-settings"
    token = csrf_from(client, url)
    with client.get(url) as response:
        form = response.text
    margins = (
        "variable,code,count\ndistrict,1,400\ndistrict,2,300\ndistrict,3,200\ndistrict,4,100\n"
    )
    rubric = re.search(
        r'<textarea class="r-code" id="rubric" name="rubric"[^>]*>\s*(.*?)</textarea>', form, re.S
    )
    import html

    data = {
        "csrf_token": token,
        "weighting": "poststratify",
        "poststratify_variable": "district",
        "margins": margins,
        "ci_method": "wilson",
        "ci_level": "0.9",
        "scoring": "linear",
        "score_table": "5:100,4:75,3:50,2:25,1:0",
        "rubric": html.unescape(rubric.group(1)),
        "comparison_by": "none",
        "wave_a": "",
        "wave_b": "",
    }
    with client.post(url, data=data) as response:
        assert response.status_code == 302, response.text
    with demo.app_context():
        survey = get_survey("nanyang-dcm")
        rows = demo.extensions["sqlalchemy"].session.scalars(select(AnalysisSettings)).all()
        assert [r.number for r in rows] == [1]
        entry = (
            demo.extensions["sqlalchemy"]
            .session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.change"))
            .one()
        )
        assert entry.detail["version"] == 1 and "ci_method" in entry.detail["changed"]
        results = compute_results(survey)
    assert results.weighting.method == "poststratify"
    assert abs(results.weights_sum - 1000) < 1e-6
    share = results.estimate("awareness", "dist", [3])
    assert share.method == "wilson" and share.level == 0.9
    # Bad input: a clear message, no new version, no 500.
    with client.post(
        url, data={**data, "margins": "variable,code,count\ndistrict,x,1\n"}
    ) as response:
        assert response.status_code == 200
        assert "code 须为整数" in response.text
    with client.post(
        url, data={**data, "weighting": "rake", "margins": margins + "gender,1,5\ngender,2,5\n"}
    ) as response:
        assert "人数合计须相同" in response.text


def test_report_docx_and_markdown_carry_tables_and_provenance(as_role, demo):
    client = as_role("evaluator")
    with client.get(URL + "/report.docx") as response:
        assert response.status_code == 200
        doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    with demo.app_context():
        results = compute_results(get_survey("nanyang-dcm"))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert results.provenance["response_ids_sha256"] in cells
    assert "置信区间" in text and f"共回收有效问卷{results.n}份" in text
    assert len(doc.tables) >= 5 and len(doc.inline_shapes) >= 3
    assert any(p.text.startswith("表1") for p in doc.paragraphs)
    with client.get(URL + "/report.md") as response:
        assert response.mimetype == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    md = archive.read("nanyang-dcm-report.md").decode()
    assert results.provenance["response_ids_sha256"] in md and "base64" not in md
    pngs = [n for n in names if n.endswith(".png")]
    assert pngs and all(f"]({n})" in md for n in pngs)
    with demo.app_context():
        actions = (
            demo.extensions["sqlalchemy"]
            .session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export"))
            .all()
        )
    assert {(a["what"], a["format"]) for a in actions} == {("report", "docx"), ("report", "md")}


def test_charts_render_in_both_formats(as_role):
    client = as_role("viewer")
    with client.get(URL + "/chart/headline.svg") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data
    with client.get(URL + "/chart/domains.png") as response:
        assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    with client.get(URL + "/chart/nothing.svg") as response:
        assert response.status_code == 404


def test_wave_comparison_by_dates(demo):
    with demo.app_context():
        survey = get_survey("nanyang-dcm")
        settings = {
            **_settings(survey),
            "comparison": {
                "by": "dates",
                "a": ["2026-01-01", "2026-10-19"],
                "b": ["2026-10-20", "2027-12-31"],
            },
        }
        waves = compute_results(survey, settings, 0).waves
        bad = compute_results(
            survey, {**settings, "comparison": {"by": "dates", "a": ["x", ""], "b": ["", ""]}}, 0
        ).waves
    # Inclusive end dates: consecutive ranges cover every response exactly once.
    assert waves.error is None and waves.n_a + waves.n_b == compute_results_n(demo)
    rows = {(r.question, r.statistic): r for r in waves.rows}
    assert set(rows) == {
        ("index", "index"),
        ("sat_overall", "top2"),
        ("awareness", "share"),
        ("env_improved", "share"),
    }
    for r in rows.values():
        # a is wave B, b is wave A: the difference is B - A.
        assert abs(r.difference - (r.estimate_a - r.estimate_b)) < 1e-12 and 0 <= r.p_value <= 1
        assert r.significant == (r.p_value < 0.05)
    assert bad.rows == () and "cannot read" in bad.error


def compute_results_n(app):
    with app.app_context():
        return compute_results(get_survey("nanyang-dcm")).n


def test_empty_survey_pages_do_not_fail(app, client, accounts):  # noqa: D103
    from tests.conftest import login_as

    login_as(client, accounts["evaluator"])
    for url in (
        URL,
        URL + "/report.md",
        URL + "/export?format=sav",
        "/console/surveys/nanyang-dcm/analysis-settings",
    ):
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_one_computation_per_page_view_and_its_charts(as_role, monkeypatch):
    from surveyapp.results import compute

    compute.clear_cache()
    calls = []
    original = compute._compute
    monkeypatch.setattr(compute, "_compute", lambda *a: calls.append(a) or original(*a))
    client = as_role("viewer")
    with client.get(URL) as response:
        charts = re.findall(r'src="([^"]+/chart/[^"]+\.svg)"', response.text)
    assert len(charts) == 3
    for src in charts:
        with client.get(src) as response:
            assert response.status_code == 200
    with client.get(URL + "?q=sat_overall&by=district") as response:
        assert "r-test" in response.text
    assert len(calls) == 1


def test_english_sentences_state_population_estimates(as_role):
    client = as_role("viewer")
    with client.get(URL + "?lang=en") as response:
        page = response.text
    assert "By weighted estimate, about" in page and "adult residents of urban Nanyang" in page
    assert "Among respondents" not in page

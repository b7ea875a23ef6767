"""Reliability flags (NCHS presentation standards) travel from ``analysis`` to every output:
figures carry the flags of the direct call, the page marks them and offers no citation, the
methods note counts them, and the report marks them and cites none of them."""

import html
import json
import re

import pytest
from flask_babel import force_locale

import analysis
from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db as _db
from surveyapp.results import settings as settings_service
from surveyapp.results.citations import methods_paragraph
from surveyapp.results.citations import sentence
from surveyapp.results.compute import compute_results
from surveyapp.results.data import load_frame
from tests.conftest import login_as

KEY = "nanyang-dcm"
URL = f"/console/surveys/{KEY}/results"
ROW = re.compile(r'<tr class="r-figure[^"]*" data-key="([^"]+)"[^>]*data-reliable="(true|false)">')


@pytest.fixture
def few(app):
    """300 synthetic responses: the smallest district has some 20 respondents."""
    with app.app_context():
        insert_demo_responses(get_survey(KEY), 300, seed=11)
        _db.session.commit()
    return app


def _design(survey):
    frame = load_frame(survey)
    margins = settings_service.current(survey)[1]["margins"]
    for var in margins:
        frame[f"w_{var}"] = frame[var].map(lambda v: str(int(v)))
    frame["aware"] = frame["awareness"].isin([1, 2, 3]).astype(float)
    frame["district_code"] = frame["district"].map(lambda v: str(int(v)))
    return analysis.rake(analysis.Design(frame), {f"w_{v}": cells for v, cells in margins.items()})


def test_figures_carry_the_flags_of_the_direct_call(few):
    with few.app_context():
        survey = get_survey(KEY)
        results = compute_results(survey)
        design = _design(survey)
    rates = analysis.satisfaction_rate(
        design, "sat_overall", levels=[1, 2, 3, 4, 5], top=2, by="district_code"
    )
    aware = analysis.proportion(design, "aware", by="district_code")
    seen = set()
    for district in ("1", "2", "3", "4"):
        figure = results.estimate("sat_overall", "top2", domain=("district", district))
        direct = rates[district]
        assert figure.estimate == pytest.approx(direct.estimate, rel=1e-9)
        assert figure.flags == direct.flags
        share = results.estimate("awareness", "share", [1, 2, 3], ("district", district))
        assert share.flags == aware[(district, 1.0)].flags
        seen.update(figure.flags + share.flags)
        # The rules by hand: effective n under 30, and a Korn-Graubard interval 30 points wide.
        low, high = direct.ci(0.95, "korn-graubard")
        n_eff = direct.estimate * (1 - direct.estimate) / direct.se**2
        assert ("effective n < 30" in figure.flags) == (min(n_eff, direct.n) < 30)
        assert ("CI width >= 30 points" in figure.flags) == (high - low >= 0.30)
        assert figure.reliable == (not figure.flags)
    assert "effective n < 30" in seen  # the smallest district is flagged
    whole = results.estimate("sat_overall", "top2")
    assert whole.flags == () and whole.reliable
    assert whole.to_dict()["flags"] == [] and whole.to_dict()["reliable"] is True


def test_page_marks_flagged_figures_and_offers_them_for_no_citation(few, client, accounts):
    with few.app_context():
        results = compute_results(get_survey(KEY))
    login_as(client, accounts["viewer"])
    with client.get(URL) as response:
        assert response.status_code == 200
        page = response.text
    rows = dict(ROW.findall(page))
    flagged = {f.key for f in results.figures if f.flags}
    assert flagged and any(v == "true" for v in rows.values())
    for key, reliable in rows.items():
        assert (reliable == "false") == (key in flagged), key
    # Each row's cell: a flagged row has the mark and its reasons, and no sentence to copy.
    for block in page.split('<tr class="r-figure')[1:]:
        block = block.split("</tr>")[0]
        key = re.search(r'data-key="([^"]+)"', block).group(1)
        assert ("‡" in block) == (key in flagged)
        assert ("r-copy" in block) == (key not in flagged)
    # No flagged figure's sentence is anywhere on the page (and the sentences exist).
    with few.app_context(), few.test_request_context():
        words = [
            sentence(results, f, lang) for f in results.figures if f.flags for lang in ("zh", "en")
        ]
    text = html.unescape(page)
    assert words and not any(w in text for w in words)
    # The methods note says how many figures fall short.
    with few.app_context(), few.test_request_context():
        note = methods_paragraph(results, "en")
    assert f"{len(flagged)} figures fall short of the NCHS data presentation standards" in note


def test_api_json_and_report_carry_the_flags(few, runner, tmp_path):
    result = runner.invoke(args=["survey", "analyze", KEY, "--json"])
    assert result.exit_code == 0, result.output
    estimates = json.loads(result.output)["estimates"]
    assert any(e["flags"] for e in estimates) and any(not e["flags"] for e in estimates)
    assert all(e["reliable"] == (not e["flags"]) for e in estimates)
    out = tmp_path / "report.md"
    result = runner.invoke(args=["survey", "report", KEY, "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    with few.app_context(), few.test_request_context():
        results = compute_results(get_survey(KEY))
        flagged = [f for f in results.figures if f.flags]
        cited = [sentence(results, f, "zh") for f in flagged]
    assert "注：标“‡”的估计值未达到发布标准" in text
    assert "‡" in text
    for words in cited:
        assert words not in text
    assert cited


def test_every_flag_of_the_statistics_library_has_words_for_readers(app):
    from surveyapp.results.labels import FLAG_REASONS
    from surveyapp.results.labels import flag_text

    assert set(FLAG_REASONS) == set(analysis.RELIABILITY_FLAGS)
    with app.test_request_context(), force_locale("zh_CN"):
        assert flag_text(("effective n < 30", "df < 8")) == "有效样本量不足30；自由度不足8"
    with pytest.raises(KeyError):
        flag_text(("an unknown reason",))

"""The survey results page lists the evaluations that score the survey (no score table of its own)."""

import re

from surveyapp.evaluation import services
from tests.conftest import login_as
from tests.evaluation.conftest import KEY

RESULTS = "/console/surveys/{}/results"


def _section(page):
    return re.search(r'<section class="c-card" id="evaluations">(.*?)</section>', page, re.S).group(
        1
    )


def test_results_page_lists_the_evaluation_with_its_total_grade_and_link(
    with_responses, client, users
):
    with with_responses.app_context():
        evaluation = services.get_evaluation(KEY)
        survey_key = services.definition_of(evaluation).survey
        card = services.scorecard(evaluation)[0]
    assert card.survey_used and card.points is not None
    login_as(client, users["viewer"])
    section = _section(client.get(RESULTS.format(survey_key)).get_data(as_text=True))
    assert f'href="/console/evaluations/{KEY}"' in section
    total = re.search(r'class="r-total-points">([^<]*)<', section).group(1)
    assert total == "%.2f" % card.points
    assert re.search(r'class="r-grade">([^<]*)<', section).group(1) == card.grade
    # The detail page it links to shows the same total.
    assert total in client.get(f"/console/evaluations/{KEY}").get_data(as_text=True)
    # The old score-table pages are gone.
    for old in ("/score-table", "/example-score-table"):
        assert client.get(RESULTS.format(survey_key) + old).status_code == 404


def test_without_an_evaluation_the_page_says_so_in_the_console_language(app, client, users):
    with app.app_context():
        survey_key = services.read_file(services.builtin_path(KEY))["survey"]
    login_as(client, users["viewer"])
    english = _section(client.get(RESULTS.format(survey_key) + "?lang=en").get_data(as_text=True))
    assert "No evaluation uses this survey yet." in english
    assert 'href="/console/evaluations/"' in english or 'href="/console/evaluations"' in english
    chinese = _section(client.get(RESULTS.format(survey_key) + "?lang=zh").get_data(as_text=True))
    assert "No evaluation" not in chinese and re.search(r"[\u4e00-\u9fff]", chinese)


def test_the_api_lists_the_evaluation(with_responses, client, users, runner):
    with with_responses.app_context():
        evaluation = services.get_evaluation(KEY)
        survey_key = services.definition_of(evaluation).survey
        card = services.scorecard(evaluation)[0]
    result = runner.invoke(args=["users", "token", users["viewer"].username, "--label", "tests"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    auth = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/surveys/{survey_key}/indicators", headers=auth).get_json()
    assert "score_table" not in body
    [listed] = body["evaluations"]
    assert listed["key"] == KEY and listed["grade"] == card.grade
    assert listed["points"] == card.points and listed["weight"] == card.weight

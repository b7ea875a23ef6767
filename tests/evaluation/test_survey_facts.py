"""The report's survey facts against an independent count: sample and population shares per margin."""

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.reporting.survey_source import survey_facts
from surveyapp.results import settings as settings_service


def test_weighting_table_shares_match_a_direct_count(with_responses):
    with with_responses.app_context():
        survey = get_survey("nanyang-dcm")
        facts = survey_facts(survey)
        _version, settings = settings_service.current(survey)
        var = next(iter(settings["margins"]))
        counts = dict(
            db.session.execute(
                select(Answer.code, func.count())
                .join(Response, Response.id == Answer.response_id)
                .where(
                    Response.survey_id == survey.id,
                    Response.status == "valid",
                    Answer.question == var,
                )
                .group_by(Answer.code)
            ).all()
        )
    total = sum(counts.values())
    population = settings["margins"][var]
    pop_total = sum(population.values())
    question = facts.margins[0].variable
    rows = [m for m in facts.margins if m.variable == question]
    assert len(rows) == len(population)
    for row, (code, count) in zip(rows, population.items()):
        assert abs(row.sample_share - counts.get(int(code), 0) / total) < 1e-12
        assert abs(row.population_share - count / pop_total) < 1e-12
        # After raking the weighted shares hit the population shares.
        assert abs(row.weighted_share - row.population_share) < 1e-6
    assert facts.n_eff < facts.n and facts.deff > 1

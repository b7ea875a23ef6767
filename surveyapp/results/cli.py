"""``flask survey analyze KEY [--by QUESTION] [--json]``: the results the page shows."""

import json

import click
from flask.cli import with_appcontext

from ..cli import survey_cli
from ..definitions.store import get_survey
from .compute import compute_results
from .crosstab import CrosstabError
from .crosstab import crosstab


def as_json(data):
    """JSON text of plain data (the documented shapes)."""
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def _line(f):
    lo, hi = f.ci
    domain = "" if f.domain is None else f"{f.domain.variable}={f.domain.value}"
    codes = ",".join(map(str, f.codes))
    value = "–" if f.estimate is None else f"{f.estimate:.4f}"
    interval = "–" if lo is None else f"[{lo:.4f}, {hi:.4f}]"
    return f"{f.question:<16} {f.statistic:<6} {codes:<7} {domain:<12} {value}  {interval}  n={f.n}"


@survey_cli.command("analyze")
@click.argument("key")
@click.option("--json", "as_json_flag", is_flag=True, help="Print everything as JSON.")
@click.option("--by", "by", default=None, help="Crosstab every question by this question.")
@click.option("--question", "question", default=None, help="With --by: only this question.")
@with_appcontext
def analyze_command(key, as_json_flag, by, question):
    """Compute the results of survey KEY's valid responses under its analysis settings."""
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    results = compute_results(survey)
    if by:
        keys = (
            [question]
            if question
            else [s.key for s in results.summaries if s.summary != "text" and s.key != by]
        )
        try:
            tables = [crosstab(survey, k, by) for k in keys]
        except CrosstabError as exc:
            raise click.ClickException(str(exc)) from None
        if as_json_flag:
            click.echo(
                as_json({"survey": key, "by": by, "crosstabs": [t.to_dict() for t in tables]})
            )
            return
        for t in tables:
            for f in t.figures:
                click.echo(_line(f))
            for k, test in t.tests:
                click.echo(f"{k} x {by}: Rao-Scott F={test.statistic:.3f} p={test.p_value:.4g}")
        return
    if as_json_flag:
        click.echo(as_json(results.to_dict()))
        return
    w = results.weighting
    click.echo(
        f"{key}: n={results.n}, weighting {w.method}" + (f" (FAILED: {w.error})" if w.error else "")
    )
    for f in results.figures:
        if f.domain is None:
            click.echo(_line(f))
    for ind in results.indicators:
        click.echo(
            f"{ind.name['zh']}: {ind.points} / {ind.max_points:g} "
            f"(CI: {ind.points_low}–{ind.points_high})"
        )

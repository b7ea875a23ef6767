"""``flask survey analyze KEY --json``: the results the page shows, as JSON or a short table."""

import json

import click
from flask.cli import with_appcontext

from ..cli import survey_cli
from ..definitions.store import get_survey
from .compute import compute_results


def as_json(results):
    """The documented JSON shape: survey, settings, estimates, indicators (and the rest)."""
    return json.dumps(results, ensure_ascii=False, indent=1, default=str)


@survey_cli.command("analyze")
@click.argument("key")
@click.option("--json", "as_json_flag", is_flag=True, help="Print everything as JSON.")
@with_appcontext
def analyze_command(key, as_json_flag):
    """Compute the results of survey KEY's valid responses under its analysis settings."""
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    results = compute_results(survey)
    if as_json_flag:
        click.echo(as_json(results))
        return
    click.echo(f"{key}: n={results['n']}, weighting {results['weighting']['method']}")
    for r in results["estimates"]:
        if r["domain"] is None:
            lo, hi = r["ci"]
            click.echo(
                f"{r['question']:<16} {r['kind']:<9} {r['category'] or '':<5} "
                f"{r['estimate']:.4f}  [{lo:.4f}, {hi:.4f}]  n={r['n']}"
            )
    for ind in results["indicators"]:
        click.echo(
            f"{ind['name']['zh']}: {ind['points']} / {ind['max_points']} "
            f"(CI: {ind['points_low']}–{ind['points_high']})"
        )

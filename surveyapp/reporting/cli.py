"""``flask survey report KEY --format docx|md -o PATH``: a survey's results section alone."""

import click

from ..cli import survey_cli
from ..definitions.store import get_survey


@survey_cli.command("report")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default="docx")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def survey_report_command(key, fmt, output):
    """Write the survey section of a report for survey KEY (any survey)."""
    from .survey_report import write_survey_report

    survey = get_survey(key)
    if survey is None or survey.latest_version is None:
        raise click.ClickException(f"no survey with key {key!r}")
    for path in write_survey_report(survey, fmt, output):
        click.echo(path)

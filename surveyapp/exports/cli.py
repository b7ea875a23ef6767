"""``flask survey export KEY --format ... -o PATH``: responses (or estimates) to a file, audited."""

import click
from flask.cli import with_appcontext

from ..cli import survey_cli
from ..definitions.store import get_survey
from ..extensions import db
from ..results.compute import compute_results
from . import services
from .writers import FORMATS


@survey_cli.command("export")
@click.argument("key")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="json is one array; jsonl is one object per line.",
)
@click.option(
    "-o", "--output", "path", type=click.Path(dir_okay=False, writable=True), required=True
)
@click.option("--labels", is_flag=True, help="Choice labels instead of codes (csv, xlsx, json).")
@click.option(
    "--estimates", is_flag=True, help="Export the estimates table instead of the responses."
)
@click.option(
    "--include-test", is_flag=True, help="Also export staff test answers (given in preview)."
)
@with_appcontext
def export_command(key, fmt, path, labels, estimates, include_test):
    """Export survey KEY's responses (valid and excluded, with the weight column) to PATH."""
    survey = get_survey(key)
    if survey is None:
        raise click.ClickException(f"no survey with key {key!r}")
    if estimates:
        if fmt not in ("csv", "xlsx", "json"):
            raise click.ClickException("the estimates table exports as csv, xlsx or json")
        services.record_export(survey, "estimates", fmt, user=None)
        services.export_estimates_to(compute_results(survey), fmt, path)
        db.session.commit()
        click.echo(f"{key}: estimates written to {path}")
        return
    n = services.export_responses_to(survey, fmt, path, labels=labels, include_test=include_test)
    db.session.commit()
    click.echo(f"{key}: {n} responses written to {path}")

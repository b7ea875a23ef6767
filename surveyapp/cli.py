"""``flask survey ...`` commands: load and list survey definitions."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from . import audit
from .console.surveys import survey_overview
from .definitions import DefinitionError
from .definitions import builtin_path
from .definitions import load_file
from .definitions.store import get_survey
from .definitions.store import save_definition
from .extensions import db

survey_cli = AppGroup("survey", help="Load, list and inspect surveys.")


@survey_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def load_command(path):
    """Validate the YAML definition at PATH and store it as a new version if it changed."""
    try:
        with force_locale("en"):  # the command line speaks English, like its other messages
            definition = load_file(path)
    except DefinitionError as exc:
        raise click.ClickException(f"invalid survey definition\n{exc}") from None
    version, created = save_definition(definition, source_name=str(path))
    if created:
        audit.record(
            "survey.load", survey_id=version.survey_id, version=version.number, source=str(path)
        )
    db.session.commit()
    state = "loaded as version" if created else "unchanged, still version"
    click.echo(f"{definition.key}: {state} {version.number}")


@survey_cli.command("load-default")
@click.option("--if-absent", is_flag=True, help="Do nothing when the survey already exists.")
def load_default_command(if_absent):
    """Load the survey shipped with the application (nanyang-dcm)."""
    from flask import current_app

    key = current_app.config["DEFAULT_SURVEY"]
    if if_absent and get_survey(key) is not None:
        click.echo(f"{key}: already loaded")
        return
    definition = load_file(builtin_path(key))
    version, created = save_definition(definition, source_name=f"builtin:{key}")
    if created:
        audit.record(
            "survey.load", survey_id=version.survey_id, version=version.number, source="builtin"
        )
    db.session.commit()
    click.echo(f"{key}: version {version.number}")


@survey_cli.command("list")
def list_command():
    """List surveys with their status, newest version and number of responses."""
    rows = survey_overview()
    if not rows:
        click.echo("No surveys loaded. Try: flask --app surveyapp survey load-default")
        return
    click.echo(f"{'key':<24} {'status':<8} {'version':>7} {'responses':>9}")
    for survey, latest, count in rows:
        click.echo(
            f"{survey.key:<24} {survey.status:<8} {latest.number if latest else '-':>7} {count:>9}"
        )
